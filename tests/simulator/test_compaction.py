"""Compaction of flags into indices: each version against ``np.flatnonzero``."""

import os
from pathlib import Path

import numpy as np
import pytest

from neurosim import compaction

VERSIONS = [compaction.compact_plain, compaction.compact]
if compaction.HAS_AVX512:
    VERSIONS.append(compaction.compact_avx512)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda f: f.__name__)
def test_lists_the_set_flags_in_order(version):
    rng = np.random.default_rng(0)
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 63, 1000, 10001]:
        for density in [0.0, 0.11, 0.5, 1.0]:
            flags = rng.random(n) < density
            idx = np.full(n, -7, np.int64)
            count = version(flags, 123, idx)
            assert count == flags.sum()
            np.testing.assert_array_equal(idx[:count], 123 + np.flatnonzero(flags))


@pytest.mark.parametrize("version", VERSIONS, ids=lambda f: f.__name__)
def test_writes_nothing_past_the_flags(version):
    rng = np.random.default_rng(1)
    for n in [5, 8, 13, 64]:
        flags = rng.random(n) < 0.5
        idx = np.full(n + 16, -7, np.int64)
        version(flags, 0, idx[:n])
        assert np.all(idx[n:] == -7)


def test_avx512_is_used_exactly_where_the_cpu_has_it():
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists() or "NUMBA_CPU_FEATURES" in os.environ \
            or "NUMBA_ENABLE_AVX" in os.environ:
        pytest.skip("needs Linux's /proc/cpuinfo and numba's default target")
    has = any(line.startswith("flags") and " avx512f" in line
              for line in cpuinfo.read_text().splitlines())
    assert compaction.HAS_AVX512 == has
    assert (compaction.compact is compaction.compact_avx512) == has
