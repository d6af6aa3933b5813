"""Distributions: shapes, ranges, determinism, and even spread."""

import numpy as np
import pytest
from scipy.stats import kstest

import neurosim as ns
from neurosim.nef.dists import as_samples


def rng(seed=0):
    return np.random.default_rng(seed)


def test_uniform_and_gaussian_match_their_distributions():
    u = ns.Uniform(-2.0, 3.0).sample(20000, rng=rng())
    assert u.min() >= -2.0 and u.max() < 3.0
    assert kstest(u, "uniform", args=(-2.0, 5.0)).pvalue > 1e-3
    g = ns.Gaussian(1.0, 0.5).sample(20000, rng=rng())
    assert kstest(g, "norm", args=(1.0, 0.5)).pvalue > 1e-3
    assert ns.Uniform(0, 1).sample(3, 2, rng=rng()).shape == (3, 2)


def test_same_seed_same_samples():
    for dist in (ns.Uniform(0, 1), ns.Gaussian(0, 1), ns.UniformHypersphere(),
                 ns.QuasirandomHypersphere(surface=True)):
        np.testing.assert_array_equal(dist.sample(50, 3, rng=rng(7)),
                                      dist.sample(50, 3, rng=rng(7)))


def test_choice_draws_rows_with_weights():
    c = ns.Choice([[1.0, 0.0], [0.0, 1.0]], weights=[3, 1])
    picks = c.sample(8000, 2, rng=rng())
    assert np.mean(picks[:, 0]) == pytest.approx(0.75, abs=0.02)
    with pytest.raises(ValueError, match="weights must be 2 non-negative"):
        ns.Choice([1.0, 2.0], weights=[1.0])


@pytest.mark.parametrize("dist", [ns.UniformHypersphere, ns.QuasirandomHypersphere])
@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_hypersphere_surface_and_ball(dist, d):
    surface = dist(surface=True).sample(2000, d, rng=rng())
    np.testing.assert_allclose(np.linalg.norm(surface, axis=1), 1.0, atol=1e-12)
    ball = dist().sample(4000, d, rng=rng())
    radii = np.linalg.norm(ball, axis=1)
    assert radii.max() <= 1.0
    # uniform in the ball: P(r <= s) = s^d
    assert kstest(radii ** d, "uniform").pvalue > 1e-3


def test_quasirandom_points_are_spread_more_evenly_than_random_ones():
    def worst_gap(points):  # largest empty cap around a probe direction
        probes = ns.UniformHypersphere(surface=True).sample(2000, 3, rng=rng(9))
        return np.max(np.min(np.linalg.norm(probes[:, None] - points[None], axis=2),
                             axis=1))
    even = ns.QuasirandomHypersphere(surface=True).sample(256, 3, rng=rng())
    random = ns.UniformHypersphere(surface=True).sample(256, 3, rng=rng())
    assert worst_gap(even) < 0.8 * worst_gap(random)
    line = ns.QuasirandomHypersphere().sample(100, 1, rng=rng())
    assert np.max(np.diff(np.sort(line[:, 0]))) < 2 * 2.0 / 100


def test_bad_arguments():
    with pytest.raises(ValueError, match="high >= low"):
        ns.Uniform(1.0, 0.0)
    with pytest.raises(ValueError, match="std must be >= 0"):
        ns.Gaussian(0.0, -1.0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        ns.Uniform(0, 1).sample(3, rng=3)
    with pytest.raises(ValueError, match=r"max_rates must be a Distribution, a number or "
                       r"an array of shape \(4,\)"):
        as_samples("max_rates", [1.0, 2.0], 4, None, rng())
