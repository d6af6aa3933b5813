"""The lif-spike-train experiment against closed forms and a scipy reference.

Constant J > 1 from v = 0 (τ = tau_rc): v(t) = J (1 - e^(-t/τ)) reaches 1 at
t* = τ ln(J / (J - 1)); each spike is followed by τ_ref at the reset, so

    t_k = t0 + k (τ_ref + t*) - τ_ref,   k = 1, 2, ...

for an input switched on at t0 (with v = 0 there). Forward Euler with spikes on the
grid: v_j = J (1 - (1 - dt/τ)^j) first reaches 1 after k* = ceil(ln(1 - 1/J) /
ln(1 - dt/τ)) steps, the spike is stamped at the end of that step and the neuron
then sits out R = τ_ref/dt steps, so t_n = t0 + n k* dt + (n - 1) R dt.
"""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neurosim import ConfigError, Results, runner

from .cli import assert_redrawn_alike

TAU, TAU_REF, DT = 0.02, 0.002, 1e-4


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("lif-spike-train")


def run_with(experiment, tmp_path, **overrides):
    config = runner.resolve_config(experiment, {k: str(v) for k, v in
                                                overrides.items()})
    return experiment.run(config, tmp_path)


def closed_form(J, t0, count):
    k = np.arange(1, count + 1)
    return t0 + k * (TAU_REF + TAU * math.log(J / (J - 1))) - TAU_REF


def euler_closed_form(J, t0, count):
    ratio = math.log(1 - 1 / J) / math.log(1 - DT / TAU)
    assert abs(ratio - round(ratio)) > 1e-3  # k* is not at a rounding edge
    steps, refractory = math.ceil(ratio), round(TAU_REF / DT)
    n = np.arange(1, count + 1)
    return t0 + n * steps * DT + (n - 1) * refractory * DT


@pytest.fixture(scope="module")
def constant(experiment, tmp_path_factory):
    """J = 1.5 throughout (a step of height 0 on a base of 1.5)."""
    return run_with(experiment, tmp_path_factory.mktemp("constant"), input="step",
                    J_base=1.5, J_amplitude=0.0)


def test_exact_spike_times_equal_the_closed_form(constant):
    spikes = constant.spikes["lif_exact"].times
    expected = closed_form(1.5, 0.0, spikes.size)
    assert spikes.size == 41 and expected[-1] < 1.0 < expected[-1] + 0.024
    np.testing.assert_allclose(spikes, expected, rtol=0, atol=1e-9)
    assert constant.metrics["n_spikes_exact"] == 41


def test_exact_potential_follows_the_closed_form_and_holds_while_refractory(constant):
    report = constant.reports["lif_exact"]
    t, v = report.t, report.data[:, 0]
    spikes = constant.spikes["lif_exact"].times
    last = np.searchsorted(spikes, t, side="right") - 1
    start = np.where(last >= 0, spikes[np.maximum(last, 0)] + TAU_REF, 0.0)
    expected = np.where(t < start, 0.0, 1.5 * -np.expm1(-(t - start) / TAU))
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-12)
    held = (t > spikes[0] + 1e-9) & (t < spikes[0] + TAU_REF - 1e-9)
    assert held.sum() == 20 and np.all(v[held] == 0.0)


def test_rk45_spike_times_match_the_closed_form_within_its_tolerance(constant,
                                                                    experiment,
                                                                    tmp_path):
    spikes = constant.spikes["lif_rk45"].times
    expected = closed_form(1.5, 0.0, 41)
    assert spikes.size == 41
    assert np.max(np.abs(spikes - expected)) < 1e-6  # rtol = 1e-6: 0.13 us
    tight = run_with(experiment, tmp_path, input="step", J_base=1.5, J_amplitude=0.0,
                     rtol=1e-10, atol=1e-13, methods="exact, rk45")
    error = np.max(np.abs(tight.spikes["lif_rk45"].times - expected))
    assert error < 1e-10
    assert tight.metrics["max_timing_difference_ms_rk45"] < 1e-7


def test_euler_spike_times_equal_its_discrete_closed_form_and_drift(constant):
    spikes = constant.spikes["lif_euler"].times
    assert spikes.size == 41
    np.testing.assert_allclose(spikes, euler_closed_form(1.5, 0.0, 41), rtol=0,
                               atol=1e-12)
    # 240 steps per interval instead of 23.972 ms: 27.8 us late per spike
    drift = spikes - closed_form(1.5, 0.0, 41)
    per_spike = 24e-3 - (TAU_REF + TAU * math.log(3.0))
    np.testing.assert_allclose(np.diff(drift), per_spike, rtol=0, atol=1e-12)
    assert constant.metrics["max_timing_difference_ms_euler"] == pytest.approx(
        np.max(np.abs(drift)) * 1e3, rel=1e-9)
    assert 1.0 < constant.metrics["max_timing_difference_ms_euler"] < 1.2


