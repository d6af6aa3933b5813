"""Connection weights between populations (NEF transformations).

To compute y = L f(x) from population A (representing x) into population B, the
post-synaptic current of neuron j of B is

    J_j = α_j (e_j · L f̂(x) / radius_B) + β_j,   f̂(x) = a(x) D_A

so the weight from neuron i of A to neuron j of B is

    W_ji = α_j (e_j / radius_B) · L d_i ,   i.e.  W = diag(α_B) E_B L D_Aᵀ / radius_B.

The simulator keeps this factored (decode, transform, encode: O(N d) per step);
``full_weights`` forms W (M × N) for users who want the neuron-to-neuron matrix.
"""

from __future__ import annotations

import numpy as np

from ..validation import as_array
from .population import Population


def transform_matrix(transform, size_in: int, size_out: int | None = None) -> np.ndarray:
    """``transform`` as a (size_out, size_in) matrix: a scalar scales the identity."""
    L = as_array("transform", transform)
    if L.ndim == 0:
        return float(L) * np.eye(size_in if size_out is None else size_out, size_in)
    if L.ndim == 1 and L.shape[0] == size_in and (size_out in (None, size_in)):
        return np.diag(L)
    if L.ndim != 2 or L.shape[1] != size_in or (size_out is not None
                                                 and L.shape[0] != size_out):
        want = f"({size_out if size_out is not None else 'k'}, {size_in})"
        raise ValueError(f"transform must be a scalar or a matrix of shape {want}, got "
                         f"shape {L.shape}")
    return L


def encoding_matrix(post: Population) -> np.ndarray:
    """diag(α) E / radius of ``post``: from a represented vector to currents (M, d)."""
    return post.gain[:, None] * post.encoders / post.radius


def full_weights(decoders: np.ndarray, post: Population, transform=1.0) -> np.ndarray:
    """Neuron-to-neuron weights W (M, N) from decoders D (N, L) of the pre population
    into ``post`` through ``transform`` (post.dimensions × L)."""
    D = as_array("decoders", decoders, ndim=2)
    L = transform_matrix(transform, D.shape[1], post.dimensions)
    return encoding_matrix(post) @ L @ D.T
