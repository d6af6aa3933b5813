"""The spiking-vs-rate experiment: the converted digits MLP classifies as well as the
rate network once a digit is held for 30 ms or more, the NEF networks reach the
simulator's accuracy bounds, and every stored number agrees with closed forms."""

import numpy as np
import pytest

import neurosim.ann as nn
from neurosim import ConfigError, Results, digits, runner

from ..lif_reference import lif_rate
from .cli import assert_redrawn_alike

NAME = "spiking-vs-rate"
#: A reduced sweep: the default training, fewer sweep points, one NEF network per size.
OVERRIDES = {
    "presentation": "0.005, 0.01, 0.03, 0.1, 0.2",
    "tau": "0.0, 0.005, 0.02",
    "tau_presentation": "0.02",
    "neurons": "100, 500",
    "nef_trials": "1",
}
FIGURES = ["digits_accuracy.png", "digits_example.png", "nef_errors.png"]


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment(NAME)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return runner.run(NAME, OVERRIDES, out=tmp_path_factory.mktemp("svr") / "run")


@pytest.fixture(scope="module")
def results(folder):
    return Results.load(folder / "results.h5")


def presentation_sweep(results):
    base = "comparison/presentation"
    return dict(zip(np.round(results[f"{base}/presentation"], 6).tolist(),
                    results[f"{base}/accuracy"]))


def test_spiking_accuracy_is_within_one_point_of_the_rate_network(results):
    attrs = results.attrs["comparison"]
    rate = attrs["rate_accuracy"]
    # seed 0 measured 97.49% (350 of 359); seeds 1-4 gave 96.7-99.4%
    assert rate >= 0.96
    accuracy = presentation_sweep(results)
    assert results.attrs["comparison/presentation"]["tau"] == 0.005
    # measured 97.77%, 97.49%, 97.49% at 30, 100, 200 ms: within 1 point (3.6 digits)
    for presentation in (0.03, 0.1, 0.2):
        assert abs(accuracy[presentation] - rate) <= 0.01
    assert attrs["spiking_accuracy"] == accuracy[0.2]
    assert attrs["gap_points"] == pytest.approx(100 * (accuracy[0.2] - rate), abs=1e-12)
    assert results.metrics["gap_points"] == attrs["gap_points"]


def test_accuracy_rises_with_presentation_time(results):
    accuracy = presentation_sweep(results)
    # Over seeds 0-4, 10 ms scored 1.1-2.2 points (4-8 digits) below 100 ms, and 5 ms
    # 22-25 points below (the 5 ms synapses still carry the previous digit when the
    # last 2.5 ms are read out). Margins: 0.5 point (2 digits) and 15 points.
    assert accuracy[0.01] <= accuracy[0.1] - 0.005
    assert accuracy[0.005] <= accuracy[0.1] - 0.15


def test_energy_proxies_follow_from_the_spike_counts(results):
    base = "comparison/presentation"
    presentation = results[f"{base}/presentation"]
    spikes = results[f"{base}/spikes_per_inference"]
    # one hidden layer of 128 neurons, each spike reaching the 10 outputs
    np.testing.assert_allclose(results[f"{base}/synaptic_events_per_inference"],
                               10 * spikes, rtol=1e-12)
    np.testing.assert_allclose(results[f"{base}/mean_rate"],
                               spikes / (128 * presentation), rtol=1e-12)
    np.testing.assert_allclose(results[f"{base}/simulated_per_inference"], presentation,
                               rtol=1e-12)
    n_test = results.attrs["comparison"]["n_test"]
    np.testing.assert_allclose(results[f"{base}/wall_per_inference"],
                               results[f"{base}/wall_seconds"] / n_test, rtol=1e-12)


def soft_lif_rate(J, sigma, tau_rc, tau_ref):
    """The soft-LIF curve (Hz): max(J - 1, 0) smoothed to
    sigma log(1 + exp((J - 1) / sigma))."""
    j = sigma * np.logaddexp(0.0, (J - 1.0) / sigma)
    return 1.0 / (tau_ref + tau_rc * np.log1p(1.0 / j))


def test_mean_rates_follow_the_lif_curves(results):
    model, _ = nn.load_model(results, "mlp")
    dense, softlif, _ = model.layers
    X, _ = digits()
    inputs = (X[results["comparison/digits/test_index"]] / 16.0
              - results["comparison/digits/input_mean"]) \
        / results["comparison/digits/input_scale"]
    J = inputs @ dense.weight + dense.bias
    lif = lif_rate(J, softlif.tau_rc, softlif.tau_ref).mean()
    soft = soft_lif_rate(J, softlif.sigma, softlif.tau_rc, softlif.tau_ref).mean()
    attrs = results.attrs["comparison"]
    assert attrs["rate_network_mean_rate"] == pytest.approx(soft, rel=1e-9)
    assert soft > lif  # the smoothed curve lies above the LIF curve everywhere
    # A regular spiker fires T/P spikes in a presentation T, give or take less than
    # one, whatever its phase when the digit appears: |spiking - LIF| < 1/T.
    base = "comparison/presentation"
    presentation = results[f"{base}/presentation"]
    assert np.all(np.abs(results[f"{base}/mean_rate"] - lif) < 1.0 / presentation)
    # measured 30.41 Hz spiking vs 30.68 Hz on the LIF curve at 200 ms
    assert attrs["mean_rate"] == pytest.approx(lif, rel=0.02)


