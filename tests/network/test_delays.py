"""Transmission delays: every spike arrives exactly its delay later, on the step the
kernel's schedule names; delays off the time grid, negative or drawn.

Schedule (sparse_kernel's docstring): a spike in the step ending at t_k, on a
synapse of delay d steps, acts from step k + d + 1 on — the channel holds the
weight at that step's start, t_arr = t_{k+d}. A channel probe samples the channel
at the end of each step, so the sampled trace is the continuous channel

    x(t) = Σ_spikes w e^(−(t − t_arr)/τ)   for t >= t_arr

at t_j = j dt (row j − 1): the first sample holding a spike is exactly at t_arr.
"""

import numpy as np
import pytest

import neurosim as ns

DT = 1e-4
TAU = 5e-3
# driver: fires first at t* = τ_m ln(R I / (R I − 15 mV)), then every ~4 ms
DRIVER = ns.IAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau_m=20.0, tau_ref=2.0)
T_STAR = 2.0137e-3  # off the grid
I_DRIVER = 15.0 / (1.0 - np.exp(-T_STAR / 20e-3))
K0 = int(np.ceil(T_STAR / DT))  # the first spike's step
QUIET = ns.IAF(V_rest=-65.0, V_th=0.0, V_reset=-65.0, tau_m=20.0, tau_ref=5.0)


def group_spike_steps(times):
    """Steps of an IAF's recorded spikes (recorded in (t_{k-1}, t_k])."""
    return (np.floor(np.asarray(times) / DT + 1e-6) + 1).astype(int)


def poisson_spike_steps(times):
    """Steps of a Poisson group's recorded spikes (t_k − U dt, U in [0, 1))."""
    return np.ceil(np.asarray(times) / DT - 1e-9).astype(int)


def expected_channel(steps, delay_steps, weight, n_steps):
    """x at t_1 .. t_n for spikes in ``steps`` arriving ``delay_steps`` later."""
    j = np.arange(1, n_steps + 1)[:, None]
    arrive = (np.asarray(steps) + delay_steps)[None, :]
    return np.where(j >= arrive, weight * np.exp(-(j - arrive) * DT / TAU), 0.0).sum(1)


DELAYS = [0.0, 1e-4, 7e-4, 2.5e-3, 12.3e-3]  # 0, 1, 7, 25 (> tau_ref), 123 steps


def test_every_delay_arrives_exactly_on_its_step():
    """One driver fires every ~4 ms; each delay has its own synapse into its own
    post neuron (all on one channel, so one ring buffer of 124 slots with several
    spikes of the 12.3 ms delay in flight at once). The second half of the post
    neurons starts above threshold: they spike in step 1 and are refractory for
    5 ms, longer than several delays — a channel keeps taking spikes meanwhile."""
    net = ns.Network()
    drive = net.group(1, DRIVER, label="D", current=I_DRIVER)
    n = len(DELAYS)
    post = net.group(2 * n, QUIET, label="P", channels={"x": ns.PSC(TAU)},
                     initial={"v": np.r_[np.full(n, -65.0), np.full(n, 1.0)]})
    w = 0.7
    for i, d in enumerate(DELAYS):
        net.synapses(drive, post, rule=ns.Explicit([0, 0], [i, n + i]), weight=w,
                     delay=d)
    net.probe(drive, "spikes")
    net.probe(post, "spikes")
    xp = net.probe(post, "x")
    n_steps = 400
    res = ns.Simulator(net, dt=DT, seed=0).run(n_steps * DT)
    steps = group_spike_steps(res.spikes["D"].times)
    assert steps[0] == K0 and steps.size >= 9
    assert 3.5e-3 < np.diff(steps).min() * DT  # ISI ~ 4 ms < the longest delay
    # the refractory half did spike in step 1 (their recorded time is in step 1)
    p_ids = res.spikes["P"].ids
    assert sorted(p_ids) == list(range(n, 2 * n))
    x = res[xp]
    for i, d in enumerate(DELAYS):
        ds = round(d / DT)
        want = expected_channel(steps, ds, w, n_steps)
        for col in (i, n + i):
            np.testing.assert_allclose(x[:, col], want, rtol=1e-12, atol=0)
            first = np.flatnonzero(x[:, col])[0] + 1  # the step of the first sample
            assert first == K0 + ds, (d, first)
            assert x[first - 1, col] == w  # at t_arr the weight, undecayed


def test_poisson_spikes_arrive_with_their_delay():
    """The same from a Poisson source (several spikes in one step add up)."""
    net = ns.Network()
    src = net.poisson_group(1, 300.0, label="Q")
    post = net.group(3, QUIET, label="P", channels={"x": ns.PSC(TAU)})
    delays = [0.0, 3e-4, 5e-3]
    for i, d in enumerate(delays):
        net.synapses(src, post, rule=ns.Explicit([0], [i]), weight=1.0, delay=d)
    net.probe(src, "spikes")
    xp = net.probe(post, "x")
    n_steps = 3000
    res = ns.Simulator(net, dt=DT, seed=5).run(n_steps * DT)
    steps = poisson_spike_steps(res.spikes["Q"].times)
    assert 60 < steps.size < 140  # 300 Hz for 0.3 s: 90 ± 9.5
    for i, d in enumerate(delays):
        want = expected_channel(steps, round(d / DT), 1.0, n_steps)
        np.testing.assert_allclose(res[xp][:, i], want, rtol=1e-12, atol=1e-300)


