"""Distributions to draw population parameters and evaluation points from.

Each has ``sample(n, d=None, rng)`` taking an explicit ``numpy.random.Generator``;
with ``d=None`` it returns shape (n,), otherwise (n, d).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri
from scipy.stats import qmc

from ..validation import _show, as_array, as_float, as_int


def check_rng(rng) -> np.random.Generator:
    """``rng`` if it is a numpy Generator; anything else is refused (no hidden
    global randomness)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng("
                        f"seed)), got {_show(rng)}")
    return rng


class Distribution:
    """Base class: ``sample(n, d=None, rng)``."""

    def sample(self, n: int, d: int | None = None, rng=None) -> np.ndarray:
        n = as_int("n", n, minimum=0)
        if d is not None:
            d = as_int("d", d, minimum=1)
        return self._sample(n, d, check_rng(rng))

    def _sample(self, n, d, rng):
        raise NotImplementedError


def _shape(n, d):
    return (n,) if d is None else (n, d)


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [low, high)."""

    low: float
    high: float

    def __post_init__(self):
        low = as_float("low", self.low)
        high = as_float("high", self.high)
        if not high >= low:
            raise ValueError(f"Uniform needs high >= low, got low={low}, high={high}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def _sample(self, n, d, rng):
        return rng.uniform(self.low, self.high, _shape(n, d))


@dataclass(frozen=True)
class Gaussian(Distribution):
    """Normal with mean ``mean`` and standard deviation ``std`` (>= 0)."""

    mean: float
    std: float

    def __post_init__(self):
        object.__setattr__(self, "mean", as_float("mean", self.mean))
        object.__setattr__(self, "std", as_float("std", self.std, nonnegative=True))

    def _sample(self, n, d, rng):
        return rng.normal(self.mean, self.std, _shape(n, d))


@dataclass(frozen=True, eq=False)
class Choice(Distribution):
    """Draws (with replacement) from ``options``: shape (k,) values or (k, d) rows,
    with optional probabilities ``weights``."""

    options: np.ndarray
    weights: np.ndarray | None = None

    def __post_init__(self):
        options = as_array("options", self.options)
        if options.ndim not in (1, 2) or options.shape[0] == 0:
            raise ValueError(f"options must be a non-empty (k,) or (k, d) array, got "
                             f"shape {options.shape}")
        object.__setattr__(self, "options", options)
        if self.weights is not None:
            w = as_array("weights", self.weights, ndim=1)
            if w.shape[0] != options.shape[0] or np.any(w < 0) or w.sum() <= 0:
                raise ValueError(f"weights must be {options.shape[0]} non-negative "
                                 f"numbers with a positive sum, got {_show(self.weights)}")
            object.__setattr__(self, "weights", w / w.sum())

    def _sample(self, n, d, rng):
        picks = self.options[rng.choice(self.options.shape[0], size=n, p=self.weights)]
        if d is None:
            if picks.ndim != 1:
                raise ValueError("options are rows; pass d")
            return picks
        if picks.ndim == 1:
            if d != 1:
                raise ValueError(f"options are scalars; d must be 1, got {d}")
            return picks[:, None]
        if picks.shape[1] != d:
            raise ValueError(f"options have {picks.shape[1]} columns, d is {d}")
        return picks


@dataclass(frozen=True)
class UniformHypersphere(Distribution):
    """Uniform on the unit sphere's surface (``surface=True``) or in the unit ball."""

    surface: bool = False

    def _sample(self, n, d, rng):
        dim = 1 if d is None else d
        if dim == 1 and self.surface:
            points = rng.choice([-1.0, 1.0], size=(n, 1))
        else:
            directions = rng.standard_normal((n, dim))
            directions /= np.linalg.norm(directions, axis=1, keepdims=True)
            points = directions
            if not self.surface:
                points = directions * rng.uniform(0.0, 1.0, (n, 1)) ** (1.0 / dim)
        return points[:, 0] if d is None else points


@dataclass(frozen=True)
class QuasirandomHypersphere(Distribution):
    """Evenly spread points on the unit sphere's surface or in the unit ball.

    A scrambled Sobol sequence (seeded from ``rng``) mapped through the inverse
    normal CDF gives directions without the clusters and gaps of independent draws;
    in the ball, one more Sobol coordinate sets the radius (``u^(1/d)``). In 1-D the
    surface is ±1 in equal numbers and the ball is an evenly spaced, jittered grid.
    """

    surface: bool = False

    def _sample(self, n, d, rng):
        dim = 1 if d is None else d
        if n == 0:
            points = np.zeros((0, dim))
        elif dim == 1 and self.surface:
            points = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)[rng.permutation(n)]
            points = points[:, None]
        elif dim == 1:
            points = (-1.0 + (np.arange(n) + rng.uniform(0.0, 1.0, n)) * 2.0 / n)
            points = rng.permutation(points)[:, None]
        else:
            extra = 0 if self.surface else 1
            sobol = qmc.Sobol(dim + extra, scramble=True, seed=rng)
            with warnings.catch_warnings():  # any n is fine: we want spread, not
                warnings.simplefilter("ignore", UserWarning)  # exact balance
                u = sobol.random(n)
            eps = np.finfo(float).eps
            directions = ndtri(np.clip(u[:, :dim], eps, 1.0 - eps))
            directions /= np.linalg.norm(directions, axis=1, keepdims=True)
            points = directions if self.surface else \
                directions * u[:, dim:] ** (1.0 / dim)
        return points[:, 0] if d is None else points


def as_samples(name: str, value, n: int, d: int | None, rng) -> np.ndarray:
    """``value`` drawn (a Distribution), broadcast (a number) or checked (an array)
    to shape (n,) or (n, d)."""
    if isinstance(value, Distribution):
        return value.sample(n, d, rng)
    arr = as_array(name, value)
    shape = _shape(n, d)
    try:
        return np.array(np.broadcast_to(arr, shape), dtype=np.float64)
    except ValueError:
        raise ValueError(f"{name} must be a Distribution, a number or an array of "
                         f"shape {shape}, got shape {arr.shape}") from None
