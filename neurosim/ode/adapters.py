"""Bridges from users' numba functions to the compiled kernels' fixed signatures.

The kernels call ``f(t, y, row, p)`` through a function pointer, so they are compiled
once and cached on disk. A user writes ``f(t, y, *args)`` (or ``f(t, y, row, *args)``
in a batch); here the extra arguments are packed into one float vector ``p`` and a
small compiled adapter unpacks them again before calling the user's function.

Arguments that can be packed: bools, integers (|x| < 2**53), floats and numeric
arrays of one or more dimensions (the function receives a copy, as float64 or
int64). Anything else sends ``solve`` down the numpy path.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit, types
from numba.extending import overload

from .kernels import EVENT_SIGNATURE, RESET_SIGNATURE, RHS_SIGNATURE, no_events, no_reset

_INT_LIMIT = 2 ** 53


def pack_args(args: tuple):
    """Pack ``args`` into ``(layout, p)``, or return ``None`` if one cannot be packed.

    ``layout`` is a hashable description (kind, start, stop, shape) per argument;
    ``p`` is the float64 vector holding the values.
    """
    layout, chunks, start = [], [], 0
    for value in args:
        if isinstance(value, (bool, np.bool_)):
            layout.append(("bool", start, start + 1, ()))
            chunks.append([float(value)])
            start += 1
        elif isinstance(value, (int, np.integer)):
            if abs(int(value)) >= _INT_LIMIT:
                return None
            layout.append(("int", start, start + 1, ()))
            chunks.append([float(value)])
            start += 1
        elif isinstance(value, (float, np.floating)):
            layout.append(("float", start, start + 1, ()))
            chunks.append([float(value)])
            start += 1
        else:
            arr = np.asarray(value)
            if arr.ndim == 0:
                return None
            if arr.dtype.kind == "f":
                kind = "farray"
            elif arr.dtype.kind in "iub" and (arr.size == 0 or np.abs(
                    arr.astype(np.float64)).max() < _INT_LIMIT):
                kind = "iarray"
            else:
                return None
            layout.append((kind, start, start + arr.size, arr.shape))
            chunks.append(arr.astype(np.float64).ravel())
            start += arr.size
    p = np.concatenate([np.asarray(c, dtype=np.float64) for c in chunks]) if chunks \
        else np.zeros(0)
    return tuple(layout), np.ascontiguousarray(p)


@njit(inline="always")
def _unpack_nothing(p):
    return ()


def _unpacker(layout):
    unpack = _unpack_nothing
    for kind, start, stop, shape in layout:
        unpack = _extend(unpack, kind, start, stop, shape)
    return unpack


def _extend(prev, kind, start, stop, shape):
    if kind == "bool":
        @njit(inline="always")
        def unpack(p):
            return prev(p) + (p[start] != 0.0,)
    elif kind == "int":
        @njit(inline="always")
        def unpack(p):
            return prev(p) + (np.int64(p[start]),)
    elif kind == "float":
        @njit(inline="always")
        def unpack(p):
            return prev(p) + (p[start],)
    elif kind == "farray":
        @njit(inline="always")
        def unpack(p):
            return prev(p) + (p[start:stop].reshape(shape),)
    else:
        @njit(inline="always")
        def unpack(p):
            return prev(p) + (p[start:stop].astype(np.int64).reshape(shape),)
    return unpack


@lru_cache(maxsize=256)
def rhs_adapter(f, layout, batch: bool):
    """Compiled ``(t, y, row, p) -> dydt`` calling ``f(t, y, [row,] *args)``."""
    unpack = _unpacker(layout)
    if batch:
        @njit(RHS_SIGNATURE)
        def adapter(t, y, row, p):
            return _as_state(f(t, y, row, *unpack(p)), y.shape[0])
    else:
        @njit(RHS_SIGNATURE)
        def adapter(t, y, row, p):
            return _as_state(f(t, y, *unpack(p)), y.shape[0])
    return adapter


def _as_state(r, n):
    """``r`` as a float64 C-array of length ``n`` (copied only if it is not one)."""
    raise NotImplementedError("only callable from compiled code")


@overload(_as_state, inline="always")
def _as_state_impl(r, n):
    if (isinstance(r, types.Array) and r.ndim == 1 and r.dtype == types.float64
            and r.layout == "C" and r.mutable):
        def passthrough(r, n):
            if r.shape[0] != n:
                raise ValueError("f(t, y, ...) returned a different number of "
                                 "components than y has")
            return r
        return passthrough

    def convert(r, n):
        if len(r) != n:
            raise ValueError("f(t, y, ...) returned a different number of components "
                             "than y has")
        out = np.empty(n)
        for j in range(n):
            out[j] = r[j]
        return out
    return convert


@lru_cache(maxsize=256)
def event_adapter(functions: tuple, layout, batch: bool):
    """Compiled ``(t, y, row, p, out)`` writing ``out[k] = functions[k](t, y, ...)``."""
    if not functions:
        return no_events
    unpack = _unpacker(layout)
    combined = no_events
    for index in range(len(functions) - 1, -1, -1):
        combined = _chain_event(index, functions[index], combined, unpack, batch)
    return combined


def _chain_event(index, g, rest, unpack, batch):
    if batch:
        @njit(EVENT_SIGNATURE)
        def ev(t, y, row, p, out):
            out[index] = g(t, y, row, *unpack(p))
            rest(t, y, row, p, out)
    else:
        @njit(EVENT_SIGNATURE)
        def ev(t, y, row, p, out):
            out[index] = g(t, y, *unpack(p))
            rest(t, y, row, p, out)
    return ev


@lru_cache(maxsize=256)
def reset_adapter(resets: tuple):
    """Compiled ``(k, y) -> y_new`` calling ``resets[k](y)`` (identity where None)."""
    combined = no_reset
    for index in range(len(resets) - 1, -1, -1):
        if resets[index] is not None:
            combined = _chain_reset(index, resets[index], combined)
    return combined


def _chain_reset(index, fn, rest):
    @njit(RESET_SIGNATURE)
    def reset(k, y):
        if k == index:
            return _as_state(fn(y), y.shape[0])
        return rest(k, y)
    return reset
