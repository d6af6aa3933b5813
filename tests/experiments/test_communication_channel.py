"""The communication-channel experiment: sin(2πt) → A → B, spiking and rate.

References: the ideal output from scipy.signal.lsim (``filtered_sine``, a grid 20
times finer than dt) and the steady-state gain of three first-order low-passes,
|H(jω)| = Π 1/√(1 + (ωτ)²); the spike count of A from its tuning curves.

Acceptance (measured here at the defaults, N = 500, dt = 1 ms, 10 s): RMSE of B's
decoded value against the ideal <= 0.02 spiking, <= 0.01 in rate mode. Seeds 0–5
give 0.0080–0.0085 spiking and 0.0034–0.0040 rate.
"""

import numpy as np
import pytest

from neurosim import ConfigError, Results, runner

from ..simulator.networks import filtered_sine
from .cli import assert_redrawn_alike

TAUS = [0.005, 0.005, 0.01]


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("communication-channel")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment)
    assert (config["n_neurons"], config["dt"], config["t_stop"]) == (500, 1e-3, 10.0)
    assert (config["synapse"], config["probe_synapse"]) == (0.005, 0.01)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def test_ideal_is_the_continuous_time_filtered_sine(results):
    reference = filtered_sine(TAUS, 10.0, 1e-3)
    for mode in ("spiking", "rate"):
        t = results[f"decoded/B_{mode}/t"]
        np.testing.assert_allclose(t, 1e-3 * np.arange(1, 10001), rtol=0, atol=1e-12)
        np.testing.assert_allclose(results[f"decoded/B_{mode}/x_true"], reference,
                                   rtol=0, atol=1e-6)
    # after the transient: amplitude |H(j 2π)| and the sum of the phase lags
    w = 2 * np.pi
    gain = np.prod([1 / np.sqrt(1 + (w * tau) ** 2) for tau in TAUS])
    lag = sum(np.arctan(w * tau) for tau in TAUS)
    t = results["decoded/B_rate/t"]
    late = t > 1.0
    np.testing.assert_allclose(results["decoded/B_rate/x_true"][late],
                               gain * np.sin(w * t[late] - lag), rtol=0, atol=1e-9)


@pytest.mark.parametrize("mode, bound", [("spiking", 0.02), ("rate", 0.01)])
def test_decoded_B_meets_the_acceptance_bound(results, mode, bound):
    x_hat = results[f"decoded/B_{mode}/x_hat"]
    rmse = np.sqrt(np.mean((x_hat - filtered_sine(TAUS, 10.0, 1e-3)) ** 2))
    assert rmse <= bound
    assert results.metrics[f"rmse_{mode}"] == pytest.approx(rmse, rel=1e-6)
    np.testing.assert_allclose(results[f"decoded/B_{mode}/error"],
                               x_hat - results[f"decoded/B_{mode}/x_true"], atol=0)


def test_rate_mode_is_smooth_and_spiking_adds_noise(results):
    """Rate mode only has the static decoding error; spikes add noise on top."""
    assert results.metrics["rmse_rate"] < results.metrics["rmse_spiking"]
    jumps = {mode: np.std(np.diff(results[f"decoded/B_{mode}/error"]))
             for mode in ("spiking", "rate")}
    assert jumps["rate"] < 0.1 * jumps["spiking"]


def test_spikes_of_A_match_its_tuning_curves(experiment, results):
    """Stored spikes lie in the raster window; A's count there equals the integral
    of its tuning curves along its input (the sine through one 5 ms low-pass)
    within 1 % (measured: 0.15 % fewer, seeds 0–2; the membranes lag the input)."""
    config = runner.resolve_config(experiment)
    lo, hi = config["raster_window"]
    net, _ = experiment.module.build(config, spikes=True)
    A = net.populations[0]
    dt = 1e-4
    x_A = filtered_sine([0.005], hi, dt)
    expected = np.sum(A.rates(x_A)) * dt
    for label in ("A", "B"):
        times, ids = results.spikes(label)
        assert lo <= times.min() and times.max() <= hi
        assert results.spikes[label].n_neurons == 500
        assert ids.max() < 500
    assert results.spikes("A")[0].size == pytest.approx(expected, rel=0.01)
    np.testing.assert_array_equal(results["populations/A/encoders"], A.encoders[:, 0])


@pytest.mark.parametrize("overrides, match", [
    ({"raster_window": "1.0, 0.5"}, "raster_window must have start < stop"),
    ({"trace_window": "2.0"}, r"trace_window must be a pair \[start, stop\]"),
    ({"n_neurons": "0"}, "n_neurons must be >= 1"),
    ({"synapse": "-0.005"}, "synapse .* must be > 0"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("communication-channel", {"t_stop": "2.0"}, out=tmp_path / "r")
    loaded = Results.load(folder / "results.h5")
    assert sorted(loaded.children("decoded")) == ["B_rate", "B_spiking"]
    assert sorted(loaded.spikes) == ["A", "B"]
    assert loaded.metrics["rmse_spiking"] <= 0.02
    assert_redrawn_alike(folder, ["communication_channel.png"], tmp_path)


def test_pieces_and_windows_keep_exactly_a_part_of_the_whole_run(experiment, tmp_path,
                                                                 monkeypatch):
    """Run in 0.7 s pieces, keeping traces in [0.5, 1.5] s and spikes in [1.0, 1.2]
    s, the results are the one-piece run's restricted to those windows, and the
    metrics (summed piece by piece) those of the whole run."""
    whole = experiment.run(runner.resolve_config(experiment, {
        "t_stop": "3.0", "n_neurons": "100", "raster_window": "0.0, 3.0",
        "trace_window": "0.0, 3.0"}), tmp_path)
    monkeypatch.setattr(experiment.module, "PIECE", 0.7)
    part = experiment.run(runner.resolve_config(experiment, {
        "t_stop": "3.0", "n_neurons": "100", "raster_window": "1.0, 1.2",
        "trace_window": "0.5, 1.5"}), tmp_path)
    for mode in ("spiking", "rate"):
        t = whole[f"decoded/B_{mode}/t"]
        inside = (t >= 0.5 - 1e-12) & (t <= 1.5 + 1e-12)
        assert inside.sum() == 1001
        for key in ("t", "x_true", "x_hat", "error"):
            np.testing.assert_array_equal(part[f"decoded/B_{mode}/{key}"],
                                          whole[f"decoded/B_{mode}/{key}"][inside])
        assert part.metrics[f"rmse_{mode}"] == pytest.approx(
            whole.metrics[f"rmse_{mode}"], rel=1e-12)
    for label in ("A", "B"):
        times, ids = whole.spikes(label)
        kept = (times >= 1.0) & (times <= 1.2)
        np.testing.assert_array_equal(part.spikes(label)[0], times[kept])
        np.testing.assert_array_equal(part.spikes(label)[1], ids[kept])
