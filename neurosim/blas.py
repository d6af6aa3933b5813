"""One BLAS thread for a block of code, so that its results do not depend on how
many threads BLAS would otherwise use.

OpenBLAS splits matrix products and factorisations between its threads in ways that
change the order of their sums (Cholesky on every kernel; products on some), so the
same solve gives different last bits with 1 and with 2 threads. A sweep's points run
inside ``single_thread`` whatever executor runs them, so that serial, process-pool and
Dask sweeps give the same bits.

The OpenBLAS copies that numpy and scipy loaded are found by their exported
``*_set_num_threads`` functions (pip wheels: ``scipy_openblas``; system builds:
``openblas``). Other BLAS libraries are left as they are (``single_thread`` then
returns False): set their thread count in the environment (e.g. ``MKL_NUM_THREADS=1``).
"""

from __future__ import annotations

import ctypes
import glob
import os
from contextlib import contextmanager
from functools import cache
from pathlib import Path

#: (getter, setter) names of OpenBLAS builds: numpy's 64-bit-integer wheel copy,
#: scipy's 32-bit one, and plain system builds.
_CONTROLS = (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
             ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
             ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
             ("openblas_get_num_threads", "openblas_set_num_threads"))


def _loaded_paths() -> list[str]:
    """Paths of the OpenBLAS libraries in this process (after numpy and scipy's
    linear algebra are imported)."""
    import numpy
    import scipy.linalg  # noqa: F401  (loads scipy's own BLAS)

    maps = Path("/proc/self/maps")
    if maps.exists():
        paths = {line.split()[-1] for line in maps.read_text().splitlines()
                 if "openblas" in line.lower() and line.split()[-1].startswith("/")}
        return sorted(paths)
    found = []
    for package in (numpy, scipy):
        root = Path(package.__file__).parent
        for pattern in (f"{root}.libs/*openblas*", f"{root}/.dylibs/*openblas*"):
            found += glob.glob(pattern)
    return sorted(found)


@cache
def _controls() -> tuple:
    """(get, set) ctypes function pairs, one per OpenBLAS copy found."""
    pairs = []
    for path in _loaded_paths():
        try:
            lib = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_LAZY) \
                if hasattr(os, "RTLD_NOLOAD") else ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _CONTROLS:
            if hasattr(lib, get_name) and hasattr(lib, set_name):
                get, put = getattr(lib, get_name), getattr(lib, set_name)
                get.restype = ctypes.c_int
                get.argtypes = []
                put.restype = None
                put.argtypes = [ctypes.c_int]
                pairs.append((get, put))
                break
    return tuple(pairs)


@contextmanager
def single_thread():
    """Run the block with every OpenBLAS copy on one thread, restoring the counts
    after; yields whether any copy was found (False: the thread count is the
    environment's)."""
    controls = _controls()
    before = [get() for get, _ in controls]
    for _, put in controls:
        put(1)
    try:
        yield bool(controls)
    finally:
        for (_, put), count in zip(controls, before):
            put(count)
