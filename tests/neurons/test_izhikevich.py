"""Izhikevich (neurosim/neurons/izhikevich.py): the 2003 presets against scipy's
solve_ivp, firing patterns, parameter checks, and a group in a network.

Reference: DOP853 (rtol 1e-10, atol 1e-12) with an event at v = v_peak, reset to
(c, u + d) and restart. The kernel: one neuron in a Simulator under I = 10.

Measured largest spike-time error over 1 s (every spike compared; spike counts
equal), fixed-step RK4 (second order in dt, from the linear interpolation of
the crossing):

    preset   spikes   dt = 0.1 ms   dt = 0.01 ms
    RS           23      1.5e-1 ms      1.4e-3 ms
    IB           34      1.7e-1         1.8e-3
    CH           87      3.9e-1         5.2e-3
    FS          137      1.25           1.3e-2
    LTS          78      4.9e-1         9.0e-3

Errors accumulate from spike to spike; the first spike is within 2e-5 to 5e-5 ms
at dt = 0.01 ms.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurosim as ns
from neurosim.neurons.izhikevich import PRESETS, STEP_CURRENTS, Izhikevich

from .group_runs import kernel_spikes


def reference(neuron, current, t_stop):
    """Spike times (ms) of one neuron from its initial state under ``current``."""
    p = neuron

    def rhs(t, y):
        v, u = y
        return [0.04 * v * v + 5.0 * v + 140.0 - u + current, p.a * (p.b * v - u)]

    def peak(t, y):
        return y[0] - p.v_peak
    peak.terminal, peak.direction = True, 1
    t0, y, spikes = 0.0, [p.v_init, p.b * p.v_init], []
    while True:
        sol = solve_ivp(rhs, (t0, t_stop), y, method="DOP853", rtol=1e-10, atol=1e-12,
                        events=peak)
        assert sol.status >= 0, sol.message
        if sol.t_events[0].size == 0:
            return np.array(spikes)
        t0 = sol.t_events[0][0]
        spikes.append(t0)
        y = [p.c, sol.y_events[0][0][1] + p.d]


T_STOP = 1000.0  # ms


def spike_time_error(name, dt):
    neuron = Izhikevich.preset(name)
    ref = reference(neuron, STEP_CURRENTS[name], T_STOP)
    got = kernel_spikes(neuron, STEP_CURRENTS[name], T_STOP, dt)
    assert got.size == ref.size, (name, dt, got.size, ref.size)
    return np.abs(got - ref).max(), ref


#: the measured errors (ms) at dt = 0.1 and 0.01 ms (module docstring)
MEASURED = {"RS": (0.153, 1.42e-3), "IB": (0.172, 1.78e-3), "CH": (0.393, 5.25e-3),
            "FS": (1.25, 1.33e-2), "LTS": (0.494, 9.02e-3)}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_match_solve_ivp_and_converge(name):
    """Same spike count over 1 s at both steps; errors within 1.5x the measured
    ones, and 10x smaller steps cut the error at least 50x (second order: 100x)."""
    coarse, _ = spike_time_error(name, 0.1)
    fine, ref = spike_time_error(name, 0.01)
    assert ref.size >= 20
    assert coarse < 1.5 * MEASURED[name][0], coarse
    assert fine < 1.5 * MEASURED[name][1], fine
    assert coarse / fine > 50.0, (coarse, fine)


def isis(name, dt=0.01):
    neuron = Izhikevich.preset(name)
    return np.diff(kernel_spikes(neuron, STEP_CURRENTS[name], T_STOP, dt))


def test_firing_patterns():
    """Under I = 10 for 1 s (measured ISIs in ms):
    IB bursts first, then fires tonically: its first two ISIs < 5 (2.3, 4.2), every
    ISI from the fourth on > 25 and within 0.1 % of the last (31.2).
    CH bursts again and again: >= 15 long ISIs (> 20; 46-48) in 1 s, each after at
    least 3 short ones (< 6; 1.4-4.8).
    FS fires fast without adaptation in steady state: > 100 Hz, > 5x RS's rate, its
    ISIs from the tenth on within 0.01 % of each other (7.34)."""
    ib = isis("IB")
    assert ib[:2].max() < 5.0
    assert ib[3:].min() > 25.0 and np.all(np.abs(ib[3:] / ib[-1] - 1.0) < 1e-3)
    ch = isis("CH")
    long = np.flatnonzero(ch > 20.0)
    assert long.size >= 15
    gaps = np.diff(np.concatenate([[-1], long])) - 1  # short ISIs before each long one
    assert gaps.min() >= 3 and np.all(ch[ch <= 20.0] < 6.0)
    fs, rs = isis("FS"), isis("RS")
    assert fs.size + 1 > 100 and fs.size > 5 * rs.size
    assert fs[9:].max() < 1.0001 * fs[9:].min()


def test_presets_and_parameters_are_checked():
    with pytest.raises(ValueError, match="preset must be one of .*'RS'.*got 'XX'"):
        Izhikevich.preset("XX")
    with pytest.raises(ValueError, match="a \\(1/ms\\) must be > 0"):
        Izhikevich(a=0.0)
    with pytest.raises(ValueError, match="c must be below v_peak"):
        Izhikevich(c=40.0)
    assert Izhikevich.preset("CH") == Izhikevich(**PRESETS["CH"])


def test_divergence_is_reported():
    n = 3
    state = np.array([[-65.0, np.nan, -65.0], [-13.0, -13.0, -13.0]])
    spiked, after = np.empty(n, np.int64), np.empty(n)
    count = Izhikevich.group_step()(state, np.zeros(n), np.zeros((0, n)), np.zeros(0),
                                    np.zeros(0), np.zeros(0, np.int64), 1e-4,
                                    Izhikevich().packed(), spiked, after, np.empty(n),
                                    np.zeros(n, np.bool_))
    assert count == -2


def test_groups_of_each_type_in_a_network():
    """Groups of every preset side by side, with current and Poisson conductance
    input, in one Simulator: every neuron fires; the probed v stays below v_peak."""
    net = ns.Network(seed=4)
    drive = net.poisson_group(100, 20.0, label="P")
    labels = []
    for name in sorted(PRESETS):
        g = net.group(20, Izhikevich.preset(name), label=name,
                      channels={"ge": ns.Conductance(5e-3, 0.0)},
                      current=ns.Uniform(8.0, 12.0))
        net.synapses(drive, g, p=0.1, weight=0.05)
        net.probe(g, "spikes")
        labels.append((name, net.probe(g, "voltage")))
    res = ns.Simulator(net, dt=1e-4, seed=0).run(0.3)
    for name, vp in labels:
        counts = np.bincount(res.spikes[name].ids, minlength=20)
        assert counts.min() >= 3, (name, counts)
        assert np.all(np.isfinite(res[vp])) and res[vp].max() < 30.0
