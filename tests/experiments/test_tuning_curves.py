"""The tuning-curves experiment: each neuron fires at its max rate at e · x = radius,
is silent below its intercept and fires above it.

References: for LIF the course's rate formula G(J) = 1 / (τ_ref − τ_rc ln(1 − 1/J))
for J > 1 (else 0), evaluated here on the stored gains and biases; for both models,
spikes simulated from rest (independent of the tabulated or analytic rate curves).
"""

import numpy as np
import pytest

from neurosim import ConfigError, Results, runner

from ..lif_reference import lif_rate as G
from .cli import assert_redrawn_alike

#: HH gains come from inverting a simulated f–I table (linear interpolation on a
#: 0.05 µA/cm² grid of a smooth curve above the onset), and the ISI rate over 0.5 s
#: at dt = 0.01 ms is resolved to about 100 Hz · 1e-5 s / 0.5 s = 0.002 Hz; seeds
#: 0–6 give at most 4e-5 Hz.
HH_MAX_RATE_TOLERANCE = 0.01  # Hz
#: The classic HH model is class II: it starts firing at about 43 Hz, never lower.
HH_ONSET_RATE = 43.0  # Hz


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("tuning-curves")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment)
    assert (config["lif_neurons"], config["hh_neurons"], config["surface_neurons"]) == \
        (30, 20, 6)
    assert config["n_points"] == 2001 and config["radius"] == 1.0
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def projections(results, name):
    """u = e · x / radius (P, N) on the stored grid."""
    base = f"tuning_curves/{name}"
    x = results[f"{base}/x"].reshape(len(results[f"{base}/x"]), -1)
    return x @ results[f"{base}/encoders"].T / results.attrs[base]["radius"]


def test_lif_curves_are_the_rate_formula_on_the_stored_gains(results):
    for name in ("lif", "lif_2d"):
        base = f"tuning_curves/{name}"
        gain, bias = results[f"{base}/gain"], results[f"{base}/bias"]
        np.testing.assert_allclose(results[f"{base}/rates"],
                                   G(gain * projections(results, name) + bias),
                                   rtol=1e-12, atol=1e-9)
        # the intercept is where J reaches the threshold 1; the max rate at u = 1
        np.testing.assert_allclose(gain * results[f"{base}/intercepts"] + bias, 1.0,
                                   atol=1e-10)
        np.testing.assert_allclose(G(gain + bias), results[f"{base}/max_rates"],
                                   rtol=1e-10)
        assert np.all((results[f"{base}/max_rates"] >= 200.0)
                      & (results[f"{base}/max_rates"] < 400.0))


@pytest.mark.parametrize("name", ["lif", "hh"])
def test_measured_max_rate_at_the_top_of_the_range(results, name):
    base = f"tuning_curves/{name}"
    rates, e = results[f"{base}/rates"], results[f"{base}/encoders"][:, 0]
    at_top = np.where(e > 0, rates[-1], rates[0])  # x = +radius or -radius
    np.testing.assert_allclose(at_top, results[f"{base}/max_rates"], rtol=1e-10)
    assert results.metrics[f"{name}_max_rate_error"] < 1e-9
    assert set(np.unique(e)) == {-1.0, 1.0}


@pytest.mark.parametrize("name", ["lif", "hh"])
def test_silent_below_the_intercept_firing_above(results, name):
    base = f"tuning_curves/{name}"
    rates, c = results[f"{base}/rates"], results[f"{base}/intercepts"]
    u = projections(results, name)
    assert np.all(rates[u < c - 1e-12] == 0.0)
    assert np.all(rates[u > c + 1e-12] > 0.0)
    if name == "hh":  # class II: the rate jumps from 0 to the onset rate
        assert np.all(rates[u > c + 1e-12] >= HH_ONSET_RATE - 0.5)
    # measured on the grid: within half a grid step (0.001) of the intercept
    step = results.attrs[base]["grid_step"]
    assert step == pytest.approx(0.001, rel=1e-12)
    found = results[f"{base}/measured_intercepts"]
    assert np.all(np.isfinite(found))
    assert np.max(np.abs(found - c)) <= 0.5 * step + 1e-12
    assert results.metrics[f"{name}_intercept_error"] == np.max(np.abs(found - c))


def test_simulated_lif_spikes_match_the_formula(results):
    """The exact LIF method's ISI rates equal G(J) (to rounding), so the simulated
    rate at the top of the range is the max rate asked for."""
    base = "tuning_curves/lif"
    gain, bias = results[f"{base}/gain"], results[f"{base}/bias"]
    c, offset = results[f"{base}/intercepts"], results.attrs[base]["offset"]
    u_above = results[f"{base}/u_above"]
    np.testing.assert_allclose(u_above, np.minimum(c + offset, (c + 1.0) / 2.0),
                               rtol=0, atol=1e-15)
    np.testing.assert_allclose(results[f"{base}/simulated_max_rates"],
                               results[f"{base}/max_rates"], rtol=1e-9)
    np.testing.assert_allclose(results[f"{base}/simulated_rates_above"],
                               G(gain * u_above + bias), rtol=1e-9)
    assert np.all(results[f"{base}/simulated_rates_above"] > 0.0)
    assert np.all(results[f"{base}/simulated_rates_below"] == 0.0)


