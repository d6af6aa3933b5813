"""Named functions to decode: a registry, so that model files name a function instead
of carrying code (nothing is ever evaluated from text).

Every function is vectorised as ``Network.connect`` and ``Population.decoders``
expect: it takes the evaluation points ``X``, shape (P, d), in the population's
units, and returns shape (P,) or (P, L). Built in:

=========  =================================================  ===========
name       value                                              shape
=========  =================================================  ===========
identity   X                                                  (P, d)
square     X², each component                                 (P, d)
abs        |X|, each component                                (P, d)
sin        sin X, each component (radians)                    (P, d)
cos        cos X, each component (radians)                    (P, d)
product    X[:, 0] · X[:, 1] · … (the product of the          (P,)
           components; needs d >= 2)
norm       ‖X‖, the Euclidean length of each point            (P,)
=========  =================================================  ===========

``register(name, fn)`` adds a function; ``get(name)`` looks one up and names the
registered ones when it is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from .validation import _show

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _points(name: str, X, min_dimensions: int = 1) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < min_dimensions:
        raise ValueError(f"function {name!r} takes points of shape (P, d) with d >= "
                         f"{min_dimensions}, got shape {X.shape}")
    return X


def identity(X) -> np.ndarray:
    """The points themselves, shape (P, d)."""
    return _points("identity", X).copy()


def square(X) -> np.ndarray:
    """Each component squared, shape (P, d)."""
    return np.square(_points("square", X))


def absolute(X) -> np.ndarray:
    """Each component's absolute value, shape (P, d)."""
    return np.abs(_points("abs", X))


def sine(X) -> np.ndarray:
    """sin of each component (radians), shape (P, d)."""
    return np.sin(_points("sin", X))


def cosine(X) -> np.ndarray:
    """cos of each component (radians), shape (P, d)."""
    return np.cos(_points("cos", X))


def product(X) -> np.ndarray:
    """The product of the components of each point, shape (P,); d >= 2."""
    return np.prod(_points("product", X, min_dimensions=2), axis=1)


def norm(X) -> np.ndarray:
    """The Euclidean length of each point, shape (P,)."""
    return np.linalg.norm(_points("norm", X), axis=1)


_REGISTRY: dict[str, Callable] = {
    "identity": identity, "square": square, "abs": absolute, "sin": sine,
    "cos": cosine, "product": product, "norm": norm}


def names() -> list[str]:
    """The registered names, sorted."""
    return sorted(_REGISTRY)


def register(name: str, fn: Callable, replace: bool = False) -> Callable:
    """Register ``fn`` under ``name`` (letters, digits and '_', not starting with a
    digit); returns ``fn``.

    Parameters
    ----------
    name : str
    fn : callable
        Vectorised: points (P, d) -> (P,) or (P, L).
    replace : bool
        Allow replacing a function already registered under ``name``.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be letters, digits and '_' (not starting with a "
                         f"digit), got {_show(name)}")
    if not callable(fn):
        raise TypeError(f"fn must be callable (points (P, d) -> (P,) or (P, L)), got "
                        f"{_show(fn)}")
    if not isinstance(replace, bool):
        raise TypeError(f"replace must be a bool, got {_show(replace)}")
    if name in _REGISTRY and not replace:
        raise ValueError(f"a function named {name!r} is registered already; pass "
                         "replace=True to replace it")
    _REGISTRY[name] = fn
    return fn


def get(name: str) -> Callable:
    """The function registered under ``name``."""
    if not isinstance(name, str):
        raise TypeError(f"a function name must be a string, got {_show(name)}")
    if name not in _REGISTRY:
        raise ValueError(f"unknown function {name!r}; registered: {', '.join(names())} "
                         "(add one with neurosim.functions.register(name, fn))")
    return _REGISTRY[name]
