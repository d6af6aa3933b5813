"""McCulloch–Pitts units, the perceptron rule on logic gates, and an MLP for XOR."""

import numpy as np
import pytest

import neurosim.ann as nn


@pytest.mark.parametrize("gate, weights, threshold", [
    ("and", [1, 1], 2), ("or", [1, 1], 1), ("not", [-1], 0), ("nor", [-1, -1], 0)])
def test_mcculloch_pitts_units_compute_gates(gate, weights, threshold):
    X, y = nn.logic_gate(gate)
    np.testing.assert_array_equal(nn.McCullochPitts(weights, threshold)(X), y)


@pytest.mark.parametrize("gate", ["and", "or", "not", "nand", "nor"])
def test_perceptron_learns_linearly_separable_gates(gate):
    X, y = nn.logic_gate(gate)
    result = nn.train_perceptron(X, y)
    assert result.converged and result.errors[-1] == 0
    assert result.epochs == len(result.errors) <= 10
    np.testing.assert_array_equal(result.predict(X), y)


def test_perceptron_on_and_follows_the_rule_by_hand():
    # zero start, samples in order (00, 01, 10, 11), lr = 1, output 1 when w.x + b >= 0:
    # epoch 1: 00 -> 1 (want 0): b = -1; 01 -> 0 ok; 10 -> 0 ok; 11 -> 0 (want 1):
    #          w = (1, 1), b = 0
    result = nn.train_perceptron(*nn.logic_gate("and"), max_epochs=1)
    np.testing.assert_array_equal(result.weights, [1.0, 1.0])
    assert result.bias == 0.0 and result.errors == [2] and not result.converged


def test_perceptron_reports_that_xor_never_converges():
    X, y = nn.logic_gate("xor")
    result = nn.train_perceptron(X, y, max_epochs=1000)
    assert not result.converged
    assert result.epochs < 20  # the weight cycle is detected, not run to max_epochs
    assert "cycles for ever" in result.message and "not linearly separable" in result.message
    assert min(result.errors) >= 1
    assert np.sum(result.predict(X) == y) <= 3


def test_perceptron_stops_at_max_epochs_with_a_message():
    X, y = nn.logic_gate("xor")
    result = nn.train_perceptron(X, y, max_epochs=2)
    assert not result.converged and result.epochs == 2
    assert "within max_epochs=2" in result.message


def test_mlp_solves_xor():
    model, history = nn.train_xor_mlp(rng=np.random.default_rng(0))
    X, y = nn.logic_gate("xor")
    logits = nn.predict(model, X)[:, 0]
    np.testing.assert_array_equal(logits > 0, y.astype(bool))
    assert history["loss"][-1] < 0.05 and history["accuracy"][-1] == 1.0
