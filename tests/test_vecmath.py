"""vexp: a vectorisable exp within 1 ulp of numpy's."""

import numpy as np
from numba import njit

from neurosim.vecmath import vexp


@njit
def _apply(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = vexp(x[i])
    return out


def test_matches_numpy_exp_to_one_ulp():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-708, 709, 200_000), rng.uniform(-1, 1, 100_000),
                        [0.0, -0.0, 1.0, -1.0, 709.0, -708.0, 1e-300, 0.5 * np.log(2)]])
    ours, ref = _apply(x), np.exp(x)
    assert np.max(np.abs(ours - ref) / ref) <= 1.0 * np.finfo(float).eps
    assert _apply(np.array([0.0]))[0] == 1.0


def test_out_of_range_is_clamped_and_nan_propagates():
    out = _apply(np.array([1000.0, -1000.0, np.inf, -np.inf, np.nan]))
    np.testing.assert_allclose(out[:4], np.exp([709.0, -708.0, 709.0, -708.0]),
                               rtol=1e-15)
    assert np.isnan(out[4])
