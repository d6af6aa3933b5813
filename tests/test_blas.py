"""One BLAS thread on demand: the same bits as a process started with one."""

import hashlib
import os
import subprocess
import sys

import numpy as np
import scipy.linalg

from neurosim import blas

CHOLESKY = """
import hashlib, numpy as np, scipy.linalg
rng = np.random.default_rng(0)
A = np.maximum(rng.standard_normal((600, 300)), 0.0)
G = A.T @ A + 300.0 * np.eye(300)
print(hashlib.sha1(scipy.linalg.cho_factor(G)[0].tobytes()).hexdigest())
"""


def _in_process():
    rng = np.random.default_rng(0)
    A = np.maximum(rng.standard_normal((600, 300)), 0.0)
    G = A.T @ A + 300.0 * np.eye(300)
    return hashlib.sha1(scipy.linalg.cho_factor(G)[0].tobytes()).hexdigest()


def test_single_thread_gives_the_bits_of_a_one_thread_process_and_restores():
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    alone = subprocess.run([sys.executable, "-c", CHOLESKY], env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    before = [get() for get, _ in blas._controls()]
    with blas.single_thread() as pinned:
        assert pinned  # the pip wheels' OpenBLAS is found
        assert all(get() == 1 for get, _ in blas._controls())
        assert _in_process() == alone
    assert [get() for get, _ in blas._controls()] == before
