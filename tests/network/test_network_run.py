"""Whole networks of neuron groups: an E/I network against a plain numpy twin, the
results file, groups beside NEF populations in one Simulator, and divergence."""

import h5py
import numpy as np
import pytest

import neurosim as ns
from neurosim.io import ResultsWriter

DT = 1e-4
NE, NI = 320, 80
TAU_E, TAU_I = 5e-3, 10e-3
W_E, W_I = 0.5, -2.0  # nA (R = 1 MΩ: mV)
D_E, D_I = 0, 10  # delays in steps: E at once, I after 1 ms (the ring buffer)
# tau_ref = 0 keeps every step a whole free step, so the twin stays short
IAF = ns.IAF(V_rest=-60.0, V_th=-50.0, V_reset=-60.0, tau_m=20.0, tau_ref=0.0)


def ei_description(seed=0):
    """Per-neuron currents (nA) and initial V, and the (pre, post) pairs of the four
    projections at p = 0.05 — drawn here, so the twin can use them too."""
    rng = np.random.default_rng(seed)
    sizes = {"E": NE, "I": NI}
    current = {k: rng.uniform(10.5, 14.0, n) for k, n in sizes.items()}
    v0 = {k: rng.uniform(-60.0, -50.0, n) for k, n in sizes.items()}
    pairs = {(a, b): ns.FixedProbability(0.05).pairs(sizes[a], sizes[b], rng,
                                                     same_group=a == b)
             for a in sizes for b in sizes}
    return current, v0, pairs


def ei_network(current, v0, pairs, net=None):
    net = ns.Network(label="ei") if net is None else net
    groups = {k: net.group(v0[k].size, IAF, label=k,
                           channels={"e": ns.PSC(TAU_E), "i": ns.PSC(TAU_I)},
                           initial={"v": v0[k]}, current=current[k])
              for k in ("E", "I")}
    for (a, b), (pre, post) in pairs.items():
        exc = a == "E"
        net.synapses(groups[a], groups[b], rule=ns.Explicit(pre, post),
                     weight=W_E if exc else W_I, synapse="e" if exc else "i",
                     delay=(D_E if exc else D_I) * DT, label=f"{a}{b}")
    probes = {k: net.probe(groups[k], "voltage") for k in groups}
    for g in groups.values():
        net.probe(g, "spikes")
    probes["E.e"] = net.probe(groups["E"], "e")
    return net, probes


def ei_twin(current, v0, pairs, n_steps, coupled=True):
    """The same network in plain numpy, written from iaf.py's and sparse_kernel's
    docstrings: each step V ← V_∞ + (V − V_∞) e^(−dt/τ_m) + Σ_k R x_k τ_k/(τ_k − τ_m)
    (e^(−dt/τ_k) − e^(−dt/τ_m)) with every group reading the channels of the step's
    start; a crossing resets V and is placed by linear interpolation; the channels
    decay; then the step's spikes add their weight now (delay 0) or d steps later."""
    decay = np.exp(-DT / 20e-3)
    taus = {"e": TAU_E, "i": TAU_I}
    coef = {c: t / (t - 20e-3) * (np.exp(-DT / t) - decay) for c, t in taus.items()}
    v = {k: v0[k].copy() for k in v0}
    x = {k: {c: np.zeros(v0[k].size) for c in taus} for k in v0}
    pending = {}
    spikes = {k: [] for k in v0}
    trace = {k: np.empty((n_steps, v0[k].size)) for k in v0}
    trace_e = np.empty((n_steps, NE))
    for step in range(1, n_steps + 1):
        fired = {}
        for k in ("E", "I"):
            drive = -60.0 + current[k]
            end = drive + (v[k] - drive) * decay + coef["e"] * x[k]["e"] \
                + coef["i"] * x[k]["i"]
            spiking = end >= -50.0
            rising = (end > v[k]) & (v[k] < -50.0)
            frac = np.where(rising, (-50.0 - v[k]) / np.where(rising, end - v[k], 1.0),
                            0.0)
            for i in np.flatnonzero(spiking):
                spikes[k].append((step * DT - DT * (1.0 - frac[i]), i))
            v[k] = np.where(spiking, -60.0, end)
            for c in taus:
                x[k][c] *= np.exp(-DT / taus[c])
            fired[k] = spiking
            trace[k][step - 1] = v[k]
        for post, c, ids, w in pending.pop(step, []):
            np.add.at(x[post][c], ids, w)
        for (a, b), (pre, post) in pairs.items():
            if not coupled:
                continue
            ids = post[fired[a][pre]]
            c, w, d = ("e", W_E, D_E) if a == "E" else ("i", W_I, D_I)
            if d == 0:
                np.add.at(x[b][c], ids, w)
            else:
                pending.setdefault(step + d, []).append((b, c, ids, w))
        trace_e[step - 1] = x["E"]["e"]
    return {k: np.array(sorted(s)) for k, s in spikes.items()}, trace, trace_e


