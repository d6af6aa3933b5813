"""Gradient clipping, by global norm and by value, in place."""

from __future__ import annotations

import numpy as np

from ..validation import as_float


def global_norm(grads):
    """Euclidean norm of all gradient arrays taken together.

    Parameters
    ----------
    grads : mapping of str to ndarray

    Returns
    -------
    float
    """
    return float(np.sqrt(sum(np.vdot(g, g) for g in grads.values())))


def clip_by_global_norm(grads, max_norm):
    """Scale every gradient by ``max_norm / norm`` when their global norm exceeds it.

    Parameters
    ----------
    grads : mapping of str to ndarray
        Gradients, changed in place.
    max_norm : float
        Largest allowed global norm, > 0.

    Returns
    -------
    float
        The global norm before clipping.
    """
    max_norm = as_float("max_norm", max_norm, positive=True)
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads.values():
            g *= scale
    return norm


def clip_by_value(grads, limit):
    """Clip every gradient element into [-limit, limit].

    Parameters
    ----------
    grads : mapping of str to ndarray
        Gradients, changed in place.
    limit : float
        Largest allowed magnitude, > 0.
    """
    limit = as_float("limit", limit, positive=True)
    for g in grads.values():
        np.clip(g, -limit, limit, out=g)
