"""The transformations experiment: rotating a 2-D vector by 60° from A into B.

References: the rotation matrix in closed form; the weights W = diag(α_B) E_B R D_Aᵀ
/ radius and LIF rates G(J) = 1 / (τ_ref − τ_rc ln(1 − 1/J)) formed here with numpy;
the triangle inequality for RMS errors.

Tolerance on the rotated estimate: with 500 LIF neurons in 2-D each population
represents its vector to an RMS error of about 0.004 (decoding x from A, or an exact
R x from B, measured). The estimate from B errs by A's error (rotated: R is an
isometry, so its RMS is unchanged) plus B's decoding error at the slightly wrong
input, so by the triangle inequality at most about 0.004 + 0.004. Seeds 0–5 give
0.0059–0.0068; 0.01 leaves about a third of margin.
"""

import numpy as np
import pytest

import neurosim as ns
from neurosim import ConfigError, Results, runner

from ..lif_reference import lif_rate as G
from .cli import assert_redrawn_alike

RMSE_TOLERANCE = 0.01


def rms(error):
    return float(np.sqrt(np.mean(np.square(error))))


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("transformations")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment)
    assert (config["n_neurons_a"], config["n_neurons_b"]) == (500, 500)
    assert (config["angle_deg"], config["radius"], config["seed"]) == (60.0, 1.0, 0)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def test_rotation_matrix_is_the_closed_form(experiment, results):
    R = results["transformations/rotation/rotation"]
    s = np.sqrt(3.0) / 2.0
    np.testing.assert_allclose(R, [[0.5, -s], [s, 0.5]], rtol=0, atol=1e-15)
    # counter-clockwise: (1, 0) turns to (cos 60°, sin 60°)
    np.testing.assert_allclose(R @ [1.0, 0.0], [0.5, s], atol=1e-15)
    np.testing.assert_allclose(experiment.module.rotation(90.0) @ [1.0, 0.0],
                               [0.0, 1.0], atol=1e-15)
    x = results["transformations/rotation/x"]
    np.testing.assert_allclose(results["transformations/rotation/y_true"], x @ R.T,
                               rtol=0, atol=1e-15)


def test_the_full_weight_pipeline_equals_a_numpy_reference(results):
    """Weights, currents and rates formed here, decoders from the library: the
    experiment's estimate is reproduced to rounding."""
    A = ns.Population(500, 2, seed=0)
    B = ns.Population(500, 2, seed=1)
    R = results["transformations/rotation/rotation"]
    D_A, D_B = A.decoders().D, B.decoders().D
    W = np.diag(B.gain) @ B.encoders @ R @ D_A.T / 1.0
    x = results["transformations/rotation/x"]
    a = G(A.gain * (x @ A.encoders.T) + A.bias)
    y_hat = G(a @ W.T + B.bias) @ D_B
    np.testing.assert_allclose(results["transformations/rotation/y_hat"], y_hat,
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(results["transformations/rotation/x_hat_a"], a @ D_A,
                               rtol=0, atol=1e-9)
    assert np.all(np.linalg.norm(x, axis=1) <= 1.0 + 1e-12)
    assert x.shape == (1000, 2)


def test_factored_form_equals_full_weights(results):
    m = results.metrics
    assert m["max_current_difference"] <= 1e-9
    assert m["max_output_difference"] <= 1e-9
    np.testing.assert_allclose(results["transformations/rotation/y_hat_factored"],
                               results["transformations/rotation/y_hat"], rtol=0,
                               atol=1e-9)
    # decoding R x directly from A: least squares is linear in the targets
    assert m["decoder_linearity"] <= 1e-9


def test_rotated_estimate_is_accurate(results):
    base = "transformations/rotation"
    x, R = results[f"{base}/x"], results[f"{base}/rotation"]
    y_true, y_hat = results[f"{base}/y_true"], results[f"{base}/y_hat"]
    x_hat = results[f"{base}/x_hat_a"]
    m = results.metrics
    assert m["rmse"] == pytest.approx(rms(y_hat - y_true), rel=1e-12)
    assert m["rmse_a"] == pytest.approx(rms(x_hat - x), rel=1e-12)
    assert m["rmse"] <= RMSE_TOLERANCE
    assert m["rmse_a"] < 0.005 and m["rmse_b"] < 0.005
    # triangle inequality: A's error, rotated, plus B's error at its actual input
    b_error = rms(results[f"{base}/y_hat_factored"] - x_hat @ R.T)
    assert rms(x_hat @ R.T - y_true) == pytest.approx(m["rmse_a"], rel=1e-12)
    assert m["rmse"] <= m["rmse_a"] + b_error + 1e-15
    assert m["rmse"] > max(m["rmse_a"], m["rmse_b"])  # two populations err more
    np.testing.assert_allclose(results[f"{base}/error_norm"],
                               np.linalg.norm(y_hat - y_true, axis=1), rtol=1e-12)
    assert abs(m["mean_angle_deg"] - 60.0) < 0.1


def test_a_larger_radius_scales_the_error_exactly(experiment, tmp_path):
    """Radius 2 with the same seeds: the same gains and activities at twice the
    points, decoders twice as large, W unchanged: every estimate doubles."""
    small = {"n_neurons_a": "150", "n_neurons_b": "120", "n_test_points": "300"}
    one = experiment.run(runner.resolve_config(experiment, small), tmp_path / "r1")
    two = experiment.run(runner.resolve_config(experiment, {**small, "radius": "2.0"}),
                         tmp_path / "r2")
    for key in ("x", "y_hat", "x_hat_a", "y_b_only"):
        np.testing.assert_allclose(two[f"transformations/rotation/{key}"],
                                   2.0 * one[f"transformations/rotation/{key}"],
                                   rtol=1e-9, atol=1e-12)
    assert two.metrics["rmse"] == pytest.approx(2.0 * one.metrics["rmse"], rel=1e-9)
    assert np.max(np.linalg.norm(two["transformations/rotation/x"], axis=1)) <= 2.0


def test_a_quarter_turn(experiment, tmp_path):
    config = runner.resolve_config(experiment, {
        "angle_deg": "90.0", "n_neurons_a": "300", "n_neurons_b": "300",
        "n_test_points": "400"})
    results = experiment.run(config, tmp_path)
    x = results["transformations/rotation/x"]
    np.testing.assert_allclose(results["transformations/rotation/y_true"],
                               np.column_stack([-x[:, 1], x[:, 0]]), atol=1e-15)
    assert abs(results.metrics["mean_angle_deg"] - 90.0) < 0.2
    assert results.metrics["rmse"] < 0.02  # 300 neurons each: 0.0083 measured
    assert results.metrics["max_current_difference"] <= 1e-9


@pytest.mark.parametrize("overrides, match", [
    ({"n_neurons_a": "0"}, "n_neurons_a must be >= 1"),
    ({"radius": "-1.0"}, "radius must be > 0"),
    ({"max_rates": "100.0"}, "max_rates must be a list \\[low, high\\]"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("transformations", out=tmp_path / "run", overrides={
        "n_neurons_a": "100", "n_neurons_b": "80", "n_test_points": "200"})
    loaded = Results.load(folder / "results.h5")
    assert loaded.children("transformations/rotation") == [
        "error_norm", "rotation", "x", "x_hat_a", "y_b_only", "y_hat",
        "y_hat_factored", "y_true"]
    assert loaded.attrs["transformations/rotation"]["weights_shape"].tolist() == \
        [80, 100]
    assert_redrawn_alike(folder, ["transformations.png"], tmp_path)
