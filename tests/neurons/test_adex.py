"""AdEx (neurosim/neurons/adex.py): the Naud et al. (2008) presets against scipy's
solve_ivp, firing patterns, parameter checks, and a group in a network.

Reference: DOP853 (rtol 1e-10, atol 1e-12) in t up to V = V_T + 5 Δ_T (an event),
then with V as the independent variable (dt/dV = 1/V', dw/dV = w'/V', rtol 1e-12)
up to V_peak, where V' is too steep for steps in t; reset to (V_r, w + b) and
restart. The kernel: one neuron in a Simulator under the preset's step current.

Measured largest spike-time error over the first second (every spike compared;
spike counts equal), fixed-step RK4:

    preset             spikes   dt = 0.1 ms   dt = 0.01 ms
    tonic                 104      9.4e-2 ms      5.6e-3 ms
    adapting               17      4.9e-3         6.6e-4
    initial_burst          18      1.7e-2         6.2e-4
    regular_bursting       17      4.9e-3         5.0e-4
    irregular (0.1 s)       7      1.0e-1         2.4e-2

The first spike (from rest, no reset) is within ~5e-6 ms at dt = 0.01 ms and
converges at about second order; errors then accumulate from spike to spike at
about first order in dt (w is integrated through the log-singular upstroke,
V ≈ −Δ_T ln(t* − t), in the step of each spike). The irregular set is chaotic (an
error grows ~10x per spike there; at dt = 2 µs the train still parts from the
reference after ~60 ms), so it is compared over its first 0.1 s.
"""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurosim as ns
from neurosim.neurons.adex import PRESETS, STEP_CURRENTS, AdEx

from .group_runs import kernel_spikes


def reference(neuron, current, t_stop):
    """Spike times (ms) of one AdEx neuron from rest under ``current`` (pA)."""
    p = neuron

    def rhs(t, y):
        v, w = y
        return [(-p.g_L * (v - p.E_L) + p.g_L * p.Delta_T * math.exp(
            (v - p.V_T) / p.Delta_T) - w + current) / p.C,
                (p.a * (v - p.E_L) - w) / p.tau_w]

    def by_v(v, y):
        dv, dw = rhs(0.0, [v, y[1]])
        assert dv > 0.0
        return [1.0 / dv, dw / dv]

    v_switch = p.V_T + 5.0 * p.Delta_T

    def upstroke(t, y):
        return y[0] - v_switch
    upstroke.terminal, upstroke.direction = True, 1
    t0, y, spikes = 0.0, [p.E_L, 0.0], []
    while True:
        sol = solve_ivp(rhs, (t0, t_stop), y, method="DOP853", rtol=1e-10, atol=1e-12,
                        events=upstroke)
        assert sol.status >= 0, sol.message
        if sol.t_events[0].size == 0:
            return np.array(spikes)
        up = solve_ivp(by_v, (v_switch, p.V_peak), [sol.t_events[0][0],
                                                      sol.y_events[0][0][1]],
                       method="DOP853", rtol=1e-12, atol=1e-12)
        t0 = up.y[0, -1]
        if t0 >= t_stop:
            return np.array(spikes)
        spikes.append(t0)
        y = [p.V_r, up.y[1, -1] + p.b]


WINDOW = {"irregular": 100.0}  # ms; the others 1000


def spike_time_error(name, dt):
    neuron = AdEx.preset(name)
    t_stop = WINDOW.get(name, 1000.0)
    ref = reference(neuron, STEP_CURRENTS[name], t_stop)
    got = kernel_spikes(neuron, STEP_CURRENTS[name], t_stop, dt)
    assert got.size == ref.size, (name, dt, got.size, ref.size)
    return np.abs(got - ref).max(), ref


#: the measured errors (ms) at dt = 0.1 and 0.01 ms (module docstring)
MEASURED = {"tonic": (9.4e-2, 5.6e-3), "adapting": (4.9e-3, 6.6e-4),
            "initial_burst": (1.7e-2, 6.2e-4), "regular_bursting": (4.9e-3, 5.0e-4),
            "irregular": (1.05e-1, 2.4e-2)}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_match_solve_ivp_and_converge(name):
    """Same spike count at both steps; errors within 1.5x the measured ones, and
    10x smaller steps cut the error at least 4x (first order in dt: 10x)."""
    coarse, _ = spike_time_error(name, 0.1)
    fine, ref = spike_time_error(name, 0.01)
    assert ref.size >= 7
    assert coarse < 1.5 * MEASURED[name][0], coarse
    assert fine < 1.5 * MEASURED[name][1], fine
    assert coarse / fine > 4.0, (coarse, fine)


