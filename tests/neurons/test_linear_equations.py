"""Exact steps of equation models that are linear (``linear_step``): found by
evaluating the right-hand side, stepped by the exponential of the augmented
system, spikes where the exact trajectory crosses the threshold (Newton)."""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurosim as ns
from neurosim.neurons.linear_step import expm, linear_structure

LIF = dict(equations="dv/dt = (E_L - v + R*I)/tau_m", threshold="v >= V_th",
           reset="v = V_r", refractory=2.0, initial={"v": -65.0},
           namespace=dict(E_L=-65.0, R=10.0, tau_m=20.0, V_th=-50.0, V_r=-65.0))
#: A coupled linear model: subthreshold (a) and spike-triggered (b) adaptation.
ALIF = dict(equations="""
        dv/dt = (E_L - v + R*(I - w))/tau_m
        dw/dt = (a*(v - E_L) - w)/tau_w
    """, threshold="v >= V_th", reset="v = V_r; w += b", refractory=2.0,
            initial={"v": -65.0, "w": 0.0},
            namespace=dict(E_L=-65.0, R=10.0, tau_m=20.0, a=0.02, tau_w=100.0, b=0.1,
                           V_th=-50.0, V_r=-60.0))


def test_linear_structure_finds_affine_right_hand_sides_only():
    A, g, f = linear_structure(lambda x, i: [2.0 * x[0] - x[1] + 3.0 * i + 1.0,
                                             0.5 * x[0]], 2, np.ones(2))
    np.testing.assert_array_equal(A, [[2.0, -1.0], [0.5, 0.0]])
    np.testing.assert_array_equal(g, [3.0, 0.0])
    np.testing.assert_array_equal(f, [1.0, 0.0])
    for nonlinear in (lambda x, i: [x[0] * x[0] + i], lambda x, i: [math.exp(x[0])],
                      lambda x, i: [x[0] * i], lambda x, i: [math.log(x[0])]):
        assert linear_structure(nonlinear, 1, np.ones(1)) is None
    assert ns.EquationNeuron(**LIF).methods == ("exact", "rk45")
    assert ns.EquationNeuron(**ALIF).methods == ("exact", "rk45")
    assert ns.EquationNeuron(**LIF, method="rk4").methods == ("rk4", "rk45")


def test_expm_against_closed_forms():
    np.testing.assert_allclose(expm(np.array([[-2.0]]), 0.7), [[math.exp(-1.4)]],
                               rtol=1e-15)
    rotation = expm(np.array([[0.0, -3.0], [3.0, 0.0]]), 2.0)  # 6 rad, squarings
    np.testing.assert_allclose(rotation, [[math.cos(6.0), -math.sin(6.0)],
                                          [math.sin(6.0), math.cos(6.0)]],
                               rtol=0, atol=1e-13)


def test_euler_on_request_is_first_order():
    """Forward Euler: the error of the first spike time halves with dt."""
    first = 20.0 * math.log(20.0 / 5.0)
    errors = [abs(ns.simulate(ns.EquationNeuron(**LIF, method="euler"), [2.0], 0.03,
                              dt=dt).spike_times[0][0] * 1e3 - first)
              for dt in (1e-4, 5e-5, 2.5e-5)]
    assert errors[0] > 1e-3
    np.testing.assert_allclose(np.array(errors[:-1]) / errors[1:], 2.0, rtol=0.1)


@pytest.mark.parametrize("dt", [1e-4, 1e-3])
def test_exact_lif_spikes_at_the_closed_form_times(dt):
    run = ns.simulate(ns.EquationNeuron(**LIF), [2.0], 0.2, dt=dt)
    times = run.spike_times[0] * 1e3  # R I = 20 mV, θ = 15 mV above rest
    first = 20.0 * math.log(20.0 / 5.0)
    want = first + (2.0 + first) * np.arange(times.size)
    assert times.size == 6
    assert np.max(np.abs(times - want)) < 1e-8  # measured 2.8e-11 and 7.0e-12 ms


def _alif_reference(current, t_stop):
    """solve_ivp (DOP853, rtol 1e-12) with the threshold as an event, the reset,
    and v held (w free) while refractory; spike times in ms."""
    p = ALIF["namespace"]

    def free(t, y):
        v, w = y
        return [(p["E_L"] - v + p["R"] * (current - w)) / p["tau_m"],
                (p["a"] * (v - p["E_L"]) - w) / p["tau_w"]]

    def held(t, y):
        return [0.0, (p["a"] * (y[0] - p["E_L"]) - y[1]) / p["tau_w"]]

    def crossing(t, y):
        return y[0] - p["V_th"]
    crossing.terminal, crossing.direction = True, 1
    t, y, spikes = 0.0, [-65.0, 0.0], []
    while t < t_stop:
        sol = solve_ivp(free, (t, t_stop), y, method="DOP853", rtol=1e-12, atol=1e-12,
                        events=crossing)
        if sol.status != 1:
            break
        t = sol.t_events[0][0]
        spikes.append(t)
        y = [p["V_r"], sol.y_events[0][0][1] + p["b"]]
        end = min(t + ALIF["refractory"], t_stop)
        y = list(solve_ivp(held, (t, end), y, method="DOP853", rtol=1e-12,
                           atol=1e-12).y[:, -1])
        t = end
    return np.array(spikes)


