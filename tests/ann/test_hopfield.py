"""Hopfield storage, recall from noisy cues, energy descent and capacity."""

import numpy as np
import pytest

import neurosim.ann as nn


@pytest.fixture
def stored():
    rng = np.random.default_rng(0)
    patterns = nn.random_patterns(5, 100, rng=rng)
    return nn.Hopfield(patterns), patterns, rng


def test_hebbian_weights(stored):
    net, patterns, _ = stored
    expected = sum(np.outer(p, p) for p in patterns) / 5
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(net.weights, expected, rtol=1e-15)
    np.testing.assert_array_equal(net.weights, net.weights.T)


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_recalls_every_pattern_from_ten_percent_flipped_bits(stored, mode):
    net, patterns, rng = stored
    cues = nn.flip_bits(patterns, 0.1, rng=rng)
    assert np.all(np.sum(cues != patterns, axis=1) == 10)
    for cue, pattern in zip(cues, patterns, strict=True):
        result = net.recall(cue, mode=mode, rng=rng)
        assert result.converged
        np.testing.assert_array_equal(result.state, pattern)


def test_asynchronous_energy_never_increases_step_by_step(stored):
    net, patterns, rng = stored
    cue = nn.flip_bits(patterns[2], 0.3, rng=rng)
    result = net.recall(cue, rng=rng, record=True)
    states = result.trajectory
    assert states.shape == (result.sweeps * 100 + 1, 100)
    energies = np.array([-0.5 * s @ net.weights @ s for s in states])
    np.testing.assert_allclose(net.energy(states), energies, rtol=1e-12, atol=1e-12)
    steps = np.diff(energies)
    assert np.all(steps <= 1e-12), f"energy rose by {steps.max()}"
    assert np.any(steps < 0)
    assert np.sum(np.any(np.diff(states, axis=0) != 0, axis=1)) >= 1
    assert net.energy(result.state) == pytest.approx(energies[-1])
    assert net.energy(result.state) < net.energy(cue)


def test_synchronous_update_can_end_in_a_two_cycle():
    net = nn.Hopfield(np.array([[1.0, -1.0]]))
    result = net.recall(np.array([1.0, 1.0]), mode="sync", max_sweeps=10, record=True)
    assert not result.converged
    np.testing.assert_array_equal(result.trajectory[1], [-1.0, -1.0])
    np.testing.assert_array_equal(result.trajectory[2], [1.0, 1.0])


def test_capacity_curve_falls_past_about_0_14_n():
    fractions = nn.capacity_curve(100, [2, 5, 40], rng=np.random.default_rng(1), trials=3,
                                  flip_fraction=0.05)
    assert fractions[0] == 1.0 and fractions[1] == 1.0
    assert fractions[2] < 0.3