def isis(name, t_stop=1000.0, dt=0.01):
    return np.diff(kernel_spikes(AdEx.preset(name), STEP_CURRENTS[name], t_stop, dt))


def test_firing_patterns():
    """adapting: the first 8 ISIs grow one after the other and the last is > 3x the
    first (measured 11.3 ms to ~62 ms); tonic: every ISI within 8 % of the
    last (measured 8.93 to 9.59 ms), the last 50 within 0.01 %; initial_burst:
    its first two ISIs < 1/4 of the last (measured ~2-5 ms vs ~50 ms)."""
    adapting = isis("adapting")
    assert np.all(np.diff(adapting[:8]) > 0.0) and adapting[-1] > 3.0 * adapting[0]
    tonic = isis("tonic")
    assert np.all(np.abs(tonic / tonic[-1] - 1.0) < 0.08)
    assert np.all(np.abs(tonic[-50:] / tonic[-1] - 1.0) < 1e-4)
    burst = isis("initial_burst")
    assert burst[:2].max() < 0.25 * burst[-1], burst[:4]


def test_presets_and_parameters_are_checked():
    with pytest.raises(ValueError, match="preset must be one of .*'tonic'.*got 'fast'"):
        AdEx.preset("fast")
    with pytest.raises(ValueError, match="Delta_T"):
        AdEx(Delta_T=0.0)
    with pytest.raises(ValueError, match="V_peak must lie in"):
        AdEx(V_peak=-55.0)
    with pytest.raises(ValueError, match="V_r must be below V_peak"):
        AdEx(V_r=5.0)
    with pytest.raises(ValueError, match="tau_w"):
        AdEx(tau_w=-1.0)
    assert AdEx.preset("adapting") == AdEx(**PRESETS["adapting"])


def step_once(state, i_ext, dt=1e-4):
    n = state.shape[1]
    spiked, after = np.empty(n, np.int64), np.empty(n)
    count = ns.AdEx().group_step()(state, i_ext, np.zeros((0, n)), np.zeros(0),
                                   np.zeros(0), np.zeros(0, np.int64), dt,
                                   AdEx().packed(), spiked, after, np.empty(n),
                                   np.zeros(n, np.bool_))
    return count, spiked[:max(count, 0)], after[:max(count, 0)]


def test_no_overflow_far_above_or_below_threshold_and_divergence_is_reported():
    """V far above V_peak spikes at the step's start (the whole step after it) and
    resets; V far below rest (−300 mV, within the z form's stability at this dt:
    adex.py) stays finite without spiking; a NaN potential is reported as -1 - i."""
    state = np.array([[500.0, -300.0, -70.0], [0.0, 0.0, 0.0]])
    with np.errstate(all="raise"):
        count, spiked, after = step_once(state, np.zeros(3))
    assert count == 1 and spiked[0] == 0 and after[0] == 1e-4
    assert np.all(np.isfinite(state)) and state[0, 0] < -60.0
    state[0, 2] = np.nan
    assert step_once(state, np.zeros(3))[0] == -3


def test_adapting_group_in_a_network_with_poisson_input():
    """50 "adapting" neurons at 400-600 pA, with Poisson conductance input, run in
    the Simulator: every neuron fires, at rates between 5 and 100 Hz over 0.5 s,
    and the probed V stays below V_peak."""
    net = ns.Network(seed=2)
    g = net.group(50, AdEx.preset("adapting"), label="A",
                  channels={"ge": ns.Conductance(5e-3, 0.0)},
                  current=ns.Uniform(400.0, 600.0))
    drive = net.poisson_group(100, 20.0, label="P")
    net.synapses(drive, g, p=0.1, weight=2.0)
    net.probe(g, "spikes")
    vp = net.probe(g, "voltage")
    res = ns.Simulator(net, dt=1e-4, seed=0).run(0.5)
    counts = np.bincount(res.spikes["A"].ids, minlength=50)
    assert np.all(counts >= 3) and np.all(counts <= 50), counts
    assert np.all(np.isfinite(res[vp])) and res[vp].max() < 0.0