def test_a_coupled_linear_model_against_solve_ivp():
    run = ns.simulate(ns.EquationNeuron(**ALIF), [2.5], 0.3, dt=1e-4)
    got = run.spike_times[0] * 1e3
    ref = _alif_reference(2.5, 300.0)
    assert got.size == ref.size > 10
    assert np.max(np.abs(got - ref)) < 1e-7  # measured 1.8e-10 ms (RK4: 4.1e-4 ms)


def _two_groups(neuron_a, neuron_b, channel, weight, t_stop=0.2):
    """Both groups driven by the same Poisson spikes into ``channel``; V of each."""
    net = ns.Network(seed=4)
    a = net.group(1, neuron_a, label="A", channels={"x": channel}, current=1.0)
    b = net.group(1, neuron_b, label="B", channels={"x": channel}, current=1.0)
    src = net.poisson_group(10, 80.0, label="P")
    for post in (a, b):
        net.synapses(src, post, rule=ns.AllToAll(), weight=weight, synapse="x")
    va, vb = net.probe(a, "v"), net.probe(b, "v")
    res = ns.Simulator(net, dt=1e-4, seed=0).run(t_stop)
    return res[va][:, 0], res[vb][:, 0]


def test_current_channels_follow_the_built_in_iaf_below_threshold():
    """IAF integrates an exponential current exactly; the exact step's quadratic
    input is third order in dt / tau (measured 1.2e-12 mV over 0.2 s)."""
    quiet = {**LIF, "namespace": {**LIF["namespace"], "R": 1.0, "V_th": 1e9}}
    iaf = ns.IAF(V_rest=-65.0, V_th=1e9, V_reset=-65.0, tau_m=20.0, tau_ref=2.0)
    ours, built_in = _two_groups(ns.EquationNeuron(**quiet), iaf, ns.PSC(5e-3), 1.0)
    assert np.ptp(built_in) > 5.0  # the input moves V by several mV
    np.testing.assert_allclose(ours, built_in, rtol=0, atol=1e-9)


def test_conductance_input_falls_back_on_rk4():
    """Not linear with a conductance: those steps are RK4's, and the two models
    differ only by RK4's truncation in the steps without conductance (measured
    5.4e-13 mV)."""
    quiet = {**LIF, "namespace": {**LIF["namespace"], "V_th": 1e9}}
    exact, rk4 = _two_groups(ns.EquationNeuron(**quiet),
                             ns.EquationNeuron(**quiet, method="rk4"),
                             ns.Conductance(5e-3, 0.0), 0.2)
    assert np.ptp(exact) > 1.0
    np.testing.assert_allclose(exact, rk4, rtol=0, atol=1e-9)


def test_exact_on_nonlinear_equations_is_refused():
    with pytest.raises(ValueError, match="method 'exact' needs equations linear"):
        ns.EquationNeuron("dv/dt = v*v + I", threshold="v > 1", method="exact")
    with pytest.raises(ValueError, match="method must be 'exact', 'rk4', 'euler' or "
                                         "None, got 'rk2'"):
        ns.EquationNeuron(**LIF, method="rk2")


def test_spikes_under_current_channels_against_solve_ivp():
    """Poisson spikes into an exponential current channel (acting from the end of
    their step): the exact step's spike times against solve_ivp of the same input
    in closed form, with the threshold as an event and the refractory hold."""
    p, tau_syn, weight = LIF["namespace"], 5.0, 2.0  # ms, nA
    net = ns.Network(seed=2)
    group = net.group(1, ns.EquationNeuron(**LIF), label="G",
                      channels={"x": ns.PSC(tau_syn * 1e-3)}, current=1.2)
    src = net.poisson_group(5, 60.0, label="P")
    net.synapses(src, group, rule=ns.AllToAll(), weight=weight, synapse="x")
    net.probe(group, "spikes")
    net.probe(src, "spikes")
    res = ns.Simulator(net, dt=1e-4, seed=0).run(0.3)
    arrivals = np.ceil(np.round(res.spikes["P"].times / 1e-4, 6)) * 0.1  # ms

    def current(t):
        past = arrivals[arrivals < t]
        return 1.2 + weight * np.exp(-(t - past) / tau_syn).sum()

    def free(t, y):
        return [(p["E_L"] - y[0] + p["R"] * current(t)) / p["tau_m"]]

    def crossing(t, y):
        return y[0] - p["V_th"]
    crossing.terminal, crossing.direction = True, 1
    edges = np.unique(np.concatenate([arrivals, [300.0]]))
    t, v, want = 0.0, -65.0, []
    while t < 300.0:
        stop = edges[edges > t + 1e-12][0]  # integrate between arrivals
        sol = solve_ivp(free, (t, stop), [v], method="DOP853", rtol=1e-12, atol=1e-12,
                        events=crossing)
        if sol.status == 1:
            t = sol.t_events[0][0] + ALIF["refractory"]  # held at V_r meanwhile
            want.append(sol.t_events[0][0])
            v = p["V_r"]
        else:
            t, v = stop, sol.y[0, -1]
    got = res.spikes["G"].times * 1e3
    assert got.size == len(want) > 5
    assert np.max(np.abs(got - np.array(want))) < 1e-6  # measured 4.5e-8 ms
