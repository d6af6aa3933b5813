"""The compiled Adam kernel equals its numpy twin."""

import numpy as np

from neurosim.ann.kernels import adam_update, adam_update_numpy


def test_adam_kernel_matches_numpy_twin():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=1000), rng.normal(size=1000), rng.normal(size=1000) * 0.1,
              rng.uniform(0, 0.1, 1000)]
    compiled = [a.copy() for a in arrays]
    twin = [a.copy() for a in arrays]
    for t in (1, 2, 3):
        args = (0.01 / (1 - 0.9 ** t), 0.9, 0.999, 1 / np.sqrt(1 - 0.999 ** t), 1e-8)
        adam_update(*compiled, *args)
        adam_update_numpy(*twin, *args)
    for c, n in zip(compiled, twin, strict=True):
        np.testing.assert_allclose(c, n, rtol=1e-14, atol=1e-17)
    assert not np.array_equal(compiled[0], arrays[0])
