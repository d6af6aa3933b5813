"""Rate neurons, the inputs simulate accepts, and what it refuses."""

import math

import numpy as np
import pytest

import neurosim as ns

from ..lif_reference import lif_rate

J = np.linspace(-4.0, 4.0, 17)


@pytest.mark.parametrize("neuron, expected", [
    (ns.Sigmoid(), 1.0 / (1.0 + np.exp(-J))),
    (ns.Tanh(amplitude=100.0), 100.0 * np.tanh(J)),
    (ns.Arctan(), np.arctan(J)),
    (ns.Threshold(), (J >= 0).astype(float)),
    (ns.ReLU(amplitude=50.0), 50.0 * np.maximum(J, 0.0)),
    (ns.Softplus(), np.log1p(np.exp(J))),
])
def test_rate_neurons_follow_their_activation(neuron, expected):
    np.testing.assert_allclose(neuron.rates(J), expected, rtol=1e-14, atol=1e-15)


def test_rate_neurons_do_not_overflow():
    with np.errstate(over="raise", invalid="raise"):
        assert ns.Sigmoid().rates(-1000.0) == 0.0
        assert ns.Softplus().rates(1000.0) == 1000.0


def test_lif_rate_is_the_lif_curve():
    current = J + 5.0  # from 1 (threshold) to 9
    np.testing.assert_allclose(ns.LIFRate(tau_ref=0.001).rates(current),
                               lif_rate(current, tau_ref=0.001), rtol=1e-12)


def test_simulating_a_rate_neuron_gives_its_rate_over_time():
    run = ns.simulate(ns.ReLU(amplitude=10.0), lambda t: np.sin(2 * np.pi * t), 1.0,
                      dt=1e-3)
    expected = 10.0 * np.maximum(np.sin(2 * np.pi * np.arange(1001).clip(max=999)
                                        * 1e-3), 0.0)
    np.testing.assert_allclose(run.rate[:, 0], expected, atol=1e-12)
    assert run.spike_times[0].size == 0


def test_current_forms_agree():
    lif = ns.LIF()
    scalar = ns.simulate(lif, 2.0, 0.2, record=())
    per_neuron = ns.simulate(lif, [2.0, 2.0], 0.2, record=())
    table = ns.simulate(lif, np.full((200, 1), 2.0), 0.2, record=())
    function = ns.simulate(lif, lambda t: 2.0 + 0 * t, 0.2, record=())
    for other in (per_neuron.spike_times[1], table.spike_times[0],
                  function.spike_times[0]):
        np.testing.assert_array_equal(other, scalar.spike_times[0])


def test_results_hold_spikes_report_and_traces(tmp_path):
    run = ns.simulate(ns.HodgkinHuxley(), [8.0, 12.0], 0.05, record=("v", "m", "h", "n"),
                      record_every=1e-4)
    res = ns.Results("demo")
    run.add_to(res, "hh")
    back = ns.Results.load(res.save(tmp_path / "r.h5"))
    times, ids = run.spikes()
    np.testing.assert_allclose(back.spikes["hh"].times, times, rtol=1e-15)
    np.testing.assert_array_equal(back.spikes["hh"].ids, ids)
    report = back.reports["hh"]
    assert report.units == "mV" and report.variable == "v"
    assert report.dt == pytest.approx(1e-4)
    np.testing.assert_allclose(report.data, run.v.astype(np.float32))
    np.testing.assert_allclose(back["traces/hh/m"], run.m)
    per_neuron = back.spikes["hh"].per_neuron()
    for a, b in zip(per_neuron, run.spike_times):
        np.testing.assert_allclose(a, b, rtol=1e-15)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(neuron="LIF"), TypeError, "neuron must be a neuron type"),
    (dict(t_stop=0.0), ValueError, r"t_stop \(s\) must be > 0"),
    (dict(dt=-1e-3), ValueError, r"dt \(s\) must be > 0"),
    (dict(dt=2.0), ValueError, "dt must not exceed t_stop"),
    (dict(method="rk2"), ValueError, r"method must be one of \['euler', 'exact', "),
    (dict(record=("w",)), ValueError, "LIF has no state 'w'; its states are"),
    (dict(record_every=0), ValueError, r"record_every \(s\) must be > 0"),
    (dict(record_every=1.5e-3), ValueError, r"record_every must be a whole number of "
     r"steps of dt = 0.001 s, got 0.0015 s \(1.5 steps\); nearest allowed: 0.001 s "
     r"or 0.002 s"),
    (dict(current=np.ones((5, 2))), ValueError, "one row per step"),
    (dict(current=[np.nan]), ValueError, "current must be finite"),
    (dict(current=lambda t: np.ones(3)), ValueError, r"current\(t\) must return"),
    (dict(current=lambda t: 1 / 0), TypeError, r"current\(t\) failed"),
    (dict(initial_state={"u": 0.0}), ValueError, "initial_state: unknown state 'u'"),
])
def test_bad_requests_are_refused(kwargs, error, match):
    args = dict(neuron=ns.LIF(), current=2.0, t_stop=1.0)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        ns.simulate(**args)


def test_rates_validates_and_caches():
    hh = ns.HodgkinHuxley()
    first = ns.rates(hh, [7.0, 9.0], t_stop=0.4)
    again = ns.rates(hh, [7.0, 9.0], t_stop=0.4)
    np.testing.assert_array_equal(first, again)
    again[0] = -1.0
    assert ns.rates(hh, [7.0, 9.0], t_stop=0.4)[0] == first[0]  # cache not exposed
    with pytest.raises(ValueError, match="transient must be < 1"):
        ns.rates(hh, [7.0], transient=1.0)
    assert ns.rates(ns.LIF(), [2.0])[0] == pytest.approx(
        1.0 / (0.002 + 0.02 * math.log(2.0)))
