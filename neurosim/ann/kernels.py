"""Fused optimizer update kernels (numba) and their plain numpy twins.

One compiled pass over the elements replaces the dozen temporary arrays the numpy
expression needs; ``tests/ann/test_kernels.py`` holds each kernel equal to its twin.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")  # IEEE division (no zero check) lets it vectorise
def adam_update(p, g, m, v, step_size, beta1, beta2, root_correction, eps):
    """One Adam step over flat arrays, in place.

    Parameters
    ----------
    p, g, m, v : ndarray, shape (n,)
        Parameters, gradients, first and second moment estimates (p, m, v updated).
    step_size : float
        ``lr / (1 - beta1**t)``.
    beta1, beta2 : float
        Moment decay rates.
    root_correction : float
        ``1 / sqrt(1 - beta2**t)``.
    eps : float
        Added to the corrected root of the second moment.
    """
    for i in range(p.size):
        gi = g[i]
        mi = beta1 * m[i] + (1.0 - beta1) * gi
        vi = beta2 * v[i] + (1.0 - beta2) * (gi * gi)
        m[i] = mi
        v[i] = vi
        p[i] -= step_size * mi / (np.sqrt(vi) * root_correction + eps)


def adam_update_numpy(p, g, m, v, step_size, beta1, beta2, root_correction, eps):
    """Numpy twin of ``adam_update`` (same arguments, same arithmetic)."""
    m *= beta1
    m += (1.0 - beta1) * g
    v *= beta2
    v += (1.0 - beta2) * (g * g)
    p -= step_size * m / (np.sqrt(v) * root_correction + eps)
