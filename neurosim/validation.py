"""Checks run at the door of every public function.

Each helper raises ``ValueError`` or ``TypeError`` whose message names the parameter, the
value received and what is allowed, and otherwise returns the value in canonical form.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def as_float(name: str, value, *, positive=False, nonnegative=False,
             finite=True) -> float:
    """Return ``value`` as a Python float, checking its sign and finiteness."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating,
                                                         np.integer)):
        raise TypeError(f"{name} must be a real number, got {_show(value)} "
                        f"of type {type(value).__name__}")
    x = float(value)
    if math.isnan(x) or (finite and math.isinf(x)):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if positive and not x > 0:
        raise ValueError(f"{name} must be > 0, got {x!r}")
    if nonnegative and not x >= 0:
        raise ValueError(f"{name} must be >= 0, got {x!r}")
    return x


def as_int(name: str, value, *, minimum: int | None = None) -> int:
    """Return ``value`` as a Python int (bools refused), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {_show(value)} "
                        f"of type {type(value).__name__}")
    n = int(value)
    if minimum is not None and n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return n


def as_array(name: str, value, *, ndim: int | None = None, finite=True,
             dtype=np.float64) -> np.ndarray:
    """Return ``value`` as a C-contiguous array of ``dtype`` with ``ndim`` dimensions."""
    try:
        arr = np.asarray(value, dtype=dtype)
        if arr.ndim:  # (ascontiguousarray would turn a scalar into shape (1,))
            arr = np.ascontiguousarray(arr)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be array-like of numbers, got {_show(value)}") \
            from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    # a finite sum proves every entry finite at a fraction of isfinite's cost
    if finite and arr.size and not np.isfinite(arr.sum()) and not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr.ravel()))[0]
        raise ValueError(f"{name} must be finite, got {arr.ravel()[bad].item()!r} at "
                         f"flat index {bad}")
    return arr


def as_window(name: str, value) -> tuple[float, float]:
    """Return ``value``, a pair [start, stop] of times (s) with 0 <= start < stop, as
    a tuple of floats."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"{name} must be a pair [start, stop] (s), got {_show(value)}")
    start, stop = (as_float(name, v, nonnegative=True) for v in value)
    if not stop > start:
        raise ValueError(f"{name} must have start < stop, got {_show(value)}")
    return start, stop


def as_choice(name: str, value, allowed) -> str:
    """Return ``value`` lower-cased if it is one of ``allowed`` (strings)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {sorted(allowed)}, "
                        f"got {_show(value)}")
    key = value.lower()
    if key not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return key


def as_steps(name: str, seconds, dt: float, *, minimum: int = 0) -> int:
    """``seconds`` as a whole number (>= ``minimum``) of steps of ``dt`` (s).

    Raises ``ValueError`` naming ``name``, the value, ``dt`` and the nearest allowed
    values when ``seconds`` is off the grid by more than 1e-6 of a step, or gives
    fewer than ``minimum`` steps.
    """
    seconds = as_float(f"{name} (s)", seconds, nonnegative=True)
    exact = seconds / dt
    steps = round(exact)
    if abs(exact - steps) > 1e-6:
        nearest = sorted({max(minimum, math.floor(exact)), max(minimum, math.ceil(exact))})
        allowed = " or ".join(f"{k * dt:.12g} s" for k in nearest)
        raise ValueError(f"{name} must be a whole number of steps of dt = {dt!r} s, "
                         f"got {seconds!r} s ({exact:.6g} steps); nearest allowed: "
                         f"{allowed}")
    if steps < minimum:
        raise ValueError(f"{name} must be at least {minimum} step(s) of dt = {dt!r} s, "
                         f"got {seconds!r} s; nearest allowed: {minimum * dt:.12g} s")
    return steps