def test_simulated_hh_spikes_match_the_max_rates(results):
    base = "tuning_curves/hh"
    max_rates = results[f"{base}/max_rates"]
    assert np.all((max_rates >= 80.0) & (max_rates < 120.0))
    np.testing.assert_allclose(results[f"{base}/simulated_max_rates"], max_rates,
                               rtol=0, atol=HH_MAX_RATE_TOLERANCE)
    assert np.all(results[f"{base}/simulated_rates_below"] == 0.0)
    above = results[f"{base}/simulated_rates_above"]
    assert np.all((above >= HH_ONSET_RATE) & (above < max_rates))
    m = results.metrics
    assert m["hh_simulated_max_rate_error"] <= HH_MAX_RATE_TOLERANCE
    assert m["hh_simulated_rate_below_max"] == 0.0
    assert m["hh_simulated_rate_above_min"] == np.min(above)


def test_2d_surfaces_peak_along_the_encoder(results):
    base = "tuning_curves/lif_2d"
    x = results[f"{base}/x"]
    size = results.attrs[base]["grid_size"]
    assert x.shape == (size * size, 2) and size == 101
    enc = results[f"{base}/encoders"]
    np.testing.assert_allclose(np.linalg.norm(enc, axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(results[f"{base}/rates_at_preferred"],
                               results[f"{base}/max_rates"], rtol=1e-10)
    u = projections(results, "lif_2d")
    rates, c = results[f"{base}/rates"], results[f"{base}/intercepts"]
    assert np.array_equal(rates > 0, u > c)
    assert results.metrics["lif_2d_firing_side_mismatches"] == 0
    # inside the disc no point beats the preferred one (rates grow with e · x)
    inside = np.linalg.norm(x, axis=1) <= 1.0
    assert np.all(rates[inside].max(axis=0) <= results[f"{base}/max_rates"] + 1e-9)


def test_a_larger_radius_stretches_the_curves(experiment, tmp_path):
    config = runner.resolve_config(experiment, {
        "radius": "2.0", "lif_neurons": "8", "hh_neurons": "4", "surface_neurons": "2",
        "n_points": "401", "surface_grid": "21", "t_stop": "0.5"})
    results = experiment.run(config, tmp_path)
    base = "tuning_curves/lif"
    x = results[f"{base}/x"]
    assert (x[0], x[-1]) == (-2.0, 2.0)
    gain, bias = results[f"{base}/gain"], results[f"{base}/bias"]
    e = results[f"{base}/encoders"][:, 0]
    np.testing.assert_allclose(results[f"{base}/rates"],
                               G(gain * np.outer(x, e) / 2.0 + bias), rtol=1e-12,
                               atol=1e-9)
    np.testing.assert_allclose(results[f"{base}/simulated_max_rates"],
                               results[f"{base}/max_rates"], rtol=1e-9)
    assert np.max(np.abs(results[f"{base}/measured_intercepts"]
                         - results[f"{base}/intercepts"])) <= 0.5 * 0.01 / 2.0 + 1e-12
    np.testing.assert_allclose(results["tuning_curves/hh/simulated_max_rates"],
                               results["tuning_curves/hh/max_rates"], rtol=0,
                               atol=HH_MAX_RATE_TOLERANCE)


@pytest.mark.parametrize("overrides, match", [
    ({"intercepts": "-1.0, 0.0, 1.0"}, "intercepts must be a list \\[low, high\\]"),
    ({"n_points": "2"}, "n_points must be >= 3"),
    ({"surface_grid": "2"}, "surface_grid must be >= 3"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)


def test_hh_max_rates_the_model_cannot_reach_are_refused_by_run(experiment, tmp_path):
    """The Hodgkin–Huxley rate range comes from its simulated f–I curve, so it is
    checked when the populations' gains are solved, not by ``check``."""
    config = runner.resolve_config(experiment, {"hh_max_rates": "150.0, 200.0"})
    with pytest.raises(ValueError, match="max_rates must lie strictly between"):
        experiment.run(config, tmp_path)


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("tuning-curves", out=tmp_path / "run", overrides={
        "lif_neurons": "10", "hh_neurons": "5", "surface_neurons": "3",
        "t_stop": "0.5"})
    loaded = Results.load(folder / "results.h5")
    assert loaded.children("tuning_curves") == ["hh", "lif", "lif_2d"]
    assert {"x", "rates", "encoders", "intercepts", "max_rates"} <= set(
        loaded.children("tuning_curves/lif_2d"))
    assert loaded.attrs["tuning_curves/hh/rates"]["units"] == "Hz"
    assert loaded["tuning_curves/hh/rates"].shape == (2001, 5)
    assert_redrawn_alike(folder, ["tuning_curves.png", "tuning_surfaces.png"], tmp_path)
