"""The lif-rate-curve experiment: simulated rates at dt = 1 ms against G(J).

Acceptance criterion: over 2 s of simulation at dt = 1 ms, the "exact" method's rates
(from inter-spike intervals) match G(J) = 1 / (τ_ref - τ_rc ln(1 - 1/J)) within
0.5 % for J in [1.05, 10], and are 0 below the threshold.

Forward Euler with spikes on the grid fires every k* + R steps: k* = ceil(ln(1 - 1/J)
/ ln(1 - dt/τ_rc)) steps to reach 1 from 0, then R = τ_ref/dt refractory steps.
"""

import math

import numpy as np
import pytest

from neurosim import ConfigError, Results, runner

from ..lif_reference import lif_rate
from .cli import assert_redrawn_alike

TAU, TAU_REF, DT = 0.02, 0.002, 1e-3


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("lif-rate-curve")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment)
    assert (config["dt"], config["t_stop"]) == (DT, 2.0)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def test_grid_covers_both_sides_of_the_threshold(results):
    J = results["fi_curves/lif/J"]
    np.testing.assert_allclose(J, 0.05 * np.arange(201), rtol=0, atol=1e-12)
    assert np.sum(J <= 1.0) == 21
    assert np.sum((J >= 1.05 - 1e-12) & (J <= 10.0)) == 180


def test_analytic_curve_is_the_course_formula(results):
    J = results["fi_curves/lif/J"]
    analytic = results["fi_curves/lif/analytic"]
    above = J > 1.0
    np.testing.assert_allclose(analytic[above], lif_rate(J[above]), rtol=1e-12)
    assert np.all(analytic[~above] == 0.0)
    assert analytic[-1] == pytest.approx(243.47, abs=0.01)  # J = 10: 1 / 4.107 ms


def test_exact_rates_at_1_ms_meet_the_acceptance_criterion(results):
    J = results["fi_curves/lif/J"]
    exact = results["fi_curves/lif/exact"]
    band = J >= 1.05 - 1e-12
    G = lif_rate(J[band])
    assert np.max(np.abs(exact[band] - G) / G) < 5e-3  # the criterion
    assert np.max(np.abs(exact[band] - G) / G) < 1e-12  # what the method achieves
    assert np.all(exact[J <= 1.0] == 0.0)
    assert results.metrics["max_relative_error_exact"] < 1e-12
    assert results.metrics["max_rate_below_threshold_exact"] == 0.0


def test_euler_rates_equal_their_discrete_closed_form_and_miss_G(results):
    J = results["fi_curves/lif/J"]
    euler = results["fi_curves/lif/euler"]
    above = J > 1.0
    ratio = np.log(1.0 - 1.0 / J[above]) / math.log(1.0 - DT / TAU)
    clear = np.abs(ratio - np.round(ratio)) > 1e-6  # not at a rounding edge
    assert clear.sum() >= 175
    period = (np.ceil(ratio) + round(TAU_REF / DT)) * DT
    np.testing.assert_allclose(euler[above][clear], 1.0 / period[clear], rtol=1e-9)
    assert np.all(euler[~above] == 0.0)
    # spikes on a 1 ms grid: the rate is 1 / (a whole number of ms), up to 18 % low
    worst = results.metrics["max_relative_error_euler"]
    band = J[above] >= 1.05 - 1e-12
    closed_form = np.abs(1.0 / (period * lif_rate(J[above])) - 1.0)[band]
    assert worst == pytest.approx(closed_form.max(), rel=1e-9)
    error = results["fi_curves/lif/relative_error_euler"]
    assert np.nanmax(np.abs(error[J >= 1.05 - 1e-12])) == worst


def test_relative_errors_are_undefined_where_G_is_zero(results):
    J = results["fi_curves/lif/J"]
    analytic = results["fi_curves/lif/analytic"]
    for method in ("exact", "euler"):
        error = results[f"fi_curves/lif/relative_error_{method}"]
        assert np.all(np.isnan(error[J <= 1.0]))
        rates = results[f"fi_curves/lif/{method}"]
        np.testing.assert_allclose(error[J > 1.0],
                                   (rates - analytic)[J > 1.0] / analytic[J > 1.0],
                                   rtol=0, atol=1e-15)


@pytest.mark.parametrize("dt", [5e-3, 1e-2])
def test_exact_rates_hold_even_when_a_step_holds_several_spikes(experiment, tmp_path,
                                                                dt):
    """At J = 10 the interval is 4.1 ms: one step of 5 or 10 ms holds whole spikes
    and refractory periods, and the rates still equal G(J)."""
    config = runner.resolve_config(experiment, {"dt": str(dt), "methods": "exact"})
    results = experiment.run(config, tmp_path)
    assert results.metrics["max_relative_error_exact"] < 1e-12
    assert results.metrics["max_rate_below_threshold_exact"] == 0.0


@pytest.mark.parametrize("overrides, match", [
    ({"J_max": "0.5"}, "J_max must be above the threshold 1"),
    ({"methods": "exact, heun"}, "methods entry must be one of"),
    ({"J_step": "-0.1"}, "J_step must be > 0"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("lif-rate-curve", out=tmp_path / "run")
    loaded = Results.load(folder / "results.h5")
    assert sorted(loaded.children("fi_curves/lif")) == [
        "J", "analytic", "euler", "exact", "relative_error_euler",
        "relative_error_exact"]
    assert loaded.attrs["fi_curves/lif/exact"]["units"] == "Hz"
    assert_redrawn_alike(folder, ["lif_rate_curve.png"], tmp_path)
