"""PES on decoded connections: the update against its closed form, the learned
channel against least-squares decoders, decoder probes and the results file, and
the refusals."""

import h5py
import numpy as np
import pytest

import neurosim as ns

DT = 1e-3


def rate_channel(rule, error=0.3, u=0.5, transform=None, dims=1):
    """A rate population with a constant input, decoded into an output through a
    PES connection whose error is a constant input: the activities and the error
    are known, so the decoders follow a closed form."""
    net = ns.Network(seed=3)
    u_in = net.input(lambda t: u + 0 * t, label="u")
    err = net.input(lambda t: np.tile(np.atleast_1d(error), (t.size, 1)),
                    dimensions=dims, label="err")
    a = net.population(50, neuron=ns.LIFRate(), label="a")
    out = net.output(dims, label="out")
    net.connect(u_in, a, synapse=None)
    conn = net.connect(a, out, synapse=None, learning_rule=rule,
                       transform=transform)
    net.connect(err, conn.learning_rule, synapse=None)
    rates = net.probe(a, "rates")
    return net, conn, rates


def test_one_step_changes_the_decoders_by_minus_kappa_dt_over_n_a_e():
    rule = ns.PES(learning_rate=1e-2, pre_synapse=None)
    net, conn, rates = rate_channel(rule)
    sim = ns.Simulator(net, dt=DT, mode="rate")
    before = sim.decoders(conn)
    a = sim.run(DT)[rates][0]
    assert a.max() > 50  # neurons active: the change is not trivially zero
    expected = before - 1e-2 * DT / 50 * np.outer(a, [0.3])
    assert np.allclose(sim.decoders(conn), expected, rtol=1e-13, atol=1e-18)
    assert np.abs(sim.decoders(conn) - before).max() > 1e-6
    assert np.allclose(rule.update(before, a, [0.3], DT), expected, rtol=1e-15)


def test_filtered_activities_follow_the_synapse_closed_form():
    """Rates held constant through PSC(τ): a_k = r (1 − exp(−k dt/τ)) exactly, so
    after K steps D = D₀ − κ dt/N · r eᵀ Σ_k (1 − exp(−k dt/τ))."""
    tau, K = 0.01, 200
    rule = ns.PES(learning_rate=1e-3, pre_synapse=ns.PSC(tau))
    net, conn, rates = rate_channel(rule, error=-0.7)
    sim = ns.Simulator(net, dt=DT, mode="rate")
    before = sim.decoders(conn)
    r = sim.run(K * DT)[rates][0]
    k = np.arange(1, K + 1)
    total = np.sum(1 - np.exp(-k * DT / tau))
    expected = before - 1e-3 * DT / 50 * np.outer(r, [-0.7]) * total
    assert np.allclose(sim.decoders(conn), expected, rtol=1e-11, atol=1e-18)


def test_the_transform_is_folded_into_the_learned_decoders():
    """Nengo's convention: PES learns D Lᵀ, of the post's dimensions; each error
    dimension changes its own column."""
    rule = ns.PES(learning_rate=1e-2, pre_synapse=None)
    L = np.array([[2.0], [-1.0]])
    net, conn, rates = rate_channel(rule, error=[0.2, -0.4], transform=L, dims=2)
    sim = ns.Simulator(net, dt=DT, mode="rate")
    D = conn.pre.decoders().D
    assert np.allclose(sim.decoders(conn), D @ L.T, rtol=1e-14)
    a = sim.run(DT)[rates][0]
    expected = D @ L.T - 1e-2 * DT / 50 * np.outer(a, [0.2, -0.4])
    assert np.allclose(sim.decoders(conn), expected, rtol=1e-12, atol=1e-18)


def test_errors_from_several_connections_add():
    net, conn, rates = rate_channel(ns.PES(1e-2, pre_synapse=None), error=0.3)
    more = net.input(lambda t: 0.1 + 0 * t, label="more")
    net.connect(more, conn.learning_rule, synapse=None, transform=-2.0)
    sim = ns.Simulator(net, dt=DT, mode="rate")
    before = sim.decoders(conn)
    a = sim.run(DT)[rates][0]
    expected = before - 1e-2 * DT / 50 * np.outer(a, [0.3 - 0.2])
    assert np.allclose(sim.decoders(conn), expected, rtol=1e-12, atol=1e-18)


