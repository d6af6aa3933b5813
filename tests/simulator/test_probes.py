"""What probes keep: sample_every in seconds, time windows and neuron subsets.

Reference: the same network probed in full, every step, for every neuron. A
sampled, windowed or subset probe must hold exactly (to the bit) the full probe's
samples and spikes restricted to its sample times, window and neurons.
"""

import numpy as np
import pytest

import neurosim as ns
from neurosim.io import ResultsWriter

DT = 1e-3
WINDOW = (0.3, 0.65)
NEURONS = [41, 3, 17, 29]


def network(window=None, neurons=None, sample_every=None):
    """sin(2πt) -> A -> B (50 LIF neurons each), and one probe of each kind on B;
    the probes other than decoded get ``neurons``."""
    net = ns.Network(seed=3, label="probed")
    u = net.input(lambda t: np.sin(2 * np.pi * t), label="u")
    a = net.population(50, 1, label="A")
    b = net.population(50, 1, label="B")
    net.connect(u, a)
    net.connect(a, b)
    probes = {"decoded": net.probe(b, synapse=ns.PSC(0.01), window=window,
                                   sample_every=sample_every)}
    for what in ("spikes", "voltage", "current"):
        probes[what] = net.probe(b, what, window=window, neurons=neurons,
                                 sample_every=None if what == "spikes" else sample_every)
    probes["rates"] = net.probe(b, "rates", synapse=ns.PSC(0.02), window=window,
                                neurons=neurons, sample_every=sample_every)
    return net, probes


@pytest.fixture(scope="module")
def full():
    net, probes = network()
    return ns.Simulator(net, dt=DT, progress=False).run(1.0), probes


def test_sample_every_is_in_seconds_nengo_style(full):
    res, probes = full
    net, sampled = network(sample_every=0.01)
    got = ns.Simulator(net, dt=DT, progress=False).run(1.0)
    for what in ("decoded", "voltage", "current", "rates"):
        t = got.times(sampled[what])
        np.testing.assert_array_equal(t, DT * np.arange(10, 1001, 10))
        np.testing.assert_array_equal(got[sampled[what]], res[probes[what]][9::10])
    assert sampled["decoded"].sample_every == 0.01


@pytest.mark.parametrize("every, nearest", [
    (0.0015, "0.001 s or 0.002 s"),
    (0.0004, "0.001 s"),
    (0.0125, "0.012 s or 0.013 s"),
])
def test_sample_every_off_the_grid_names_value_dt_and_nearest(every, nearest):
    net = ns.Network(seed=0)
    a = net.population(5, label="A")
    net.probe(a, sample_every=every)
    with pytest.raises(ValueError) as info:
        ns.Simulator(net, dt=DT)
    message = str(info.value)
    assert f"probe 'A.decoded': sample_every must be a whole number of steps of dt " \
           f"= 0.001 s, got {every!r} s" in message
    assert message.endswith(f"nearest allowed: {nearest}")


def test_windowed_and_subset_probes_hold_the_full_probes_restricted(full):
    res, probes = full
    net, part = network(window=WINDOW, neurons=NEURONS)
    got = ns.Simulator(net, dt=DT, progress=False).run(1.0)
    times, ids = res.spikes(probes["spikes"].target)
    keep = (times >= WINDOW[0]) & (times <= WINDOW[1]) & np.isin(ids, NEURONS)
    assert 20 < keep.sum() < times.size
    got_times, got_ids = got.spikes(part["spikes"].target)
    np.testing.assert_array_equal(got_times, times[keep])
    np.testing.assert_array_equal(got_ids, ids[keep])     # the neurons' own indices
    t = res.times(probes["decoded"])
    inside = (t >= WINDOW[0] - 1e-9 * DT) & (t <= WINDOW[1] + 1e-9 * DT)
    assert inside.sum() == 351
    for what in ("decoded", "voltage", "current", "rates"):
        np.testing.assert_array_equal(got.times(part[what]), t[inside])
        expected = res[probes[what]][inside]
        if what != "decoded":
            expected = expected[:, NEURONS]               # in the order asked for
        np.testing.assert_array_equal(got[part[what]], expected)


def test_a_window_holds_nothing_after_it_ends():
    net, part = network(window=(0.0, 0.2), neurons=NEURONS)
    sim = ns.Simulator(net, dt=DT, progress=False)
    res = sim.run(0.5)
    spikes = res.spikes(part["spikes"].target)[0].size
    rows = {what: res[part[what]].shape for what in ("decoded", "voltage", "rates")}
    res = sim.run(5.0)
    assert res.spikes(part["spikes"].target)[0].size == spikes
    assert {what: res[part[what]].shape for what in rows} == rows == {
        "decoded": (200, 1), "voltage": (200, 4), "rates": (200, 4)}
    assert len(res._chunks[id(part["voltage"])]) == 1  # no empty chunks pile up


