"""The decoders experiment: decoding error falls with N and meets the NEF targets.

Targets (RMS error on 1000 held-out points, rate tuning curves): from 1000 LIF
neurons x ≤ 0.0025 and x² ≤ 0.006 (1-D) and x₀·x₁ ≤ 0.006 (2-D, unit disc); from
200 Hodgkin–Huxley neurons x ≤ 0.02. The reference: ridge regression solved here
with numpy on LIF tuning curves from the course's rate formula.
"""

import numpy as np
import pytest

import neurosim as ns
from neurosim import ConfigError, Results, runner

from ..lif_reference import lif_rate as G
from .cli import assert_redrawn_alike

SMALL = {"n_neurons": "10, 100, 1000", "n_neurons_spiking": "10, 100",
         "n_neurons_hh": "20, 200", "n_seeds": "1", "n_test_points_spiking": "200"}
FUNCTIONS = {"x": lambda X: X[:, 0], "x2": lambda X: X[:, 0] ** 2,
             "product": lambda X: X[:, 0] * X[:, 1]}


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("decoders")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment, SMALL)
    assert config["n_test_points"] >= 1000 and config["reg"] == 0.1
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def test_defaults_sweep_10_to_2000_lif_neurons_over_three_seeds(experiment):
    config = runner.resolve_config(experiment)
    assert config["n_neurons"] == [10, 20, 50, 100, 200, 500, 1000, 2000]
    assert config["n_neurons_spiking"] == [10, 20, 50, 100, 200]
    assert config["n_neurons_hh"] == [10, 20, 50, 100, 200, 500]
    assert (config["n_seeds"], config["n_seeds_spiking"]) == (3, 1)
    assert (config["n_test_points"], config["shown_neurons"]) == (1000, 1000)


def test_nef_targets_hold(results):
    m = results.metrics
    assert m["rmse_lif_x_N1000"] <= 0.0025
    assert m["rmse_lif_x2_N1000"] <= 0.006
    assert m["rmse_lif_product_N1000"] <= 0.006
    assert m["rmse_hh_x_N200"] <= 0.02


@pytest.mark.parametrize("mode", ["lif", "lif_spiking", "hh"])
@pytest.mark.parametrize("function", ["x", "x2", "product"])
def test_error_falls_with_n(results, mode, function):
    base = f"decoders/{mode}/{function}"
    n = results[f"{base}/n_neurons"]
    for key in ("rmse", "rmse_fit") + (("rmse_spikes",) if mode == "lif_spiking"
                                       else ()):
        rmse = results[f"{base}/{key}"].mean(axis=0)
        assert rmse.shape == n.shape
        assert np.all(np.diff(rmse) < 0), (key, rmse)
    for j, size in enumerate(n):
        assert results.metrics[f"rmse_{mode}_{function}_N{size}"] == \
            results[f"{base}/rmse"][:, j].mean()


@pytest.mark.parametrize("function, low", [("x", 0.8), ("x2", 0.8), ("product", 0.6)])
def test_lif_distortion_falls_about_as_one_over_n(results, function, low):
    """Decoded from noise-free tuning curves, the error falls by close to a factor
    of 10 from N = 100 to 1000 (distortion error ~ 1/N), much faster than the
    sqrt(10) of noise-limited decoding; slower in 2-D, never faster than 1/N."""
    base = f"decoders/lif/{function}"
    n = list(results[f"{base}/n_neurons"])
    rmse = results[f"{base}/rmse"][0]
    decades = np.log10(rmse[n.index(100)] / rmse[n.index(1000)])
    assert low < decades < 1.1, decades
    assert results.metrics[f"slope_lif_{function}"] < -0.6


def test_errors_equal_a_numpy_ridge_solve_on_the_rate_formula(results):
    """N = 100 LIF, seed 0: decoders solved here from (AᵀA + P σ² I) D = AᵀY with
    σ = 0.1 max A, A from G(J) on the stored gain, bias and encoders."""
    pop = ns.Population(100, 1, seed=0)
    fit = pop.eval_points()
    test = pop.eval_points(1000, stream=5)
    rates = [G(pop.gain * (X @ pop.encoders.T) + pop.bias) for X in (fit, test)]
    A, A_test = rates
    sigma = 0.1 * A.max()
    Y = np.column_stack([fit[:, 0], fit[:, 0] ** 2])
    D = np.linalg.solve(A.T @ A + A.shape[0] * sigma ** 2 * np.eye(100), A.T @ Y)
    error = A_test @ D - np.column_stack([test[:, 0], test[:, 0] ** 2])
    expected = np.sqrt(np.mean(error ** 2, axis=0))
    j = list(results["decoders/lif/x/n_neurons"]).index(100)
    assert results["decoders/lif/x/rmse"][0, j] == pytest.approx(expected[0], rel=1e-6)
    assert results["decoders/lif/x2/rmse"][0, j] == pytest.approx(expected[1], rel=1e-6)
    fit_error = A @ D - Y
    assert results["decoders/lif/x/rmse_fit"][0, j] == pytest.approx(
        np.sqrt(np.mean(fit_error[:, 0] ** 2)), rel=1e-6)


