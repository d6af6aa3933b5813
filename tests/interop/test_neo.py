"""Neo spike trains from results, and Elephant's statistics on them."""

import sys

import numpy as np
import pytest

import neurosim as ns
from neurosim.export_neo import recording_window, to_neo
from tests.interop import run_hh_spike_train
from tests.test_results_file import synthetic_results

TIME_TOL_S = 1e-12


@pytest.fixture
def neo():
    return pytest.importorskip("neo", reason="neo not installed: pip install "
                               "'neurosim[neo]'")


@pytest.fixture
def statistics():
    return pytest.importorskip("elephant.statistics", reason="elephant not installed: "
                               "pip install 'neurosim[neo]'")


@pytest.fixture(scope="module")
def hh_file(tmp_path_factory):
    return run_hh_spike_train(tmp_path_factory.mktemp("hh") / "run")


def hz(rate) -> float:
    return float(rate.rescale("Hz").magnitude)


def test_hh_spike_train_as_neo_and_its_elephant_rate(neo, statistics, hh_file):
    res = ns.Results.load(hh_file)
    (train,) = to_neo(hh_file)
    assert isinstance(train, neo.SpikeTrain)
    assert train.dimensionality.string == "s"
    assert float(train.t_start.rescale("s")) == 0.0
    assert float(train.t_stop.rescale("s")) == res.config["t_stop"] == 0.1
    assert train.annotations == {"population": "hh", "neuron_id": 0}
    assert train.name == "hh[0]"
    np.testing.assert_allclose(train.rescale("s").magnitude, res.spikes["hh"].times,
                               rtol=0, atol=TIME_TOL_S)
    ours = res.metrics["n_spikes"] / res.config["t_stop"]  # 5 spikes / 0.1 s = 50 Hz
    assert ours == pytest.approx(50.0, rel=1e-12)
    assert hz(statistics.mean_firing_rate(train)) == pytest.approx(ours, rel=1e-12)


def test_every_neuron_gets_a_train_and_elephant_agrees_on_each_rate(neo, statistics):
    res, _, _ = synthetic_results()
    res.add_spikes("silent", [], [], n_neurons=3)
    trains = to_neo(res, t_stop=2.5)
    assert len(trains) == 53
    assert [t.annotations["population"] for t in trains] == ["cells"] * 50 + \
        ["silent"] * 3
    assert [t.annotations["neuron_id"] for t in trains] == list(range(50)) + \
        list(range(3))
    per_neuron = res.spikes["cells"].per_neuron() + res.spikes["silent"].per_neuron()
    for train, times in zip(trains, per_neuron):
        np.testing.assert_allclose(train.rescale("s").magnitude, times, rtol=0,
                                   atol=TIME_TOL_S)
        assert hz(statistics.mean_firing_rate(train)) == pytest.approx(
            times.size / 2.5, rel=1e-12, abs=0.0)
    assert sum(t.size for t in trains) == 500


def test_one_population_and_an_explicit_window(neo):
    res, _, _ = synthetic_results()
    res.add_spikes("other", [0.25], [1], n_neurons=2)
    trains = to_neo(res, population="other", t_start=-1.0, t_stop=1.0)
    assert [t.name for t in trains] == ["other[0]", "other[1]"]
    assert [t.size for t in trains] == [0, 1]
    assert float(trains[1][0].rescale("s")) == 0.25
    assert float(trains[0].t_start.rescale("s")) == -1.0


def test_bad_requests_are_refused(neo):
    res, _, _ = synthetic_results()
    with pytest.raises(KeyError, match="population 'nope' has no spikes"):
        to_neo(res, population="nope")
    with pytest.raises(ValueError, match="outside the window"):
        to_neo(res, t_stop=1.0)
    with pytest.raises(ValueError, match="t_stop must be > t_start"):
        to_neo(res, t_start=2.0, t_stop=2.0)
    with pytest.raises(TypeError, match="t_stop \\(s\\) must be a real number"):
        to_neo(res, t_stop="1")
    with pytest.raises(TypeError, match="results must be a neurosim.Results"):
        to_neo([1, 2])


def test_without_neo_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "neo", None)  # import neo -> ImportError
    res, _, _ = synthetic_results()
    with pytest.raises(ImportError, match=r"pip install 'neurosim\[neo\]'"):
        to_neo(res)


def test_the_recording_window_comes_from_the_run():
    res = ns.Results(config={"t_stop": 0.5})
    res.add_spikes("p", [0.1, 0.2], [0, 1])
    assert recording_window(res) == (0.0, 0.5)  # the configured t_stop
    res.metrics["t_stop"] = 0.75
    assert recording_window(res) == (0.0, 0.75)  # what the simulator ran wins
    res.add_report("p", np.zeros((11, 2)), t0=-0.1, dt=0.1, units="mV")
    assert recording_window(res) == (-0.1, pytest.approx(0.9, abs=1e-15))  # widened
    bare = ns.Results()
    bare.add_spikes("p", [0.3, 0.4], [0, 0])
    assert recording_window(bare) == (0.0, 0.4)  # nothing said: the last spike
    assert recording_window(ns.Results()) == (0.0, 0.0)
