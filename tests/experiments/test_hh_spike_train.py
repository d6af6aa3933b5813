"""The hh-spike-train experiment against an independent scipy reference.

The reference integrates the textbook Hodgkin–Huxley equations, written here with
plain numpy, with ``solve_ivp(method="DOP853", rtol=atol=1e-12)`` piece by piece
between the edges of the input, and locates the spikes (upward crossings of 0 mV)
with scipy's event finder.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neurosim import ConfigError, Results, runner

from .cli import assert_redrawn_alike

REST = -65.0  # mV


def x_over_one_minus_exp(x):
    """x / (1 - e^-x), with its limit 1 (series 1 + x/2 + x^2/12) near x = 0."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-6
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 + x / 2 + x * x / 12, safe / -np.expm1(-safe))


def rate_constants(V):
    """(alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n) in 1/ms, V in mV."""
    return (1.0 * x_over_one_minus_exp((V + 40.0) / 10.0),
            4.0 * np.exp(-(V + 65.0) / 18.0),
            0.07 * np.exp(-(V + 65.0) / 20.0),
            1.0 / (1.0 + np.exp(-(V + 35.0) / 10.0)),
            0.1 * x_over_one_minus_exp((V + 55.0) / 10.0),
            0.125 * np.exp(-(V + 65.0) / 80.0))


def hh_rhs(t, y, current):
    V, m, h, n = y
    a_m, b_m, a_h, b_h, a_n, b_n = rate_constants(V)
    i_ion = (120.0 * m ** 3 * h * (V - 50.0) + 36.0 * n ** 4 * (V + 77.0)
             + 0.3 * (V + 54.387))
    return [current(t) - i_ion, a_m * (1 - m) - b_m * m, a_h * (1 - h) - b_h * h,
            a_n * (1 - n) - b_n * n]


def crossing_zero(t, y, current):
    return y[0]


crossing_zero.direction = 1


def reference(pieces, t_stop_ms):
    """Spike times (ms) and a dense solution, for a current that is linear between
    the breakpoints ``pieces = [(t_ms, I_start, I_end), ...]`` (each piece runs to
    the next one's start, the last to ``t_stop_ms``)."""
    a = rate_constants(REST)
    y = [REST, a[0] / (a[0] + a[1]), a[2] / (a[2] + a[3]), a[4] / (a[4] + a[5])]
    spikes, segments = [], []
    ends = [p[0] for p in pieces[1:]] + [t_stop_ms]
    for (t0, i0, i1), t1 in zip(pieces, ends, strict=True):
        def current(t, t0=t0, t1=t1, i0=i0, i1=i1):
            return i0 + (i1 - i0) * (t - t0) / (t1 - t0)
        sol = solve_ivp(hh_rhs, (t0, t1), y, method="DOP853", rtol=1e-12, atol=1e-12,
                        args=(current,), events=crossing_zero, dense_output=True)
        assert sol.success
        spikes.extend(sol.t_events[0])
        segments.append((t0, t1, sol.sol))
        y = sol.y[:, -1]

    def dense(t_ms):
        out = np.empty((t_ms.size, 4))
        for t0, t1, f in segments:
            inside = (t_ms >= t0) & (t_ms <= t1)
            out[inside] = f(t_ms[inside]).T
        return out
    return np.array(spikes), dense


# onset 10 ms, off 80 ms, 10 uA/cm^2, 100 ms (the experiment's defaults)
STEP = [(0.0, 0.0, 0.0), (10.0, 10.0, 10.0), (80.0, 0.0, 0.0)]


def ramped(dt_ms):
    """The same step as rk45 sees it: each edge a linear ramp over the sample
    interval before it."""
    return [(0.0, 0.0, 0.0), (10.0 - dt_ms, 0.0, 10.0), (10.0, 10.0, 10.0),
            (80.0 - dt_ms, 10.0, 0.0), (80.0, 0.0, 0.0)]


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("hh-spike-train")


@pytest.fixture(scope="module")
def step_reference():
    return reference(STEP, 100.0)


def run_with(experiment, tmp_path, **overrides):
    config = runner.resolve_config(experiment, {k: str(v) for k, v in
                                                overrides.items()})
    return experiment.run(config, tmp_path)


# method -> spike-time tolerance (s) at dt = 0.01 ms; measured errors: exp_euler
# 4.0 us, rk4 0.17 ns, euler 17 us (first order)
FIXED_STEP = {"exp_euler": 10e-6, "rk4": 1e-9, "euler": 40e-6}


