"""Decoder solvers against problems with known answers."""

import numba
import numpy as np
import pytest
import scipy.optimize

import neurosim as ns
from neurosim.nef import solvers


@pytest.fixture
def full_rank():
    rng = np.random.default_rng(0)
    A = rng.uniform(0.0, 200.0, (300, 40))
    Y = rng.normal(size=(300, 3))
    return A, Y


def test_lstsq_and_svd_agree_with_numpy_on_a_full_rank_problem(full_rank):
    A, Y = full_rank
    expected = np.linalg.lstsq(A, Y, rcond=None)[0]
    for solver in (solvers.lstsq, lambda A, Y, rng: solvers.svd(A, Y, rng, cutoff=0.0),
                   lambda A, Y, rng: solvers.lstsq_l2(A, Y, rng, reg=0.0)):
        D, info = solver(A, Y, None)
        np.testing.assert_allclose(D, expected, rtol=1e-8, atol=1e-12)
        residual = A @ D - Y
        assert info["rmse"] == pytest.approx(np.sqrt(np.mean(residual ** 2)))
        np.testing.assert_allclose(info["rmses"], np.sqrt(np.mean(residual ** 2, axis=0)))


@pytest.mark.parametrize("reg", [1e-4, 0.1])
def test_lstsq_l2_is_ridge_with_sigma_a_fraction_of_the_max_rate(full_rank, reg):
    A, Y = full_rank
    sigma = reg * A.max()
    expected = np.linalg.solve(A.T @ A + A.shape[0] * sigma ** 2 * np.eye(A.shape[1]),
                               A.T @ Y)
    D, info = solvers.lstsq_l2(A, Y, reg=reg)
    np.testing.assert_allclose(D, expected, rtol=0, atol=1e-9 * np.abs(expected).max())
    assert info["sigma"] == pytest.approx(sigma)


@pytest.fixture(scope="module")
def population_problem():
    pop = ns.Population(600, 1, seed=5)
    points = pop.eval_points(1200)
    A = pop.rates(points)
    Y = np.column_stack([points[:, 0], points[:, 0] ** 2, np.zeros(1200)])
    ridge = A.shape[0] * (0.1 * A.max()) ** 2
    exact = np.linalg.solve(A.T @ A + ridge * np.eye(600), A.T @ Y)
    return A, Y, ridge, exact


def test_pcg_reaches_the_exact_ridge_solution(population_problem):
    A, Y, ridge, exact = population_problem
    D, info = solvers.lstsq_l2(A, Y, np.random.default_rng(1), reg=0.1, method="pcg")
    assert info["method"] == "pcg" and info["iterations"] <= 30
    np.testing.assert_allclose(D, exact, rtol=0, atol=1e-6 * np.abs(exact).max())
    assert not D[:, 2].any()  # a zero target gives zero decoders

    def loss(d):
        return np.sum((A @ d - Y) ** 2) + ridge * np.sum(d ** 2)

    assert loss(D) == pytest.approx(loss(exact), rel=1e-12)


def test_auto_method_uses_pcg_for_large_populations(population_problem, monkeypatch):
    A, Y, _, exact = population_problem
    _, info = solvers.lstsq_l2(A, Y)
    assert info["method"] == "cholesky"  # 600 neurons: below the threshold
    monkeypatch.setattr(solvers, "PCG_MIN_NEURONS", 600)
    D, info = solvers.lstsq_l2(A, Y)
    assert info["method"] == "pcg"
    np.testing.assert_allclose(D, exact, rtol=0, atol=1e-6 * np.abs(exact).max())


def test_pcg_falls_back_to_cholesky_when_the_ridge_is_too_small(full_rank):
    A, Y = full_rank  # 40 neurons: a sketch of 32 would exceed N/8
    D, info = solvers.lstsq_l2(A, Y, reg=1e-4, method="pcg")
    assert info["method"] == "cholesky"
    ridge = A.shape[0] * (1e-4 * A.max()) ** 2
    expected = np.linalg.solve(A.T @ A + ridge * np.eye(40), A.T @ Y)
    np.testing.assert_allclose(D, expected, rtol=0, atol=1e-9 * np.abs(expected).max())
    rng = np.random.default_rng(3)
    wide = rng.uniform(0, 1, (2000, 800))  # many eigenvalues above a small ridge
    assert solvers.ridge_pcg(wide, rng.normal(size=(2000, 1)), 1e-6, rng) == (None, 0)


