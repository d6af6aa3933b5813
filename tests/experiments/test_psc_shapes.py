"""The psc-shapes experiment measures unit areas, peaks at n tau, exact event
filtering and first-order Euler convergence."""

import math

import numpy as np
import pytest

from neurosim import ConfigError, Results, runner

from .cli import assert_redrawn_alike


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("psc-shapes")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def test_areas_are_one_and_peaks_lie_at_n_tau(results):
    taus = results["psc/shapes/tau"]
    assert list(taus) == [0.002, 0.005, 0.01, 0.02]
    for n in [0, 1, 2]:
        base = f"psc/shapes/n{n}"
        np.testing.assert_allclose(results[f"{base}/area"], 1.0, rtol=0, atol=1e-9)
        peak_error = np.abs(results[f"{base}/peak_time"] - n * taus) / taus
        assert np.all(peak_error < 1e-6)
        # h(n tau) = n^n e^-n / (n! tau), with 0^0 = 1
        expected = n ** n * math.exp(-n) / math.factorial(n) / taus
        np.testing.assert_allclose(results[f"{base}/peak_value"], expected, rtol=1e-9)
    assert results.metrics["max_area_error"] < 1e-9
    assert results.metrics["max_peak_time_error_over_tau"] < 1e-6


def test_stored_shapes_match_the_definition(results):
    t = results["psc/shapes/t"]
    for n in [0, 1, 2]:
        for k, tau in enumerate(results["psc/shapes/tau"]):
            closed = t ** n * np.exp(-t / tau) / (math.factorial(n) * tau ** (n + 1))
            np.testing.assert_allclose(results[f"psc/shapes/n{n}/h"][k], closed,
                                       rtol=1e-12, atol=0)


def test_filtered_train_equals_the_closed_form_sum(results):
    spikes = results.spikes["poisson"]
    t = results["psc/train/t"]
    assert 20 < spikes.times.size < 70  # Poisson, mean 40
    for j, (tau, n) in enumerate(zip(results["psc/train/tau"], results["psc/train/n"])):
        lag = t[:, None] - spikes.times[None, :]
        closed = np.where(lag >= 0, np.maximum(lag, 0) ** n * np.exp(-lag / tau), 0.0)
        closed = closed.sum(axis=1) / (math.factorial(n) * tau ** (n + 1))
        np.testing.assert_allclose(results["psc/train/filtered"][:, j], closed,
                                   rtol=1e-10, atol=1e-10 * closed.max())
    assert results.metrics["train_max_relative_error"] < 1e-12


@pytest.mark.parametrize("n", [0, 1, 2])
def test_euler_converges_with_order_one(results, n):
    slope = results.attrs[f"psc/euler/n{n}"]["slope"]
    assert slope == pytest.approx(1.0, abs=0.1)
    assert results.metrics[f"euler_order_n{n}"] == slope
    errors = results[f"psc/euler/n{n}/error"]
    assert np.all(np.diff(errors) < 0)
    assert errors[-1] < 5e-3  # dt = 62.5 us, tau = 10 ms
    assert results.metrics["exact_grid_filter_max_relative_error"] < 1e-12


def test_same_seed_same_train_other_seed_other_train(experiment, results, tmp_path):
    config = runner.resolve_config(experiment, {"euler_halvings": "1"}, seed=0)
    again = experiment.run(config, tmp_path)
    np.testing.assert_array_equal(again.spikes["poisson"].times,
                                  results.spikes["poisson"].times)
    other = experiment.run(runner.resolve_config(experiment, {"euler_halvings": "1"},
                                                 seed=1), tmp_path)
    assert not np.array_equal(other.spikes["poisson"].times,
                              results.spikes["poisson"].times)


def test_unpaired_train_filters_are_refused(experiment):
    with pytest.raises(ConfigError, match="train_tau and train_n .* 3 and 2"):
        runner.resolve_config(experiment, {"train_n": "[0, 1]"})


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("psc-shapes", {"euler_halvings": "2", "shape_samples": "201"},
                        out=tmp_path / "run")
    assert Results.load(folder / "results.h5").metrics["euler_order_min"] > 0.9
    assert_redrawn_alike(folder, ["psc_filtering.png", "psc_shapes.png"], tmp_path)
