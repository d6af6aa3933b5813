"""The ode-convergence experiment measures the orders of the methods."""

import numpy as np
import pytest

from neurosim import runner

EXPECTED = {"euler": (1.0, 0.1), "heun": (2.0, 0.15), "rk4": (4.0, 0.25)}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    experiment = runner.load_experiment("ode-convergence")
    config = runner.resolve_config(experiment)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


@pytest.mark.parametrize("problem", ["decay", "oscillator"])
@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_fitted_slopes_match_the_orders(results, problem, method):
    expected, tol = EXPECTED[method]
    slope = results.attrs[f"convergence/{problem}/{method}"]["slope"]
    assert slope == pytest.approx(expected, abs=tol)
    assert results.metrics[f"slope_{problem}_{method}"] == slope


@pytest.mark.parametrize("problem", ["decay", "oscillator"])
def test_rk45_error_falls_with_rtol(results, problem):
    errors = results[f"convergence/{problem}/rk45/error"]
    rtols = results[f"convergence/{problem}/rk45/rtol"]
    assert np.all(np.diff(rtols) < 0)
    assert np.all(np.diff(errors) < 0)
    assert errors[-1] < 1e-9