@pytest.fixture(scope="module")
def ei_run():
    current, v0, pairs = ei_description()
    net, probes = ei_network(current, v0, pairs)
    n_steps = 2000
    res = ns.Simulator(net, dt=DT, seed=0).run(n_steps * DT)
    return res, probes, ei_twin(current, v0, pairs, n_steps), (current, v0, pairs)


def test_ei_network_matches_its_numpy_twin(ei_run):
    """Exact integration and one schedule: the kernel and the twin differ only by
    rounding (~1e-13 mV measured), so every spike is the same spike: same neuron,
    same step, time to 1e-12 s; voltages to 1e-9 mV. The synapses matter: the
    uncoupled twin fires a different number of spikes."""
    res, probes, (spikes, trace, trace_e), description = ei_run
    for k, n in (("E", NE), ("I", NI)):
        got = res.spikes[k]
        order = np.lexsort((got.ids, got.times))
        want = spikes[k]
        assert got.times.size == want.shape[0] > 5 * n * 0.2  # > 5 Hz
        np.testing.assert_array_equal(got.ids[order], want[:, 1].astype(int))
        np.testing.assert_allclose(got.times[order], want[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(res[probes[k]], trace[k], rtol=0, atol=1e-9)
    np.testing.assert_allclose(res[probes["E.e"]], trace_e, rtol=0, atol=1e-9)
    uncoupled = ei_twin(*description, 2000, coupled=False)[0]
    assert abs(uncoupled["E"].shape[0] - spikes["E"].shape[0]) > 50


def test_spikes_per_group_and_reset(ei_run):
    """Each group's spikes carry its own neurons' ids (0 .. n−1) and times in the
    run; right after a spike the neuron's recorded V is V_reset."""
    res, probes, _, _ = ei_run
    for k, n in (("E", NE), ("I", NI)):
        s = res.spikes[k]
        assert s.n_neurons == n
        assert s.ids.min() >= 0 and s.ids.max() < n
        assert len(np.unique(s.ids)) > 0.9 * n
        assert s.times.min() >= 0 and s.times.max() <= 0.2
        steps = (np.floor(s.times / DT + 1e-6) + 1).astype(int)
        assert np.all(res[probes[k]][steps - 1, s.ids] == -60.0)
        assert np.all(res[probes[k]] < -50.0)


def test_results_file_has_sonata_spikes_per_group(ei_run, tmp_path):
    res, probes, _, _ = ei_run
    path = res.save(tmp_path / "ei.h5")
    with h5py.File(path, "r") as f:
        assert sorted(f["spikes"]) == ["E", "I"]
        for k, n in (("E", NE), ("I", NI)):
            group = f[f"spikes/{k}"]
            assert h5py.check_enum_dtype(group.attrs.get_id("sorting").dtype) == \
                {"none": 0, "by_id": 1, "by_time": 2}
            assert group.attrs["sorting"] == 2
            ts, ids = group["timestamps"][()], group["node_ids"][()]
            assert group["timestamps"].attrs["units"] == "ms"
            assert ids.dtype == np.uint64 and ts.dtype == np.float64
            assert np.all(np.diff(ts) >= 0)
            assert ids.max() < n  # node ids per population, not network-wide
            mem = res.spikes[k]
            order = np.lexsort((mem.ids, mem.times))
            np.testing.assert_allclose(ts, mem.times[order] * 1e3, rtol=1e-15)
            np.testing.assert_array_equal(np.sort(ids), np.sort(mem.ids))
            report = f[f"report/{k}"]
            assert report["data"].shape == (2000, n)
            assert report["data"].attrs["units"] == "mV"
            np.testing.assert_allclose(report["data"][()], res[probes[k]], rtol=1e-6)
            np.testing.assert_array_equal(report["mapping/node_ids"][()], np.arange(n))
        trace = f["analysis/traces/E/e"]
        assert trace.attrs["units"] == "nA"
        np.testing.assert_allclose(trace[()], res[probes["E.e"]])
        np.testing.assert_allclose(f["analysis/traces/E/e_t"][()],
                                   DT * np.arange(1, 2001))
    back = ns.Results.load(path)
    np.testing.assert_allclose(np.sort(back.spikes["I"].times),
                               np.sort(res.spikes["I"].times))


def nef_part(net):
    u = net.input(lambda t: np.sin(2 * np.pi * t), label="u")
    a = net.population(60, 1, label="A")
    b = net.population(60, 1, label="B")
    net.connect(u, a, synapse=ns.PSC(0.005))
    net.connect(a, b, synapse=ns.PSC(0.005), function=np.square)
    net.probe(a, "spikes")
    return net.probe(b, synapse=ns.PSC(0.01), label="B.decoded")


def test_groups_and_nef_populations_run_together():
    """One Simulator runs both halves, each exactly as it runs alone (their
    randomness is keyed apart), and the NEF half still decodes: B ≈ sin² t
    filtered (rmse < 0.1 with 60 neurons)."""
    current, v0, pairs = ei_description(seed=1)
    both = ns.Network(seed=3)
    probe_both = nef_part(both)
    _, g_probes = ei_network(current, v0, pairs, net=both)
    nef_only = ns.Network(seed=3)
    probe_nef = nef_part(nef_only)
    groups_only, g_probes_only = ei_network(current, v0, pairs)
    t_stop = 0.5
    r_both = ns.Simulator(both, dt=DT, seed=5).run(t_stop)
    r_nef = ns.Simulator(nef_only, dt=DT, seed=5).run(t_stop)
    r_groups = ns.Simulator(groups_only, dt=DT, seed=5).run(t_stop)
    np.testing.assert_array_equal(r_both[probe_both], r_nef[probe_nef])
    np.testing.assert_array_equal(r_both.spikes["A"].times, r_nef.spikes["A"].times)
    for k in ("E", "I"):
        np.testing.assert_array_equal(r_both.spikes[k].times, r_groups.spikes[k].times)
        np.testing.assert_array_equal(r_both.spikes[k].ids, r_groups.spikes[k].ids)
        np.testing.assert_array_equal(r_both[g_probes[k]], r_groups[g_probes_only[k]])
    t = r_both.times(probe_both)
    late = t > 0.1
    ideal = np.sin(2 * np.pi * (t - 0.02)) ** 2  # ~20 ms of filter lag
    rmse = np.sqrt(np.mean((r_both[probe_both][late, 0] - ideal[late]) ** 2))
    assert rmse < 0.1, rmse  # measured 0.036
    assert r_both.spikes["E"].times.size > 100


# -- divergence -----------------------------------------------------------------------
def diverging(synapse, weight):
    """Neuron 7 of group P gets one absurd spike at t = 2.1 ms + 1 ms delay."""
    net = ns.Network()
    drive = net.group(1, ns.IAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau_m=20.0,
                                tau_ref=1e6), label="D",
                      current=15.0 / (1.0 - np.exp(-2.0137e-3 / 20e-3)))
    post = net.group(10, ns.IAF(V_th=0.0), label="P", channels={"x": synapse})
    net.synapses(drive, post, rule=ns.Explicit([0], [7]), weight=weight, delay=1e-3)
    net.probe(drive, "spikes")
    return net, net.probe(post, "voltage")


@pytest.mark.parametrize("synapse, weight", [(ns.Conductance(5e-3, 0.0), 1e300),
                                             (ns.PSC(5e-3), 1e308)],
                         ids=["conductance", "current"])
def test_divergence_names_group_neuron_time_and_keeps_partial_results(synapse,
                                                                      weight):
    """The spike fires in step 21 and reaches neuron 7 at the end of step 31; step 32
    (from t = 3.1 ms) drives V past 1e300 mV: the error names the group, the neuron,
    that step and dt, and the results of steps 1..31 are kept."""
    net, vp = diverging(synapse, weight)
    sim = ns.Simulator(net, dt=DT, seed=0)
    with pytest.raises(ns.SimulationError, match=r"group 'P' \(IAF\), neuron 7: its "
                       r"membrane potential went non-finite in the step from "
                       r"t=0.0031 s \(dt=0.0001 s") as info:
        sim.run(0.01)
    err = info.value
    assert err.system == 7 and err.step == DT
    assert err.t == pytest.approx(3.1e-3, abs=1e-12)
    partial = err.partial
    v = partial[vp]
    assert v.shape == (31, 10)
    assert np.all(v == -65.0)  # nothing reached anyone before the last step
    np.testing.assert_allclose(partial.spikes["D"].times, [2.0137e-3], atol=DT)


def test_partial_results_know_their_times():
    net, vp = diverging(ns.PSC(5e-3), 1e308)
    with pytest.raises(ns.SimulationError) as info:
        ns.Simulator(net, dt=DT, seed=0).run(0.01)
    partial = info.value.partial
    assert partial.t_stop == pytest.approx(31 * DT)
    assert partial.times(vp).shape == (31,)


# -- two probes of one variable (simulator/results.py) ------------------------------
def test_two_probes_of_one_variable_are_both_saved(tmp_path):
    """The first voltage probe is the SONATA report, a second one of the same group
    (every 7th step, 2 neurons) its own trace; likewise two probes of a channel.
    Saved and streamed files hold the same bits."""
    net = ns.Network()
    g = net.group(5, ns.IAF(), label="G", channels={"x": ns.PSC(5e-3)},
                  current=np.linspace(10.0, 20.0, 5))
    full = net.probe(g, "voltage")
    sparse = net.probe(g, "voltage", sample_every=7 * DT, neurons=[1, 3],
                       label="sparse")
    x_all = net.probe(g, "x")
    x_late = net.probe(g, "x", window=(0.01, 0.03), label="late")
    res = ns.Simulator(net, dt=DT, seed=0).run(0.03)
    assert res[sparse].shape == (300 // 7, 2)
    np.testing.assert_array_equal(res[sparse], res[full][6::7, [1, 3]])
    saved = res.save(tmp_path / "saved.h5")
    with ResultsWriter(tmp_path / "streamed.h5", name="two") as writer:
        sim = ns.Simulator(net, dt=DT, seed=0, stream=writer)
        sim.run(0.03)
        sim.close()
    for path in (saved, tmp_path / "streamed.h5"):
        with h5py.File(path, "r") as f:
            report = f["report/G/data"]   # SONATA reports hold float32
            np.testing.assert_array_equal(report[()], res[full].astype(report.dtype))
            trace = f["analysis/traces/G/by_probe/sparse"]
            np.testing.assert_array_equal(trace["voltage"][()], res[sparse])
            np.testing.assert_array_equal(trace["voltage_t"][()], res.times(sparse))
            np.testing.assert_array_equal(trace["voltage_node_ids"][()], [1, 3])
            assert trace["voltage"].attrs["units"] == "mV"
            assert trace["voltage"].attrs["sample_every"] == pytest.approx(7 * DT)
            np.testing.assert_array_equal(f["analysis/traces/G/x"][()], res[x_all])
            late = f["analysis/traces/G/by_probe/late/x"][()]
            np.testing.assert_array_equal(late, res[x_late])
            assert 0 < late.shape[0] < res[x_all].shape[0]


def _datasets(f):
    out = []
    f.visititems(lambda name, obj: out.append(obj) if isinstance(obj, h5py.Dataset)
                 else None)
    return out


def test_a_probed_group_that_never_fires_has_empty_spikes():
    net = ns.Network()
    q = net.poisson_group(3, 0.0, label="Q")
    g = net.group(4, ns.IAF(), label="G")
    net.probe(q, "spikes")
    net.probe(g, "spikes")
    res = ns.Simulator(net, dt=DT, seed=0).run(0.01)
    for label, n in (("Q", 3), ("G", 4)):
        assert res.spikes[label].times.size == 0
        assert res.spikes[label].n_neurons == n


def test_groups_draw_from_the_network_seed_when_the_simulator_has_none():
    """``Network(seed=...)`` seeds the groups' draws (initial states, synapses,
    Poisson counts) as it seeds the populations: two runs give the same spikes."""
    def spikes(net_seed):
        net = ns.Network(seed=net_seed)
        g = net.group(50, ns.IAF(), label="G", channels={"x": ns.PSC(5e-3)},
                      initial={"v": ns.Uniform(-65.0, -50.0)}, current=16.0)
        q = net.poisson_group(20, 200.0, label="Q")
        net.synapses(q, g, p=0.3, weight=2.0)
        net.probe(g, "spikes")
        return ns.Simulator(net, dt=DT).run(0.05).spikes["G"].times
    first, again, other = spikes(3), spikes(3), spikes(4)
    assert first.size > 0
    np.testing.assert_array_equal(first, again)
    assert first.size != other.size or not np.array_equal(first, other)
