"""The hopfield experiment: 5 patterns in 100 units are all recalled from 10% flipped
cues, the energy never rises, and the capacity curve follows the fixed-point theory."""

import numpy as np
import pytest
from scipy.stats import norm

from neurosim import ConfigError, runner

SMALL = {"capacity_counts": "[1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 25, 30]",
         "capacity_flip_fractions": "[0.0]"}


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("hopfield")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment, SMALL)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def hebbian_energy(patterns, states):
    """E = -1/2 s^T W s with W = sum of outer products / count, zero diagonal."""
    weights = patterns.T @ patterns / patterns.shape[0]
    np.fill_diagonal(weights, 0.0)
    return -0.5 * np.einsum("ki,ij,kj->k", states, weights, states)


def test_all_five_patterns_are_recalled_from_ten_percent_noise(results):
    patterns = results["hopfield/patterns"]
    cues = results["hopfield/cues"]
    assert patterns.shape == (5, 100)
    assert set(np.unique(patterns)) == {-1, 1}
    np.testing.assert_array_equal(np.sum(cues != patterns, axis=1), [10] * 5)
    np.testing.assert_array_equal(results["hopfield/recalled"], patterns)
    assert results.metrics["patterns_recalled"] == 5
    assert results.metrics["fraction_recalled"] == 1.0
    for k in range(5):
        attrs = results.attrs[f"hopfield/recall/p{k}"]
        assert attrs["recalled"] and attrs["converged"]


@pytest.mark.parametrize("k", range(5))
def test_energy_never_increases_and_matches_the_definition(results, k):
    energy = results[f"hopfield/recall/p{k}/energy"]
    overlap = results[f"hopfield/recall/p{k}/overlap"]
    sweeps = results.attrs[f"hopfield/recall/p{k}"]["sweeps"]
    assert energy.size == overlap.size == 100 * sweeps + 1
    assert np.max(np.diff(energy)) <= 1e-9
    # at least the 10 flipped units are turned back, each lowering the energy
    assert np.count_nonzero(np.diff(energy) < -1e-9) >= 10
    patterns = results["hopfield/patterns"].astype(float)
    ends = np.stack([results["hopfield/cues"][k], patterns[k]]).astype(float)
    np.testing.assert_allclose(energy[[0, -1]], hebbian_energy(patterns, ends),
                               rtol=1e-12)
    assert overlap[0] == pytest.approx(0.8, abs=1e-12)
    assert overlap[-1] == 1.0
    assert results.metrics["max_energy_increase"] <= 1e-9


def test_capacity_curve_follows_the_fixed_point_probability(results):
    counts = results["hopfield/capacity/counts"]
    fraction = results["hopfield/capacity/fraction"][0]
    n = 100
    # a unit of a stored pattern is stable when the crosstalk, a sum of (P-1)(n-1)
    # independent +-1 terms, exceeds -(n-1); Gaussian approximation, all n units
    theory = norm.cdf(np.sqrt((n - 1) / np.maximum(counts - 1, 1e-12))) ** n
    np.testing.assert_allclose(results["hopfield/capacity/fixed_point_theory"], theory,
                               rtol=1e-12)
    np.testing.assert_array_less(np.abs(fraction - theory), 0.12)
    assert np.all(fraction[counts <= 6] == 1.0)
    assert fraction[counts == 30][0] < 0.15
    assert results.attrs["hopfield/capacity"]["classic_limit"] == pytest.approx(13.8)
    half = results.metrics["half_recall_patterns_flip0"]
    assert 14 < half < 21  # theory: 17.3
    assert results.metrics["half_recall_patterns_theory"] == pytest.approx(17.3, abs=0.3)


def test_bad_capacity_counts_are_refused(experiment):
    with pytest.raises(ConfigError, match="capacity_counts must be .* got \\[0, 5\\]"):
        runner.resolve_config(experiment, {"capacity_counts": "[0, 5]"})
