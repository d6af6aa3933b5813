"""The xor-perceptron experiment: the perceptron rule solves AND, OR and NOT, fails on
XOR, and a 2-layer MLP solves XOR; the stored decision grids are the classifiers'."""

import numpy as np
import pytest

import neurosim.ann as nn
from neurosim import ConfigError, Results, runner

from .cli import assert_redrawn_alike

TRUTH = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "not": [1, 0], "xor": [0, 1, 1, 0]}


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("xor-perceptron")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


@pytest.mark.parametrize("gate", ["and", "or", "not"])
def test_perceptron_solves_the_separable_gates(results, gate):
    base = f"logic/perceptron/{gate}"
    assert results.attrs[base]["converged"]
    assert results.metrics[f"perceptron_{gate}_converged"] == 1
    assert results.metrics[f"perceptron_{gate}_accuracy"] == 1.0
    X, w, b = results[f"{base}/X"], results[f"{base}/weights"], results[f"{base}/bias"][0]
    np.testing.assert_array_equal((X @ w + b >= 0).astype(int), TRUTH[gate])
    errors = results[f"{base}/errors"]
    assert errors[-1] == 0 and np.all(errors[:-1] > 0)
    assert results.attrs[base]["epochs"] == errors.size


def test_or_follows_the_hand_traced_rule(results):
    # zero start, lr = 1, rows (0,0) (0,1) (1,0) (1,1): traced by hand, epoch by epoch
    np.testing.assert_array_equal(results["logic/perceptron/or/errors"], [2, 2, 1, 0])
    np.testing.assert_array_equal(results["logic/perceptron/or/weights"], [1.0, 1.0])
    assert results["logic/perceptron/or/bias"][0] == -1.0


def test_perceptron_fails_on_xor_and_says_so(results):
    attrs = results.attrs["logic/perceptron/xor"]
    assert not attrs["converged"]
    assert "not linearly separable" in attrs["message"]
    assert attrs["epochs"] < 100  # the cycle is detected, not waited out
    assert results.metrics["perceptron_xor_converged"] == 0
    # no line separates XOR: any threshold unit gets at most 3 of the 4 rows right
    assert results.metrics["perceptron_xor_accuracy"] <= 0.75
    assert np.all(results["logic/perceptron/xor/errors"] > 0)


@pytest.mark.parametrize("gate", ["and", "or", "xor"])
def test_stored_grid_is_the_units_threshold_rule(results, gate):
    x1, x2 = results["logic/grid/x1"], results["logic/grid/x2"]
    assert x1.size == 201 and x1[0] == -0.5 and x1[-1] == 1.5
    w, b = results[f"logic/perceptron/{gate}/weights"], \
        results[f"logic/perceptron/{gate}/bias"][0]
    expected = (w[0] * x1[None, :] + w[1] * x2[:, None] + b >= 0).astype(int)
    np.testing.assert_array_equal(results[f"logic/perceptron/{gate}/grid_output"],
                                  expected)


def test_mlp_solves_xor_on_all_four_points(results):
    np.testing.assert_array_equal(results["logic/mlp_xor/predicted"], TRUTH["xor"])
    assert results.metrics["mlp_xor_accuracy"] == 1.0
    assert results.metrics["mlp_xor_final_loss"] < 0.01
    # the grid says the same at the truth-table corners (rows index x2, columns x1)
    x = results["logic/grid/x1"]
    zero, one = np.argmin(np.abs(x)), np.argmin(np.abs(x - 1.0))
    logits = results["logic/mlp_xor/grid_logit"]
    corners = np.array([logits[zero, zero], logits[one, zero], logits[zero, one],
                        logits[one, one]])
    np.testing.assert_array_equal((corners > 0).astype(int), [0, 1, 1, 0])


def test_saved_mlp_reloads_from_the_file_and_redraws_identically(tmp_path):
    folder = runner.run("xor-perceptron", {"grid_points": "41"}, out=tmp_path / "run")
    loaded = Results.load(folder / "results.h5")
    model, history = nn.load_model(loaded, "xor_mlp")
    x = loaded["logic/grid/x1"]
    plane = np.column_stack([a.ravel() for a in np.meshgrid(x, x)])
    np.testing.assert_array_equal(nn.predict(model, plane)[:, 0].reshape(41, 41),
                                  loaded["logic/mlp_xor/grid_logit"])
    assert len(history["loss"]) == 500
    assert_redrawn_alike(folder, ["decision_boundaries.png", "perceptron_learning.png"],
                         tmp_path)


def test_unknown_gate_is_refused(experiment):
    with pytest.raises(ConfigError, match="gates must name gates .* got 'xnor'"):
        runner.resolve_config(experiment, {"gates": "and,xnor"})