def test_clear_probes_keeps_only_what_follows(full):
    res, probes = full
    net, again = network()
    sim = ns.Simulator(net, dt=DT, progress=False)
    sim.run(0.4)
    sim.clear_probes()
    later = sim.run(0.6)
    np.testing.assert_array_equal(later.times(again["decoded"]),
                                  res.times(probes["decoded"])[400:])
    np.testing.assert_array_equal(later[again["voltage"]], res[probes["voltage"]][400:])
    times, ids = res.spikes(probes["spikes"].target)
    got_times, got_ids = later.spikes(again["spikes"].target)
    np.testing.assert_array_equal(got_times, times[times > 0.4])
    np.testing.assert_array_equal(got_ids, ids[times > 0.4])


def test_run_pieces_yields_each_piece_alone(full):
    res, probes = full
    net, again = network()
    sim = ns.Simulator(net, dt=DT, progress=False)
    pieces = [(piece.times(again["decoded"]), piece[again["current"]],
               piece.spikes.get("B")) for piece in sim.run_pieces(1.0, piece=0.3)]
    assert [t.size for t, _, _ in pieces] == [300, 300, 300, 100]
    np.testing.assert_array_equal(np.concatenate([t for t, _, _ in pieces]),
                                  res.times(probes["decoded"]))
    np.testing.assert_array_equal(np.vstack([c for _, c, _ in pieces]),
                                  res[probes["current"]])
    np.testing.assert_array_equal(np.concatenate([s.times for _, _, s in pieces]),
                                  res.spikes["B"].times)
    with pytest.raises(ValueError, match="piece must be a whole number of steps"):
        sim.run_pieces(1.0, piece=0.0105)


def test_saved_and_streamed_files_record_seconds_windows_and_neurons(tmp_path):
    net, part = network(window=WINDOW, neurons=NEURONS, sample_every=0.005)
    saved = ns.Results.load(ns.Simulator(net, dt=DT, progress=False).run(1.0).save(
        tmp_path / "saved.h5"))
    net, _ = network(window=WINDOW, neurons=NEURONS, sample_every=0.005)
    sim = ns.Simulator(net, dt=DT, progress=False,
                       stream=ResultsWriter(tmp_path / "streamed.h5"))
    sim.run(1.0)
    streamed = ns.Results.load(sim.close())
    for back in (saved, streamed):
        attrs = back.attrs["decoded/B.decoded/x_hat"]
        assert attrs["sample_every"] == 0.005
        np.testing.assert_array_equal(attrs["window"], WINDOW)
        np.testing.assert_array_equal(back["decoded/B.decoded/t"],
                                      DT * np.arange(300, 651, 5))
        assert back.attrs["traces/B/current"]["sample_every"] == 0.005
        np.testing.assert_array_equal(back["traces/B/current_node_ids"], NEURONS)
        report = back.reports["B"]
        assert (report.t0, report.dt, report.data.shape) == (0.3, 0.005, (71, 4))
        np.testing.assert_array_equal(report.node_ids, NEURONS)
        times = back.spikes["B"].times
        assert WINDOW[0] <= times.min() and times.max() <= WINDOW[1]
        assert set(back.spikes["B"].ids) <= set(NEURONS)
    for key in ("decoded/B.decoded/x_hat", "traces/B/current", "traces/B/rates"):
        np.testing.assert_array_equal(saved[key], streamed[key])
    np.testing.assert_array_equal(saved.reports["B"].data, streamed.reports["B"].data)
    np.testing.assert_array_equal(saved.spikes["B"].times, streamed.spikes["B"].times)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(sample_every=0.0), ValueError, r"sample_every \(s\) must be > 0, got 0.0"),
    (dict(sample_every="1ms"), TypeError, r"sample_every \(s\) must be a real number"),
    (dict(what="spikes", sample_every=0.01), ValueError, "spikes are events"),
    (dict(window=(0.5, 0.2)), ValueError, "window must have start < stop"),
    (dict(window=0.5), ValueError, r"window must be a pair \[start, stop\] \(s\)"),
    (dict(what="voltage", neurons=[0, 5]), ValueError,
     r"neurons must lie in 0 \.\. 4 \(population 'A' has 5\), got 5"),
    (dict(what="voltage", neurons=[1, 1]), ValueError, "neurons must not repeat"),
    (dict(what="voltage", neurons=[0.5]), TypeError, "neurons must be a non-empty"),
    (dict(what="voltage", neurons=[]), TypeError, "neurons must be a non-empty"),
    (dict(neurons=[0]), ValueError, "a decoded value has none"),
])
def test_probe_arguments_are_checked(kwargs, error, match):
    net = ns.Network(seed=0)
    a = net.population(5, label="A")
    with pytest.raises(error, match=match):
        net.probe(a, **kwargs)


def test_one_spike_probe_per_population():
    net = ns.Network(seed=0)
    a = net.population(5, label="A")
    net.probe(a, "spikes", window=(0.0, 1.0))
    with pytest.raises(ValueError, match=r"population 'A' has a spike probe "
                                         r"\('A.spikes'\); one spike probe per"):
        net.probe(a, "spikes", label="more", neurons=[1])


def test_voltage_probes_record_no_spikes():
    net = ns.Network(seed=0)
    u = net.input(lambda t: 0.5 + 0 * t)
    a = net.population(20, label="A")
    net.connect(u, a)
    net.probe(a, "voltage")
    res = ns.Simulator(net, dt=DT, progress=False).run(0.5)
    assert "A" not in res.spikes
