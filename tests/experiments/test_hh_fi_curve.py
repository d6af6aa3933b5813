"""The hh-fi-curve experiment reproduces the known facts of the classic HH model.

From rest, with the rate measured over the second half of a 1 s run: no repetitive
firing at 6.2 µA/cm², firing at 52–54 Hz at 6.3 µA/cm² (class II: the rate jumps
from 0 to about 50 Hz at the onset, between the two), 68–69 Hz at 10 µA/cm².
"""

import numpy as np
import pytest

from neurosim import ConfigError, Results, runner

from .cli import assert_redrawn_alike

METHODS = ["exp_euler", "rk4", "rk45", "euler"]


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("hh-fi-curve")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment)
    assert config["methods"] == METHODS
    return experiment.run(config, tmp_path_factory.mktemp("run"))


@pytest.mark.parametrize("method", METHODS)
def test_known_rates_at_6_2_6_3_and_10(results, method):
    metrics = results.metrics
    assert metrics[f"rate_{method}_I6.2"] == 0.0
    assert 52.0 <= metrics[f"rate_{method}_I6.3"] <= 54.0
    assert 68.0 <= metrics[f"rate_{method}_I10"] <= 69.0
    currents = results[f"fi_curves/hh_{method}/I"]
    rates = results[f"fi_curves/hh_{method}/rates"]
    for current in (6.2, 6.3, 10.0):
        assert rates[currents == current][0] == metrics[f"rate_{method}_I{current:g}"]


@pytest.mark.parametrize("method", METHODS)
def test_onset_is_a_jump_between_6_2_and_6_3(results, method):
    base = f"fi_curves/hh_{method}"
    currents, rates = results[f"{base}/I"], results[f"{base}/rates"]
    assert currents[0] == 0.0 and currents[-1] == 20.0
    assert np.all(np.diff(currents) > 0)
    onset = results.metrics[f"onset_{method}"]
    assert 6.2 < onset <= 6.3
    assert results.attrs[base]["onset"] == onset
    assert np.all(rates[currents < onset] == 0.0)
    above = rates[currents >= onset]
    # class II: the first firing rate is already about 50 Hz, then it rises
    assert 45.0 < above[0] == results.metrics[f"onset_rate_{method}"] < 54.0
    assert np.all(np.diff(above) > 0)
    assert 85.0 < above[-1] < 90.0  # 20 uA/cm^2
    # the onset was refined to 0.01 uA/cm^2: the current just below it is silent
    below = currents[currents < onset][-1]
    assert onset - below == pytest.approx(0.01, abs=1e-9)


def test_the_accurate_methods_agree(results):
    """rk4 and rk45 agree to 1e-4; exp_euler to 0.1 %, euler to 1.5 % (first
    order) above the onset, on the shared grid."""
    def curve(method):
        base = f"fi_curves/hh_{method}"
        currents, rates = results[f"{base}/I"], results[f"{base}/rates"]
        keep = np.isin(currents, np.arange(6.5, 20.01, 0.25))
        return currents[keep], rates[keep]
    grid, reference = curve("rk45")
    assert grid.size == 55
    for method, rtol in (("rk4", 1e-4), ("exp_euler", 1e-3), ("euler", 1.5e-2)):
        currents, rates = curve(method)
        np.testing.assert_array_equal(currents, grid)
        np.testing.assert_allclose(rates, reference, rtol=rtol)


@pytest.mark.parametrize("overrides, match", [
    ({"I_max": "-1.0"}, "I_max must be above I_min"),
    ({"methods": "exp_euler, heun"}, "methods entry must be one of"),
    ({"methods": "[]"}, "methods must name at least one method"),
    ({"I_step": "0.0"}, "I_step .* must be > 0"),
    ({"onset_resolution": "0.0"}, "onset_resolution .* must be > 0"),
])
def test_bad_settings_are_refused(experiment, overrides, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(experiment, overrides)


def test_run_then_redraw_from_the_file_gives_identical_figures(tmp_path):
    folder = runner.run("hh-fi-curve", {"methods": "rk4", "I_step": "1.0"},
                        out=tmp_path / "run")
    loaded = Results.load(folder / "results.h5")
    assert loaded.attrs["fi_curves/hh_rk4/rates"]["units"] == "Hz"
    assert loaded.attrs["fi_curves/hh_rk4/I"]["units"] == "uA/cm^2"
    assert 6.2 < loaded.metrics["onset_rk4"] <= 6.3
    assert_redrawn_alike(folder, ["hh_fi_curve.png"], tmp_path)