def channel(function, learn, rate=1e-3, seed=1):
    """A → B carrying ``function`` of a slow sine, learned from zero with PES (error
    B − f(A) from a third population) or solved."""
    net = ns.Network(seed=seed)
    u = net.input(lambda t: 0.9 * np.sin(np.pi * t), label="u")
    a, b = net.population(100, label="a"), net.population(100, label="b")
    net.connect(u, a)
    if learn:
        conn = net.connect(a, b, function=lambda x: 0 * x,
                           learning_rule=ns.PES(rate))
        e = net.population(100, label="e")
        net.connect(b, e)
        net.connect(a, e, function=function, transform=-1)
        net.connect(e, conn.learning_rule)
    else:
        conn = net.connect(a, b, function=function)
    return net, conn, net.probe(a, synapse=ns.PSC(0.01)), \
        net.probe(b, synapse=ns.PSC(0.01))


@pytest.mark.parametrize("function", [lambda x: x, lambda x: x ** 2],
                         ids=["x", "x^2"])
def test_learned_channel_reaches_twice_the_least_squares_error(function):
    """From zero decoders, 20 s of PES bring the channel's error over the last
    second within 2× that of the solved decoders; the first second is far worse."""
    rmse = {}
    for learn in (False, True):
        net, conn, pa, pb = channel(function, learn)
        res = ns.Simulator(net, dt=DT).run(20.0)
        t = res.times(pb)
        err = res[pb][:, 0] - function(res[pa][:, 0])
        rmse[learn] = [np.sqrt(np.mean(err[m] ** 2)) for m in (t <= 1.0, t > 19.0)]
    assert rmse[True][1] <= 2 * rmse[False][1]
    assert rmse[True][0] > 2 * rmse[False][0]  # it did learn


def test_decoder_probes_and_the_results_file(tmp_path):
    net, conn, _, _ = channel(lambda x: x, learn=True)
    probe = net.probe(conn, "decoders", sample_every=0.1)
    sim = ns.Simulator(net, dt=DT)
    res = sim.run(1.0)
    samples = res[probe]
    assert samples.shape == (10, 100, 1)
    assert np.allclose(res.times(probe), np.arange(1, 11) * 0.1)
    assert np.array_equal(samples[-1], sim.decoders(conn))  # the last step's
    assert np.abs(samples[-1]).max() > 0  # learned away from zero
    path = tmp_path / "pes.h5"
    res.save(path)
    with h5py.File(path) as f:
        group = f[f"analysis/connections/{conn.label}"]
        assert np.array_equal(group["decoders"][()], sim.decoders(conn))
        assert group["decoders"].attrs["units"] == "1/Hz"
        assert np.array_equal(group["decoders_over_time"][()], samples)
        assert np.allclose(group["decoders_t"][()], res.times(probe))


def test_a_streamed_run_saves_the_same_decoders(tmp_path):
    saved, streamed = tmp_path / "saved.h5", tmp_path / "streamed.h5"
    net, conn, _, _ = channel(lambda x: x, learn=True)
    net.probe(conn, "decoders", sample_every=0.05)
    ns.Simulator(net, dt=DT).run(0.5).save(saved)
    net, conn, _, _ = channel(lambda x: x, learn=True)
    net.probe(conn, "decoders", sample_every=0.05)
    with ns.io.ResultsWriter(streamed) as writer:
        sim = ns.Simulator(net, dt=DT, stream=writer)
        sim.run(0.5)
        sim.close()
    base = f"analysis/connections/{conn.label}"
    with h5py.File(saved) as a, h5py.File(streamed) as b:
        for name in ("decoders", "decoders_over_time", "decoders_t"):
            assert np.array_equal(a[f"{base}/{name}"][()], b[f"{base}/{name}"][()])


def test_same_seed_same_decoders_and_rate_mode_learns_too():
    runs = []
    for mode in ("spiking", "spiking", "rate"):
        net, conn, _, _ = channel(lambda x: x, learn=True)
        sim = ns.Simulator(net, dt=DT, mode=mode)
        sim.run(2.0)
        runs.append(sim.decoders(conn))
    assert np.array_equal(runs[0], runs[1])
    solved = channel(lambda x: x, learn=False)[0].populations[0].decoders().D
    for D in (runs[0], runs[2]):  # both moved towards the solved decoders
        assert np.linalg.norm(D - solved) < 0.8 * np.linalg.norm(solved)