def test_gram_times_is_the_product_and_independent_of_the_thread_count():
    rng = np.random.default_rng(6)
    A = rng.uniform(0, 100, (700, 90))
    V = rng.normal(size=(2, 90))
    product = solvers.gram_times(A, V)
    np.testing.assert_allclose(product, (A.T @ (A @ V.T)).T, rtol=1e-12)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        np.testing.assert_array_equal(solvers.gram_times(A, V), product)
    finally:
        numba.set_num_threads(threads)


def test_svd_cutoff_truncates_small_singular_values():
    rng = np.random.default_rng(1)
    U = np.linalg.qr(rng.normal(size=(100, 5)))[0]
    V = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    A = U @ np.diag([10.0, 5.0, 1.0, 1e-6, 1e-8]) @ V.T
    Y = A @ rng.normal(size=(5, 1)) + 1e-4 * rng.normal(size=(100, 1))
    D, info = solvers.svd(A, Y, cutoff=1e-3)
    assert info["rank"] == 3
    # the pseudo-inverse of the three kept directions, nothing along the other two
    np.testing.assert_allclose(D, V[:, :3] @ ((U[:, :3].T @ Y) / [[10.0], [5.0], [1.0]]),
                               rtol=1e-9)
    assert np.abs(V[:, 3:].T @ D).max() < 1e-12
    untruncated, _ = solvers.svd(A, Y, cutoff=0.0)  # the noise, divided by 1e-8
    assert np.linalg.norm(untruncated) > 100 * np.linalg.norm(D)


def test_nnls_is_non_negative_and_matches_scipy(full_rank):
    A, Y = full_rank
    D, _ = solvers.nnls(A, Y)
    assert np.all(D >= 0)
    for j in range(Y.shape[1]):
        np.testing.assert_allclose(D[:, j], scipy.optimize.nnls(A, Y[:, j])[0],
                                   rtol=1e-8, atol=1e-12)
    D_reg, _ = solvers.nnls(A, Y, reg=0.1)
    assert np.all(D_reg >= 0) and np.linalg.norm(D_reg) < np.linalg.norm(D)


def test_blocked_gram_equals_the_dense_product():
    rng = np.random.default_rng(2)
    x = np.sort(rng.uniform(-1, 1, 3000))
    onsets = rng.uniform(-1, 1, 400)
    rising = rng.random(400) < 0.5
    A = np.where(rising, np.maximum(x[:, None] - onsets, 0), np.maximum(onsets - x[:, None], 0))
    A[:, 7] = 0.0  # a silent neuron
    gram, order = solvers.gram_matrix(A)
    assert not np.array_equal(order, np.arange(400))  # the structured path ran
    exact = (A.T @ A)[np.ix_(order, order)]
    np.testing.assert_allclose(gram, exact, rtol=1e-12, atol=1e-9)
    dense = rng.uniform(1, 2, (5000, 30))
    gram, order = solvers.gram_matrix(dense)
    np.testing.assert_array_equal(order, np.arange(30))
    np.testing.assert_allclose(gram, dense.T @ dense, rtol=1e-13)


def test_column_support_finds_each_columns_run():
    A = np.zeros((10, 4))
    A[3:7, 0] = 1.0
    A[:5, 1] = 2.0
    A[9, 2] = 3.0
    lo, hi = solvers.column_support(A)
    np.testing.assert_array_equal(lo, [3, 0, 9, 0])
    np.testing.assert_array_equal(hi, [7, 5, 10, 0])


def test_bad_inputs():
    with pytest.raises(ValueError, match="Y must have one row per row of A"):
        solvers.lstsq(np.ones((5, 2)), np.ones(4))
    with pytest.raises(ValueError, match="reg must be >= 0"):
        solvers.lstsq_l2(np.ones((5, 2)), np.ones(5), reg=-1)
    with pytest.raises(np.linalg.LinAlgError, match="use reg > 0"):
        solvers.lstsq_l2(np.zeros((5, 2)), np.ones(5), reg=0.0)
    with pytest.raises(ValueError, match="method must be 'auto', 'cholesky' or 'pcg'"):
        solvers.lstsq_l2(np.ones((5, 2)), np.ones(5), method="qr")
    with pytest.raises(ValueError, match="solver must be one of"):
        solvers.resolve("magic", None)
    with pytest.raises(ValueError, match="reg is not used by solver 'svd'"):
        solvers.resolve("svd", 0.1)