def test_step_input_fires_only_during_the_step(experiment, tmp_path):
    results = run_with(experiment, tmp_path, input="step", J_base=0.0,
                       J_amplitude=2.0, onset=0.2, duration=0.6)
    isi = TAU_REF + TAU * math.log(2.0)
    count = int((0.8 - 0.2 + TAU_REF) // isi)
    assert count == 37
    np.testing.assert_allclose(results.spikes["lif_exact"].times,
                               closed_form(2.0, 0.2, count), rtol=0, atol=1e-9)
    np.testing.assert_allclose(results.spikes["lif_euler"].times,
                               euler_closed_form(2.0, 0.2, count), rtol=0, atol=1e-12)
    J = results["traces/input/J"]
    t = results["traces/input/t"]
    np.testing.assert_array_equal(J, np.where((t > 0.2 - 1e-9) & (t < 0.8 - 1e-9),
                                              2.0, 0.0))


def linear_input_reference(J_samples, t_stop):
    """Spike times (s) of the LIF driven by the samples joined linearly (what rk45
    integrates), by DOP853 at rtol = atol = 1e-12 from spike to spike."""
    grid = np.arange(J_samples.size + 1) * DT
    values = np.append(J_samples, J_samples[-1])

    def rhs(t, v):
        return (np.interp(t, grid, values) - v) / TAU

    def threshold(t, v):
        return v[0] - 1.0
    threshold.terminal, threshold.direction = True, 1
    spikes, start = [], 0.0
    while start < t_stop:
        sol = solve_ivp(rhs, (start, t_stop), [0.0], method="DOP853", rtol=1e-12,
                        atol=1e-12, events=threshold, max_step=DT)
        if not sol.t_events[0].size:
            break
        spikes.append(sol.t_events[0][0])
        start = spikes[-1] + TAU_REF
    return np.array(spikes)


def test_sine_input_rk45_matches_a_scipy_reference_and_exact_lags_by_half_a_step(
        experiment, tmp_path):
    """The default input, 1.5 + sin(2 pi 2 Hz t): rk45 integrates the linearly
    joined samples; exact holds each sample over its step, which is that input
    delayed by dt/2, so once the silent stretch has erased the start (v = 0 at
    t = 0) its spikes lag by dt/2."""
    results = run_with(experiment, tmp_path)
    J = results["traces/input/J"][:-1]
    np.testing.assert_allclose(J, 1.5 + np.sin(4 * np.pi * DT * np.arange(10000)),
                               rtol=0, atol=1e-12)
    reference = linear_input_reference(J, 1.0)
    exact = results.spikes["lif_exact"].times
    rk45 = results.spikes["lif_rk45"].times
    assert reference.size == exact.size == rk45.size == 38
    assert np.max(np.abs(rk45 - reference)) < 1e-6
    late = (exact > 0.45) & (exact < 0.8)
    assert late.sum() == 19
    np.testing.assert_allclose(exact[late] - reference[late], DT / 2, rtol=0,
                               atol=1e-6)
    difference = results["spike_comparison/rk45/difference"]
    np.testing.assert_allclose(difference, rk45 - exact, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(results["spike_comparison/rk45/exact_times"], exact)
    euler = results["spike_comparison/euler/difference"]
    assert 1e-4 < np.max(np.abs(euler)) < 2e-3  # spikes on a 0.1 ms grid, drifting


@pytest.mark.parametrize("overrides, match", [
    ({"methods": "euler, rk45"}, "methods must include 'exact'"),
    ({"input": "square"}, "input must be one of"),
    ({"input": "step", "onset": "0.00015"}, "onset must be a whole number of steps"),
    ({"tau_rc": "-0.02"}, "tau_rc .* must be > 0"),
    ({"zoom_duration": "0.0"}, "zoom_duration .* must be > 0"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("lif-spike-train", out=tmp_path / "run")
    loaded = Results.load(folder / "results.h5")
    assert sorted(loaded.spikes) == ["lif_euler", "lif_exact", "lif_rk45"]
    assert sorted(loaded.reports) == ["lif_euler", "lif_exact", "lif_rk45"]
    assert loaded.metrics["n_spikes_exact"] == 38
    assert_redrawn_alike(folder, ["lif_spike_train.png"], tmp_path)
