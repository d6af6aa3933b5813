"""One neuron receiving spikes through one synapse, against independent references:
scipy's solve_ivp (DOP853, rtol 1e-10, atol 1e-12) and closed forms.

The pre-synaptic spikes come from IAF "driver" neurons with a constant current I
starting at rest: V(t) = V_rest + R I (1 − e^(−t/τ_m)) crosses V_th at

    t* = τ_m ln(R I / (R I − (V_th − V_rest)))

and the driver's exact update puts that spike in step k = ceil(t*/dt) (the step
ending at t_k = k dt). By the kernel's scheduling (sparse_kernel's docstring) a
spike in step k with a delay of d steps acts from step k + d + 1 on: the channel
holds the weight w at the start of that step, t_arr = (k + d) dt, and decays from
there. Every reference below starts its input at that t_arr.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurosim as ns

TAU_DRIVER = 20.0  # ms
DRIVER = ns.IAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau_m=TAU_DRIVER,
                tau_ref=1e6)  # fires once: its refractory period outlasts the run


def driver_current(t_star):
    """The current (nA, R = 1 MΩ) that makes DRIVER fire first at t_star (s)."""
    return 15.0 / (1.0 - np.exp(-np.asarray(t_star) / (TAU_DRIVER * 1e-3)))


def spike_steps(times, dt):
    """Steps of recorded spikes: a spike in step k is recorded in [t_{k-1}, t_k)."""
    return (np.floor(np.asarray(times) / dt + 1e-6) + 1).astype(int)


def one_synapse(dt, neuron, channel, weight, t_star=(27.7259e-3,), delay=0.0,
                t_stop=0.08):
    """Drivers firing at t_star onto one neuron of ``neuron`` through channel
    ``channel``; returns (results, voltage probe, arrival times (s))."""
    t_star = np.asarray(t_star)
    net = ns.Network()
    drive = net.group(t_star.size, DRIVER, label="D", current=driver_current(t_star))
    post = net.group(1, neuron, label="P", channels={"x": channel})
    net.synapses(drive, post, rule=ns.Explicit(np.arange(t_star.size),
                                               np.zeros(t_star.size, int)),
                 weight=weight, delay=delay)
    net.probe(drive, "spikes")
    net.probe(post, "spikes")
    vp = net.probe(post, "voltage")
    res = ns.Simulator(net, dt=dt, seed=0).run(t_stop)
    k = np.ceil(t_star / dt).astype(int)
    # the drivers fired where the closed form says (so the arrivals are known)
    got = np.sort(spike_steps(res.spikes["D"].times, dt))
    np.testing.assert_array_equal(got, np.sort(k))
    return res, vp, (k + round(delay / dt)) * dt


# -- (a) IAF with a conductance channel: RK4 -------------------------------------------
IAF_G = ns.IAF(V_rest=-65.0, V_th=0.0, V_reset=-65.0, tau_m=20.0, tau_ref=2.0,
               R=100.0)
TAU_G, E_REV, W_G = 5e-3, 0.0, 5.0  # s, mV, nS: R w / 1000 = 0.5 at the peak


def conductance_error(dt, delay=0.0):
    """Largest |V_kernel − V_ref| (mV) over the run. Before t_arr V = V_rest exactly;
    from t_arr on, τ_m dV/dt = −(V − V_rest) + R g(t) (E_rev − V) / 1000 with
    g(t) = w e^(−(t − t_arr)/τ) (nS · MΩ = 1e-3)."""
    res, vp, (t_arr,) = one_synapse(dt, IAF_G, ns.Conductance(TAU_G, E_REV), W_G,
                                    delay=delay)
    v, t = res[vp][:, 0], res.times(vp)
    before = t < t_arr - 0.5 * dt
    assert np.all(v[before] == IAF_G.V_rest)
    tau_m, R, rest = IAF_G.tau_m * 1e-3, IAF_G.R, IAF_G.V_rest

    def rhs(s, V):
        g = W_G * np.exp(-(s - t_arr) / TAU_G)
        return (-(V - rest) + R * g * (E_REV - V) / 1000.0) / tau_m

    sol = solve_ivp(rhs, (t_arr, t[-1]), [rest], method="DOP853", rtol=1e-10,
                    atol=1e-12, t_eval=t[~before])
    assert sol.success
    assert v.max() > rest + 4.0  # the synapse did something (peak ~ +4.9 mV)
    return np.abs(v[~before] - sol.y[0]).max()


def test_iaf_conductance_matches_solve_ivp_and_converges_at_fourth_order():
    """The kernel integrates a step with conductances by classic RK4 (the channels'
    exact exponential at the stages): global error C dt^4, measured C ~ 6e5 mV/s^4
    (5.8e-7 mV at dt = 1 ms), so at dt = 0.1 ms RK4 contributes ~6e-11 mV and what
    is left is the reference's own error, rtol 1e-10 on |V| ~ 65 mV accumulated
    over its steps (measured 3e-9 mV): tolerance 1e-8 mV.
    The order itself: halving dt from 1 ms must cut the error by 2^4 = 16 (allowed
    12..20: the next term of the error expansion is O(dt^5), ~5 % here); both errors
    are >= 10x the reference's, so the ratio is the kernel's."""
    assert conductance_error(1e-4) < 1e-8
    assert conductance_error(1e-4, delay=2e-3) < 1e-8
    coarse, fine = conductance_error(1e-3), conductance_error(5e-4)
    assert coarse < 1e-6
    assert 12.0 < coarse / fine < 20.0, (coarse, fine)


# -- (b) IAF with a current channel: exact ---------------------------------------------
@pytest.mark.parametrize("dt", [1e-4, 1e-3])
@pytest.mark.parametrize("delay", [0.0, 3e-3])
def test_iaf_current_channel_is_exact(dt, delay):
    """Without conductances each step is the exact solution, so at any dt

        V(t) = V_rest + R w τ_s/(τ_s − τ_m) (e^(−s/τ_s) − e^(−s/τ_m)),  s = t − t_arr

    to rounding: |V − V_rest| <= 1.6 mV, and after 800 steps of a few flops each the
    rounding error is ~1e-13 mV; tolerance 1e-9 relative to the peak."""
    R, w, tau_s = 5.0, 2.0, 5e-3
    neuron = ns.IAF(V_rest=-65.0, V_th=0.0, V_reset=-65.0, tau_m=20.0, R=R)
    res, vp, (t_arr,) = one_synapse(dt, neuron, ns.PSC(tau_s), w, delay=delay)
    v, t = res[vp][:, 0], res.times(vp)
    s = np.clip(t - t_arr, 0.0, None)
    tau_m = 20e-3
    expected = -65.0 + R * w * tau_s / (tau_s - tau_m) * (np.exp(-s / tau_s)
                                                          - np.exp(-s / tau_m))
    peak = np.abs(expected + 65.0).max()
    assert peak > 1.5
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-9 * peak)


def test_iaf_delta_synapse_jumps_then_decays_exactly():
    """A delta synapse moves V by w (mV) at the start of the arrival step; then V
    relaxes exactly: V(t) = V_rest + w e^(−(t − t_arr)/τ_m)."""
    dt, w = 1e-4, 3.0
    neuron = ns.IAF(V_rest=-65.0, V_th=0.0, V_reset=-65.0, tau_m=20.0)
    res, vp, (t_arr,) = one_synapse(dt, neuron, ns.Delta(), w, delay=1e-3)
    v, t = res[vp][:, 0], res.times(vp)
    expected = np.where(t > t_arr + 0.5 * dt,
                        -65.0 + w * np.exp(-(t - t_arr) / 20e-3), -65.0)
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-12)


# -- (c) Traub–Miles with a conductance channel: exponential Euler -------------------
TRAUB = ns.TraubMiles()
T_STAR = np.array([5.00371, 25.00713, 45.00529]) * 1e-3  # off the grids used below


def _x_over_expm1(x, k):
    return k if abs(x) < 1e-9 else x / np.expm1(x / k)


def traub_reference(t_arr_ms, w, tau_ms, e_rev, t_stop_ms):
    """Spike times (ms) of the Traub–Miles equations (traub.py's docstring, time in
    ms: nS·mV/pF = mV/ms) with g(t) = Σ w e^(−(t − t_j)/τ) from each arrival t_j,
    by solve_ivp between the arrivals; a spike is an upward crossing of the
    threshold (no second crossing occurs within the 3 ms refractory period here)."""
    p = TRAUB

    def rates(v):
        u = v - p.V_T
        return (0.32 * _x_over_expm1(13 - u, 4), 0.28 * _x_over_expm1(u - 40, 5),
                0.128 * np.exp((17 - u) / 18), 4 / (1 + np.exp((40 - u) / 5)),
                0.032 * _x_over_expm1(15 - u, 5), 0.5 * np.exp((10 - u) / 40))

    def rhs(t, y):
        v, m, h, n = y
        am, bm, ah, bh, an, bn = rates(v)
        g = sum(w * np.exp(-(t - ta) / tau_ms) for ta in t_arr_ms if t >= ta)
        i = (p.g_L * (p.E_L - v) - p.g_Na * m ** 3 * h * (v - p.E_Na)
             - p.g_K * n ** 4 * (v - p.E_K) + g * (e_rev - v))
        return [i / p.C, am * (1 - m) - bm * m, ah * (1 - h) - bh * h,
                an * (1 - n) - bn * n]

    def crossing(t, y):
        return y[0] - p.threshold
    crossing.direction = 1

    a = rates(p.E_L)
    y = [p.E_L, a[0] / (a[0] + a[1]), a[2] / (a[2] + a[3]), a[4] / (a[4] + a[5])]
    spikes = []
    edges = [0.0, *t_arr_ms, t_stop_ms]
    for t0, t1 in zip(edges[:-1], edges[1:]):
        sol = solve_ivp(rhs, (t0, t1), y, method="DOP853", rtol=1e-10, atol=1e-12,
                        events=crossing)
        assert sol.success
        spikes += list(sol.t_events[0])
        y = sol.y[:, -1]
    return np.array(spikes)


def traub_errors(dt):
    """Kernel − reference spike times (ms), for three 20 nS excitatory pulses."""
    w, tau, e_rev, t_stop = 20.0, 5e-3, 0.0, 0.06
    # the initial state is TraubMiles.initial_state (E_L, gates at steady state),
    # the reference's too
    res, _, t_arr = one_synapse(dt, TRAUB, ns.Conductance(tau, e_rev), w,
                                t_star=T_STAR, t_stop=t_stop)
    got = res.spikes["P"].times * 1e3
    ref = traub_reference(t_arr * 1e3, w, tau * 1e3, e_rev, t_stop * 1e3)
    assert ref.size == 3  # one spike per pulse in the reference
    assert got.size == ref.size, (got, ref)
    return got - ref


def test_traub_miles_spike_times_match_solve_ivp_to_first_order():
    """Exponential Euler (gates and V relaxing at the rates, conductances and
    synaptic channel of the step's start) is first order: spike-time errors c dt.
    Measured at dt = 0.01 ms: +0.035, +0.10, +0.16 ms for the three spikes (growing as
    each spike's error carries into the next's starting state). The bound, 0.5 ms,
    is 3x the worst measured; and the order is checked directly: doubling dt must
    double each error (ratio 1.6..2.4; measured 1.84..1.97)."""
    fine = traub_errors(1e-5)
    coarse = traub_errors(2e-5)
    assert np.all(np.abs(fine) < 0.5), fine
    ratio = coarse / fine
    assert np.all((ratio > 1.6) & (ratio < 2.4)), (fine, coarse)