def test_joint_x_and_square_decoding_equals_separate_solves(results):
    """Ridge regression treats each output on its own: the x² column of the joint
    solve equals decoding np.square alone (the library's rmse_test)."""
    pop = ns.Population(1000, 1, seed=0)
    alone = pop.decoders(np.square, n_test_points=1000)
    assert results.metrics["rmse_lif_x2_N1000"] == pytest.approx(alone.rmse_test,
                                                                 rel=1e-9)


def test_stored_estimates_are_the_decoded_values(results):
    for mode, n in (("lif", 1000), ("lif_spiking", 100), ("hh", 200)):
        for function, f in FUNCTIONS.items():
            base = f"decoders/{mode}/{function}"
            assert results.attrs[base]["shown_neurons"] == n
            x = results[f"{base}/estimates/x"]
            assert x.shape == (1000, 2 if function == "product" else 1)
            assert np.all(np.linalg.norm(x, axis=1) <= 1.0 + 1e-12)
            target = results[f"{base}/estimates/target"]
            np.testing.assert_allclose(target, f(x), rtol=1e-12, atol=1e-15)
            error = results[f"{base}/estimates/estimate"] - target
            j = list(results[f"{base}/n_neurons"]).index(n)
            assert np.sqrt(np.mean(error ** 2)) == pytest.approx(
                results[f"{base}/rmse"][0, j], rel=1e-9)


def test_spike_noise_adds_to_the_error(results):
    """Decoders fitted to filtered spikes: on held-out filtered-spike activities the
    error carries the spike noise, well above the same decoders on the tuning
    curves and above decoders of the noise-free curves."""
    for function in FUNCTIONS:
        base = f"decoders/lif_spiking/{function}"
        spikes, curves = results[f"{base}/rmse_spikes"], results[f"{base}/rmse"]
        assert np.all(spikes > curves)
        n = list(results[f"{base}/n_neurons"])
        rate_fit = results[f"decoders/lif/{function}/rmse"][
            0, list(results[f"decoders/lif/{function}/n_neurons"]).index(100)]
        assert spikes[0, n.index(100)] > 1.5 * rate_fit
        sizes = results[f"{base}/estimates/x_spikes"].shape[0]
        assert sizes == 200


@pytest.mark.parametrize("overrides, match", [
    ({"n_neurons": "[]"}, "n_neurons must list at least one"),
    ({"max_rates": "100.0, 200.0, 300.0"}, "max_rates must be a list \\[low, high\\]"),
    ({"n_neurons_hh": "0"}, "n_neurons_hh entry must be >= 1"),
    ({"tau_synapse": "0.0"}, "tau_synapse .* must be > 0"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)


def test_hh_max_rates_the_model_cannot_reach_are_refused_by_run(experiment, tmp_path):
    """The Hodgkin–Huxley rate range comes from its simulated f–I curve, so it is
    checked when the populations are built, not by ``check``."""
    config = runner.resolve_config(experiment, {
        "n_neurons": "10", "n_neurons_spiking": "10", "n_neurons_hh": "10",
        "n_seeds": "1", "n_test_points_spiking": "10", "hh_max_rates": "150.0, 200.0"})
    with pytest.raises(ValueError, match="max_rates must lie strictly between"):
        experiment.run(config, tmp_path)


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("decoders", out=tmp_path / "run", overrides={
        "n_neurons": "10, 30", "n_neurons_spiking": "10", "n_neurons_hh": "10, 30",
        "n_seeds": "2", "n_test_points_spiking": "100", "shown_neurons": "30"})
    loaded = Results.load(folder / "results.h5")
    assert loaded.children("decoders") == ["hh", "lif", "lif_spiking"]
    assert loaded["decoders/lif/x/rmse"].shape == (2, 2)
    assert loaded["decoders/lif_spiking/product/rmse_spikes"].shape == (1, 1)
    assert loaded.attrs["decoders/lif/x/rmse"]["units"] == "1"
    assert_redrawn_alike(folder, ["decoders_estimates.png", "decoders_rmse.png"],
                         tmp_path)