def test_example_digit_matches_the_lif_rate_curve(results):
    model, _ = nn.load_model(results, "mlp")
    dense, softlif, readout = model.layers
    attrs = results.attrs["comparison/example"]
    X, y = digits()
    row = results["comparison/digits/test_index"][attrs["index"]]
    assert attrs["label"] == y[row]
    x = (X[row] / 16.0 - results["comparison/digits/input_mean"]) \
        / results["comparison/digits/input_scale"]
    np.testing.assert_allclose(results["comparison/example/logits_ann"],
                               model.forward(x[None, :])[0], rtol=0, atol=1e-12)
    rates = lif_rate(x @ dense.weight + dense.bias, softlif.tau_rc, softlif.tau_ref)
    # rate mode, settled (200 ms against 5 ms synapses): the LIF-rate forward pass
    settled = (softlif.amplitude * rates) @ readout.weight + readout.bias
    np.testing.assert_allclose(results["comparison/example/logits_rate"][-1], settled,
                               rtol=0, atol=1e-9)
    # spiking: each neuron fires rate x T spikes in T = 0.2 s, give or take less than
    # one whatever its initial voltage (measured: -0.74 to +0.91)
    trains = results.spikes["hidden0"]
    assert trains.n_neurons == 128
    assert np.all((trains.times > 0) & (trains.times <= attrs["presentation"] + 1e-9))
    counts = np.bincount(trains.ids, minlength=128)
    assert np.all(np.abs(counts - rates * attrs["presentation"]) < 1.0)
    # the spiking logits, averaged over the second half, pick the true digit
    logits = results["comparison/example/logits_spiking"]
    assert logits[logits.shape[0] // 2:].mean(axis=0).argmax() == attrs["label"]


def test_nef_networks_reach_the_simulator_bounds(results):
    sizes = list(results["comparison/channel/n_neurons"])
    row = sizes.index(500)
    rmse_spiking = results["comparison/channel/rmse_spiking"][:, 0]
    rmse_rate = results["comparison/channel/rmse_rate"][:, 0]
    # measured 0.0085 and 0.0037 at N = 500 (seed 0)
    assert rmse_spiking[row] <= 0.02
    assert rmse_rate[row] <= 0.01
    assert np.all(rmse_spiking[row] < rmse_spiking[sizes.index(100)])
    assert np.all(rmse_rate[row] < rmse_rate[sizes.index(100)])
    trace = "comparison/channel/trace"
    recomputed = np.sqrt(np.mean((results[f"{trace}/spiking"]
                                  - results[f"{trace}/ideal"]) ** 2))
    assert recomputed == pytest.approx(rmse_spiking[row], rel=1e-6)
    integrator = results.attrs["comparison/integrator"]
    assert integrator["ideal"] == pytest.approx(0.1, abs=1e-6)
    for mode in ("spiking", "rate"):
        value = results[f"comparison/integrator/value_{mode}"][row, 0]
        # the simulator's acceptance bound for the integrator at 0.2 s
        assert abs(value - 0.1) <= 0.015
        assert results[f"comparison/integrator/error_{mode}"][row, 0] == \
            pytest.approx(value - integrator["ideal"], abs=1e-12)


def test_summary_is_stored_logged_and_consistent(folder, results):
    attrs = results.attrs["comparison"]
    log_text = (folder / "log.txt").read_text(encoding="utf-8")
    table = runner.load_experiment(NAME).module.summary_table(attrs)
    assert table in log_text
    for key in ("rate_accuracy", "spiking_accuracy", "channel_rmse_spiking",
                "channel_rmse_rate", "integrator_value_spiking", "mean_rate",
                "spikes_per_inference", "spiking_wall_seconds"):
        assert results.metrics[key] == attrs[key]
    accuracy = presentation_sweep(results)
    assert attrs["spikes_per_inference"] == pytest.approx(
        results["comparison/presentation/spikes_per_inference"][
            list(accuracy).index(0.2)], rel=1e-12)


def test_run_then_redraw_from_the_file_gives_identical_figures(folder, tmp_path):
    assert_redrawn_alike(folder, FIGURES, tmp_path)


@pytest.mark.parametrize("overrides, match", [
    ({"reference_presentation": "0.25"}, "reference_presentation must be one of"),
    ({"reference_neurons": "300"}, "reference_neurons must be one of"),
    ({"presentation": "0.0105"}, "presentation must be a whole number of steps"),
    ({"tau": "-0.005"}, "tau .* must be >= 0"),
    ({"readout": "1.5"}, "readout must be a fraction"),
    ({"integrator_duration": "0.1"}, "integrator_duration must be at least"),
    ({"example_index": "360"}, r"example_index must be in \[0, 359\)"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)