def test_delta_synapse_arriving_while_refractory_is_ignored():
    """Delta synapses move V only outside the refractory period (iaf.py). The post
    neuron spikes in step 1 and is held at V_reset until 5 ms; the driver's first
    spike (step K0 = 21) arrives 1 ms later, at t = 3.1 ms (held: no effect), and
    4 ms later, at 6.1 ms (free: V jumps by w and decays exactly)."""
    net = ns.Network()
    drive = net.group(1, ns.IAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau_m=20.0,
                                tau_ref=1e6), label="D", current=I_DRIVER)
    post = net.group(2, QUIET, label="P", channels={"j": ns.Delta()},
                     initial={"v": 1.0})
    w = 2.0
    net.synapses(drive, post, rule=ns.Explicit([0], [0]), weight=w, delay=1e-3)
    net.synapses(drive, post, rule=ns.Explicit([0], [1]), weight=w, delay=4e-3)
    vp = net.probe(post, "voltage")
    res = ns.Simulator(net, dt=DT, seed=0).run(0.02)
    v, t = res[vp], res.times(vp)
    assert np.all(v[:, 0] == -65.0)  # the jump fell in the refractory period
    t_arr = (K0 + 40) * DT
    assert t_arr > 5e-3  # free by then
    # the sample at t_arr itself is V before the jump (the jump is applied at the
    # start of the next step), as in test_single_neuron
    want = np.where(t > t_arr + 0.5 * DT, -65.0 + w * np.exp(-(t - t_arr) / 20e-3),
                    -65.0)
    np.testing.assert_allclose(v[:, 1], want, rtol=0, atol=1e-12)


def test_drawn_delays_are_rounded_to_the_step():
    """Uniform(0, 1 ms) delays at dt = 0.1 ms round to 0..10 steps: 0 and 10 steps
    take half a step's width each (p = 0.05), 1..9 a whole (p = 0.1). Flooring
    would give 10 steps p = 0, ceiling 0 steps p = 0. Each post neuron's delay is
    read from its channel's first arrival; counts within 5 binomial sd."""
    n = 4000
    net = ns.Network()
    drive = net.group(1, ns.IAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0,
                                tau_m=20.0, tau_ref=1e6), label="D",
                      current=I_DRIVER)
    post = net.group(n, QUIET, label="P", channels={"x": ns.PSC(TAU)})
    net.synapses(drive, post, rule=ns.AllToAll(), weight=1.0,
                 delay=ns.Uniform(0.0, 1e-3))
    xp = net.probe(post, "x")
    res = ns.Simulator(net, dt=DT, seed=2).run(40 * DT)
    x = res[xp]
    assert np.all(x.max(axis=0) == 1.0)  # every neuron got its spike, once
    steps = np.argmax(x > 0, axis=0) + 1 - K0
    counts = np.bincount(steps, minlength=11)
    assert counts.size == 11
    p = np.r_[0.05, np.full(9, 0.1), 0.05]
    sd = np.sqrt(n * p * (1 - p))
    assert np.all(np.abs(counts - n * p) < 5 * sd), counts


# -- refused delays ---------------------------------------------------------------------
def _pair():
    net = ns.Network()
    a = net.group(2, QUIET, label="A")
    b = net.group(2, QUIET, label="B", channels={"x": ns.PSC(TAU)})
    return net, a, b


@pytest.mark.parametrize("delay, bad, below, above", [
    (1.5e-4, "0.00015", "0.0001", "0.0002"),
    ([1e-4, 2.37e-3], "0.00237", "0.0023", "0.0024"),
])
def test_off_grid_delay_names_value_dt_and_nearest(delay, bad, below, above):
    net, a, b = _pair()
    net.synapses(a, b, rule=ns.Explicit([0, 1], [0, 1]), delay=delay, label="ab")
    with pytest.raises(ValueError) as info:
        ns.Simulator(net, dt=DT)
    text = str(info.value)
    assert "ab" in text and "delay" in text
    assert bad in text and "dt = 0.0001 s" in text
    assert f"use {below} or {above} s" in text


def test_on_grid_delay_despite_rounding_is_accepted():
    """3e-4 / 1e-4 = 2.9999999999999996 in floating point: that is 3 steps."""
    net, a, b = _pair()
    net.synapses(a, b, rule=ns.OneToOne(), delay=3e-4)
    ns.Simulator(net, dt=DT)


@pytest.mark.parametrize("delay", [-1e-3, [0.0, -2e-4]])
def test_negative_delay_refused(delay):
    net, a, b = _pair()
    with pytest.raises(ValueError, match=r"delay must be >= 0 s, got -0\.00"):
        net.synapses(a, b, rule=ns.OneToOne(), delay=delay)
    assert net.synapse_sets == []


def test_negative_drawn_delay_refused():
    net, a, b = _pair()
    net.synapses(a, b, rule=ns.AllToAll(), delay=ns.Uniform(-1e-3, 1e-3), label="ab")
    with pytest.raises(ValueError, match=r"ab: delays drawn from Uniform.* must be "
                                         r">= 0 s, got -"):
        ns.Simulator(net, dt=DT, seed=0)
