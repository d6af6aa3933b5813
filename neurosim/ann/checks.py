"""Argument checks shared by the ANN library, beyond those in ``neurosim.validation``.

Each helper raises ``ValueError`` or ``TypeError`` naming the parameter, the value and
what is expected, and otherwise returns the value in canonical form.
"""

from __future__ import annotations

import numpy as np

from ..validation import _show, as_float


def as_generator(name: str, value) -> np.random.Generator:
    """Return ``value`` if it is a ``numpy.random.Generator``; refuse seeds and None."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (e.g. "
                        f"np.random.default_rng(seed)), got {_show(value)} of type "
                        f"{type(value).__name__}")
    return value


def as_fraction(name: str, value, *, allow_zero=True) -> float:
    """Return ``value`` as a float in [0, 1) (or (0, 1) without ``allow_zero``)."""
    x = as_float(name, value)
    if not (0.0 <= x < 1.0) or (not allow_zero and x == 0.0):
        low = "0 <=" if allow_zero else "0 <"
        raise ValueError(f"{name} must satisfy {low} {name} < 1, got {x!r}")
    return x


def check_input(layer: str, x, n_features: int, ndim: int = 2) -> None:
    """Check a layer's input cheaply (type, ndim, last axis) without copying it."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer} input x must be a numpy array, got {_show(x)}")
    if x.ndim != ndim or x.shape[-1] != n_features:
        axes = "(batch, features)" if ndim == 2 else "(batch, time, features)"
        raise ValueError(f"{layer} input x must have shape {axes} with {n_features} "
                         f"features, got shape {x.shape}")


def check_grad(layer: str, grad, shape: tuple) -> None:
    """Check that an upstream gradient matches the shape of the layer's last output."""
    if not isinstance(grad, np.ndarray) or grad.shape != shape:
        got = grad.shape if isinstance(grad, np.ndarray) else _show(grad)
        raise ValueError(f"{layer} backward grad must be an array of shape {shape} "
                         f"(the shape of the last forward output), got {got}")