@pytest.mark.parametrize("method", sorted(FIXED_STEP))
def test_fixed_step_spike_times_match_the_reference(experiment, step_reference,
                                                    tmp_path, method):
    ref_ms, _ = step_reference
    assert ref_ms.size == 5
    results = run_with(experiment, tmp_path, method=method)
    spikes = results.spikes["hh"].times
    assert spikes.size == ref_ms.size
    error = np.max(np.abs(spikes - ref_ms * 1e-3))
    assert error < FIXED_STEP[method]
    if method == "euler":  # a first-order method: its error is visible at this dt
        assert error > 1e-6


def test_rk45_spike_times_match_the_reference_of_the_ramped_input(experiment,
                                                                  step_reference,
                                                                  tmp_path):
    """rk45 interpolates the sampled current, so each edge of the step is a ramp
    over the sample interval before it: its spike times match the reference of that
    ramped input to the solver's tolerance, and lead the exact step's by about half
    a sample interval."""
    ref_ms, _ = reference(ramped(0.01), 100.0)
    step_ms, _ = step_reference
    for rtol, tol in ((1e-6, 1e-6), (1e-9, 1e-8)):
        results = run_with(experiment, tmp_path, method="rk45", rtol=rtol,
                           atol=rtol * 1e-3)
        spikes = results.spikes["hh"].times
        assert spikes.size == ref_ms.size == 5
        assert np.max(np.abs(spikes - ref_ms * 1e-3)) < tol
    lead = step_ms * 1e-3 - spikes
    np.testing.assert_allclose(lead, 5e-6, atol=0.5e-6)


def test_traces_and_metrics_match_the_reference(experiment, step_reference,
                                                tmp_path):
    ref_ms, dense = step_reference
    results = run_with(experiment, tmp_path, method="rk4")
    t = results["traces/hh/t"]
    expected = dense(t * 1e3)
    report = results.reports["hh"]
    assert report.units == "mV" and report.data.shape == (10001, 1)
    np.testing.assert_allclose(report.t, t, rtol=0, atol=1e-12)
    np.testing.assert_allclose(report.data[:, 0], expected[:, 0], rtol=0, atol=1e-3)
    for k, gate in enumerate("mhn", start=1):
        np.testing.assert_allclose(results[f"traces/hh/{gate}"][:, 0],
                                   expected[:, k], rtol=0, atol=1e-6)
    current = results["traces/hh/current"]
    np.testing.assert_array_equal(current, np.where((t >= 0.01 - 1e-9)
                                                    & (t < 0.08 - 1e-9), 10.0, 0.0))
    metrics = results.metrics
    assert metrics["n_spikes"] == 5
    assert metrics["first_spike_latency_ms"] == pytest.approx(ref_ms[0] - 10.0,
                                                              abs=1e-6)
    isi = np.mean(np.diff(ref_ms))
    assert metrics["mean_isi_ms"] == pytest.approx(isi, abs=1e-6)
    assert metrics["rate_hz"] == pytest.approx(1e3 / isi, rel=1e-6)
    assert 67.5 < metrics["rate_hz"] < 68.5


def test_no_current_no_spikes_and_rest_holds(experiment, tmp_path):
    results = run_with(experiment, tmp_path, amplitude=0.0)
    assert results.metrics["n_spikes"] == 0
    assert np.isnan(results.metrics["first_spike_latency_ms"])
    np.testing.assert_allclose(results.reports["hh"].data, REST, atol=0.01)


@pytest.mark.parametrize("key, value, match", [
    ("onset", 0.012345, "onset must be a whole number of steps"),
    ("duration", 0.0700005, "duration must be a whole number of steps"),
    ("onset", 0.2, "onset must be before t_stop"),
    ("method", "heun", "method must be one of"),
])
def test_bad_settings_are_refused(experiment, key, value, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, {key: str(value)})


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("hh-spike-train", out=tmp_path / "run")
    loaded = Results.load(folder / "results.h5")
    assert loaded.spikes["hh"].times.size == 5
    assert sorted(loaded.children("traces/hh")) == ["current", "h", "m", "n", "t"]
    assert_redrawn_alike(folder, ["hh_spike_train.png"], tmp_path)
    # in Python, redraw returns the paths it wrote
    assert runner.redraw(folder / "results.h5", tmp_path / "here") == \
        [tmp_path / "here" / "hh_spike_train.png"]
