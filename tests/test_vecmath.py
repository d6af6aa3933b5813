"""vexp and vlog: vectorisable exp and log within 1 ulp of numpy's."""

import numpy as np
from numba import njit

from neurosim.vecmath import vexp, vlog


def _elementwise(f):
    """A compiled loop applying the scalar ``f`` to every entry of an array."""
    @njit
    def apply(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = f(x[i])
        return out
    return apply


_apply, _apply_log = _elementwise(vexp), _elementwise(vlog)


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


def test_vlog_matches_numpy_log_to_one_ulp():
    rng = np.random.default_rng(0)
    x = np.concatenate([np.exp(rng.uniform(-700, 700, 200_000)),
                        rng.uniform(0.5, 2.0, 100_000), 1.0 + rng.uniform(0, 1e-6, 10_000),
                        [1.0, 2.0, 0.5, np.sqrt(2), np.nextafter(np.sqrt(2), 3.0),
                         np.nextafter(1.0, 2.0), 2.3e-308, 1.7e308]])
    ours, ref = _apply_log(x), np.log(x)
    assert np.all(np.abs(ours - ref) <= np.spacing(np.abs(ref)))
    assert _apply_log(np.array([1.0]))[0] == 0.0