def test_a_rule_without_an_error_warns():
    net = ns.Network(seed=0)
    a, b = net.population(10, 1, label="a"), net.population(10, 1, label="b")
    net.connect(a, b, learning_rule=ns.PES())
    with pytest.warns(UserWarning, match="'a_to_b' learns with PES but no error"):
        ns.Simulator(net, dt=DT)


def test_bad_learning_input_is_refused():
    net = ns.Network(seed=0)
    u = net.input(lambda t: 0 * t, label="u")
    a, b = net.population(10, 1, label="a"), net.population(10, 2, label="b")
    with pytest.raises(ValueError, match="learning_rate .* >= 0, got -0.1|"
                                         "learning_rate.*-0.1"):
        ns.PES(learning_rate=-0.1)
    with pytest.raises(TypeError, match="pre_synapse must be a PSC or None"):
        ns.PES(pre_synapse=0.005)
    with pytest.raises(ValueError, match="input 'u' has none"):
        net.connect(u, b, learning_rule=ns.PES())
    with pytest.raises(ValueError, match="weights='factored', got weights='full'"):
        net.connect(a, b, weights="full", transform=[[1], [1]],
                    learning_rule=ns.PES())
    with pytest.raises(TypeError, match="must be an ns.PES or None, got 'pes'"):
        net.connect(a, b, transform=[[1], [1]], learning_rule="pes")
    assert not net.connections  # nothing added by the refused calls
    conn = net.connect(a, b, transform=[[1], [1]], learning_rule=ns.PES())
    assert conn.learning_rule.dimensions == 2
    assert conn.learning_rule_type == ns.PES()
    with pytest.raises(ValueError, match=r"shape \(2, 1\), got shape \(1, 2\)"):
        net.connect(a, conn.learning_rule, transform=[[1, 1]])  # 1-D for a 2-D rule
    with pytest.raises(ValueError, match="cannot learn itself"):
        net.connect(a, conn.learning_rule, transform=[[1], [1]],
                    learning_rule=ns.PES())
    other = ns.Network(seed=1)
    c = other.population(10, 1, label="c")
    with pytest.raises(ValueError, match="learning rule of a connection of another"):
        net.connect(a, other.connect(c, other.population(5, 1, label="d"),
                                     learning_rule=ns.PES()).learning_rule)
    with pytest.raises(ValueError, match="'a_to_b' exists"):
        net.connect(a, b, transform=[[1], [1]], label="a_to_b")
    pre = net.group(5, ns.IAF(), label="pre")
    post = net.group(5, ns.IAF(), label="post", channels={"x": ns.PSC(5e-3)})
    with pytest.raises(TypeError, match="PES learns decoded connections"):
        net.synapses(pre, post, p=0.5, weight=0.5, learning_rule=ns.PES())


def test_bad_decoder_probes():
    net = ns.Network(seed=0)
    u = net.input(lambda t: 0 * t, label="u")
    a, b = net.population(10, 1, label="a"), net.population(10, 1, label="b")
    from_input = net.connect(u, a)
    full = net.connect(a, b, weights="full")
    with pytest.raises(ValueError, match="has no decoders"):
        net.probe(from_input, "decoders")
    with pytest.raises(ValueError, match="has no decoders"):
        net.probe(full, "decoders")
    conn = net.connect(a, b)
    with pytest.raises(ValueError, match=r"\('decoders',\), got 'weights'"):
        net.probe(conn, "weights")
    with pytest.raises(ValueError, match="takes no synapse or neurons"):
        net.probe(conn, "decoders", neurons=[0])
    probe = net.probe(conn, "decoders")  # fixed decoders: constant samples
    sim = ns.Simulator(net, dt=DT)
    res = sim.run(0.01)
    assert np.array_equal(res[probe], np.broadcast_to(a.decoders().D, (10, 10, 1)))
    with pytest.raises(ValueError, match="connection with decoders"):
        sim.decoders(full)
