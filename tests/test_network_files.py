"""Networks from TOML files (``neurosim.network_files``) and the function registry
(``neurosim.functions``).

References: the networks of ``tests/simulator/networks.py`` built in Python (the
loaded models must run to the same bits), closed forms of the signals and functions,
and the library's own constructors for neuron types.
"""

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

import neurosim as ns
from neurosim import functions
from neurosim.network_files import Constant, Sine, Step, load_network

from .simulator.networks import channel, integrator, oscillator

MODELS = Path(__file__).resolve().parent.parent / "models"


def run(net, t, mode="spiking"):
    return ns.Simulator(net, dt=1e-3, mode=mode).run(t)


# -- the model files run to the same bits as the networks built in Python ----------
def test_channel_file_equals_the_python_channel_bit_for_bit():
    net, probes = load_network(MODELS / "communication_channel.toml")
    assert sorted(probes) == ["A.spikes", "B.decoded", "B.spikes"]
    assert net.label == "channel" and net.seed == 0
    reference, ref_probe = channel(500, seed=0, spikes=True)
    loaded, built = run(net, 1.0), run(reference, 1.0)
    np.testing.assert_array_equal(loaded[probes["B.decoded"]], built[ref_probe])
    for pop in ("A", "B"):
        for got, want in zip(loaded.spikes(pop), built.spikes(pop), strict=True):
            np.testing.assert_array_equal(got, want)
    assert loaded.spikes("A")[0].size > 50000


@pytest.mark.parametrize("file, builder, probe", [
    ("integrator.toml", integrator, "integrator.decoded"),
    ("oscillator.toml", oscillator, "oscillator.decoded"),
])
def test_dynamics_files_equal_the_python_networks_bit_for_bit(file, builder, probe):
    net, probes = load_network(MODELS / file)
    reference, ref_probe = builder(1000, seed=0)
    np.testing.assert_array_equal(net.connections[-1].transform,
                                  reference.connections[-1].transform)
    for mode in ("spiking", "rate"):
        np.testing.assert_array_equal(run(net, 0.5, mode)[probes[probe]],
                                      run(reference, 0.5, mode)[ref_probe])


# -- signals ---------------------------------------------------------------------------
def test_signals_are_their_closed_forms():
    t = np.linspace(0.0, 1.0, 101)
    np.testing.assert_array_equal(Sine(1.0)(t), np.sin(2 * np.pi * t))
    np.testing.assert_allclose(Sine(2.0, 0.5, math.pi / 2, 0.1)(t),
                               0.5 * np.cos(4 * np.pi * t) + 0.1, atol=1e-15)
    step = Step((1.0, -2.0), start=0.2, stop=0.5)(t)
    on = (t >= 0.2) & (t < 0.5)
    assert step.shape == (101, 2)
    np.testing.assert_array_equal(step[on], np.tile([1.0, -2.0], (on.sum(), 1)))
    assert np.all(step[~on] == 0.0)
    np.testing.assert_array_equal(Constant(0.3)(t), np.full((101, 1), 0.3))
    with pytest.raises(TypeError, match="frequency must be a real number"):
        Sine("fast")
    with pytest.raises(ValueError, match="start must be < stop"):
        Step(1.0, start=0.2, stop=0.2)
    with pytest.raises(ValueError, match="value must be finite"):
        Constant([1.0, math.nan])
    with pytest.raises(ValueError, match="non-empty list"):
        Constant([])


def write(folder: Path, text: str, name: str = "net.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """
[network]
seed = 1

[[inputs]]
label = "u"
signal = {type = "step", value = [0.5, -0.5], start = 0.0}

[[populations]]
label = "A"
n_neurons = 50
dimensions = 2
"""


def test_options_reach_the_network(tmp_path):
    shutil.copy(MODELS / "lif_cortical.toml", tmp_path / "cortical.toml")
    path = write(tmp_path, BASE + """
[[populations]]
label = "B"
n_neurons = 40
neuron = "cortical.toml"
max_rates = [100.0, 150.0]
intercepts = [-0.5, 0.5]
radius = 2.0
seed = 7

[[populations]]
label = "C"
n_neurons = 30
neuron = {type = "LIF", tau_rc = 0.03, min_voltage = 0.0}

[[populations]]
label = "D"
n_neurons = 30
neuron = "ReLU"

[[outputs]]
label = "out"
dimensions = 1

[[connections]]
pre = "u"
post = "A"
synapse = {tau = 0.01, n = 1}

[[connections]]
pre = "A"
post = "B"
function = "product"
synapse = "none"
solver = "nnls"
reg = 0.05

[[connections]]
pre = "A"
post = "out"
function = "norm"
transform = 2.0

[[connections]]
pre = "A"
post = "C"
transform = [[0.0, 1.0]]
weights = "full"

[[probes]]
target = "out"

[[probes]]
target = "B"
what = "rates"
synapse = 0.02
sample_every = 0.005
label = "rates_B"
""")
    net, probes = load_network(path)
    A, B, C, D = net.populations
    assert net.seed == 1 and A.seed != B.seed and B.seed == 7
    assert B.neuron == ns.load_model(MODELS / "lif_cortical.toml")
    assert (B.max_rates_spec, B.intercepts_spec) == (ns.Uniform(100, 150),
                                                     ns.Uniform(-0.5, 0.5))
    assert B.radius == 2.0
    assert C.neuron == ns.LIF(tau_rc=0.03, min_voltage=0.0)
    assert A.neuron == ns.LIF(min_voltage=0.0)       # the population default
    assert D.neuron == ns.ReLU()
    u_a, a_b, a_out, a_c = net.connections
    assert u_a.synapse == ns.PSC(0.01, 1)
    assert a_b.synapse is None and a_b.decoder_options == {
        "function": functions.product, "solver": "nnls", "reg": 0.05}
    assert a_out.synapse == ns.PSC(0.005)            # connect's default
    np.testing.assert_array_equal(a_out.transform, [[2.0]])
    np.testing.assert_array_equal(a_c.transform, [[0.0, 1.0]])
    assert a_c.weights == "full"
    assert sorted(probes) == ["out.decoded", "rates_B"]
    assert probes["rates_B"].synapse == ns.PSC(0.02)
    assert probes["rates_B"].sample_every == 0.005
    assert probes["out.decoded"].synapse is None
    res = run(net, 0.3, "rate")
    # A holds (0.5, -0.5): the decoded norm, doubled, is 2 · √0.5
    assert res[probes["out.decoded"]][-1, 0] == pytest.approx(2 * math.sqrt(0.5),
                                                              abs=0.05)
    assert res[probes["rates_B"]].shape == (60, 40)


# -- errors name the file, the entry, the key and what is allowed ----------------------
POPULATION_B = '[[populations]]\nlabel = "B"\n'
CONNECT_A_A = '[[connections]]\npre = "A"\npost = "A"\n'
BAD_FILES = [  # (text added to BASE, the error message expected)
    ("[extras]\nx = 1\n",
     r"unknown key or table 'extras'; allowed: description, network"),
    (POPULATION_B + "n_nuerons = 5\n",
     (r"\[\[populations\]\] entry 2 \('B'\): unknown key 'n_nuerons'; "
     r"allowed: label, n_neurons")),
    (POPULATION_B, r"\[\[populations\]\] entry 2 \('B'\): missing key 'n_neurons'"),
    (POPULATION_B + "n_neurons = 5.0\n", r"n_neurons must be an integer, got 5.0 of type float"),
    (POPULATION_B + "n_neurons = 5\nmax_rates = 200\n",
     r"max_rates = 200: expected \[low, high\]"),
    (POPULATION_B + 'n_neurons = 5\nneuron = "MorrisLecar"\n',
     (r"neuron = 'MorrisLecar': expected a model file \(\*.toml\), one "
     r"of HodgkinHuxley, LIF")),
    (POPULATION_B + 'n_neurons = 5\nneuron = {type = "LIF", tau_rc = -1.0}\n',
     r"entry 2 \('B'\): neuron: tau_rc \(s\) must be > 0"),
    (POPULATION_B + 'n_neurons = 5\nneuron = {type = "LIF", tau = 0.02}\n',
     r"entry 2 \('B'\): unknown key neuron.tau; allowed: tau_rc, tau_ref"),
    (POPULATION_B + 'n_neurons = 5\nneuron = "missing.toml"\n',
     r"neuron = 'missing.toml': .*missing.toml: no such file"),
    ('[[populations]]\nlabel = "u"\nn_neurons = 5\n', r"label 'u' is used twice"),
    ('[[populations]]\nlabel = "has space"\nn_neurons = 5\n',
     r"label must be a non-empty name of letters, digits, '_', '-' or '.', "
     r"got 'has space'"),
    ('[[inputs]]\nlabel = "v"\nsignal = {type = "square"}\n',
     (r"\[\[inputs\]\] entry 2 \('v'\): signal.type = 'square': expected one of "
     r"sine, step, constant")),
    ('[[inputs]]\nlabel = "v"\nsignal = {type = "sine", amplitude = 1.0}\n',
     r"signal \(sine\): missing key 'frequency'"),
    (('[[inputs]]\nlabel = "v"\n'
     'signal = {type = "step", value = 1, start = 0.5, stop = 0.2}\n'),
     r"entry 2 \('v'\): signal: start must be < stop, got start = 0.5 s"),
    ('[[connections]]\npre = "u"\npost = "Z"\n',
     r"\[\[connections\]\] entry 1: post = 'Z': no such label; known: u, A"),
    (CONNECT_A_A + 'function = "sqaure"\n',
     r"entry 1 \(A -> A\): unknown function 'sqaure'; registered: abs, cos"),
    (CONNECT_A_A + "transform = [[1.0, 0.0, 0.0]]\n",
     r"entry 1 \(A -> A\): transform must be a scalar or a matrix of shape \(2, 2\)"),
    (CONNECT_A_A + "transform = [[1.0], [0.0, 1.0]]\n",
     r"the rows of a matrix must be non-empty and of equal length"),
    (CONNECT_A_A + 'synapse = "fast"\n',
     (r"synapse = 'fast': expected a time constant in s, a table \{tau, n\} or "
     r"\"none\"")),
    (CONNECT_A_A + "synapse = {tau = 0.01, m = 1}\n",
     r"synapse: unknown key 'm'; allowed: tau, n"),
    (CONNECT_A_A + 'solver = "magic"\n',
     (r"entry 1 \(A -> A\): solver must be one of \['lstsq', 'lstsq_l2', 'nnls', "
     r"'svd'\]")),
    (CONNECT_A_A + 'solver = "svd"\nreg = 0.1\n',
     r"reg is not used by solver 'svd'"),
    (CONNECT_A_A + 'weights = "dense"\n',
     r"weights must be one of \['factored', 'full'\]"),
    (('[[outputs]]\nlabel = "o"\ndimensions = 1\n'
     '[[connections]]\npre = "o"\npost = "A"\n'),
     r"pre = 'o' is an output; pre must be an input or a population"),
    ('[[probes]]\ntarget = "A"\nwhat = "colour"\n',
     r"\[\[probes\]\] entry 1: what = 'colour': expected one of decoded, spikes"),
    ('[[probes]]\ntarget = "u"\nwhat = "spikes"\n',
     r"\[\[probes\]\] entry 1: probing 'spikes' needs a population"),
    ('[[probes]]\ntarget = "A"\nsample_every = 0\n',
     r"\[\[probes\]\] entry 1: sample_every \(s\) must be > 0, got 0.0"),
    ('[[probes]]\ntarget = "A"\nwhat = "voltage"\nneurons = [0, 50]\n',
     r"\[\[probes\]\] entry 1: neurons must lie in 0 \.\. 49 \(population 'A' has 50\), "
     r"got 50"),
    ('[[probes]]\ntarget = "A"\nwindow = [1.0, 0.5]\n',
     r"\[\[probes\]\] entry 1: window must have start < stop"),
    ("[network]\nseed = -1\n", r"\[network\]: seed must be >= 0, got -1"),
]


@pytest.mark.parametrize("extra, match", BAD_FILES)
def test_bad_files_name_the_file_the_entry_and_the_key(tmp_path, extra, match):
    text = BASE.replace("[network]\nseed = 1\n", "") if extra.startswith("[network]") \
        else BASE
    path = write(tmp_path, text + extra)
    with pytest.raises(ns.ConfigError, match=match) as info:
        load_network(path)
    assert str(info.value).startswith(f"{path}: ")


def test_malformed_and_missing_files(tmp_path):
    with pytest.raises(ns.ConfigError, match="not valid TOML"):
        load_network(write(tmp_path, "[[populations]\n"))
    with pytest.raises(ns.ConfigError, match="no such file"):
        load_network(tmp_path / "nothing.toml")


# -- the function registry -------------------------------------------------------------
def test_builtin_functions_are_their_closed_forms():
    X = np.array([[0.5, -0.25], [-1.0, 2.0], [0.0, 3.0]])
    expected = {"identity": X, "square": X ** 2, "abs": np.abs(X), "sin": np.sin(X),
                "cos": np.cos(X), "product": X[:, 0] * X[:, 1],
                "norm": np.sqrt(X[:, 0] ** 2 + X[:, 1] ** 2)}
    assert functions.names() == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_allclose(functions.get(name)(X), value, rtol=1e-15)
    X3 = np.array([[2.0, 3.0, -0.5]])
    assert functions.get("product")(X3)[0] == -3.0
    with pytest.raises(ValueError, match=r"'product' takes points of shape \(P, d\) "
                                         r"with d >= 2, got shape \(3, 1\)"):
        functions.product(np.zeros((3, 1)))


def test_registering_functions(tmp_path, monkeypatch):
    monkeypatch.setattr(functions, "_REGISTRY", dict(functions._REGISTRY))
    cube = functions.register("cube", lambda X: X ** 3)
    assert functions.get("cube") is cube
    with pytest.raises(ValueError, match="'cube' is registered already"):
        functions.register("cube", np.square)
    assert functions.register("cube", np.square, replace=True) is np.square
    with pytest.raises(ValueError, match="name must be letters"):
        functions.register("2x", np.square)
    with pytest.raises(TypeError, match="fn must be callable"):
        functions.register("nothing", 3.0)
    with pytest.raises(ValueError, match="unknown function 'cubed'; registered: abs"):
        functions.get("cubed")
    # a registered function can be named in a file
    path = write(tmp_path, BASE + '[[outputs]]\nlabel = "o"\ndimensions = 2\n'
                 '[[connections]]\npre = "u"\npost = "A"\n'
                 '[[connections]]\npre = "A"\npost = "o"\nfunction = "cube"\n')
    net, _ = load_network(path)
    assert net.connections[1].decoder_options["function"] is np.square


def test_decoders_by_name_equal_a_ridge_solve_for_the_product():
    population = ns.Population(100, 2, seed=3)
    points = population.eval_points(500)
    by_name = population.decoders(function=functions.get("product"),
                                  eval_points=points).D
    A = population.rates(points)
    sigma = 0.1 * A.max()
    expected = np.linalg.solve(A.T @ A + len(points) * sigma ** 2 * np.eye(100),
                               A.T @ (points[:, 0] * points[:, 1]))
    np.testing.assert_allclose(by_name[:, 0], expected, rtol=0,
                               atol=1e-9 * np.abs(expected).max())


# -- neuron groups: the model files run to the same bits as Python ---------------------
def cuba_in_python():
    """Brian2's CUBA as the issue writes it in Python."""
    net = ns.Network(label="cuba")
    lif = ns.IAF(V_rest=-49., V_th=-50., V_reset=-60., tau_m=20., tau_ref=5.)
    ch = {"ge": ns.PSC(5e-3), "gi": ns.PSC(10e-3)}
    E = net.group(3200, lif, label="E", channels=dict(ch),
                  initial={"v": ns.Uniform(-60., -50.)})
    I = net.group(800, lif, label="I", channels=dict(ch),
                  initial={"v": ns.Uniform(-60., -50.)})
    for pre, c, w in ((E, "ge", 1.62), (I, "gi", -9.0)):
        for post in (E, I):
            net.synapses(pre, post, p=0.02, weight=w, synapse=c)
    net.probe(E, "spikes")
    net.probe(I, "spikes")
    return net


def cobahh_in_python():
    net = ns.Network(label="cobahh")
    ch = {"ge": ns.Conductance(5e-3, 0.0), "gi": ns.Conductance(10e-3, -80.0)}
    init = {"v": ns.Gaussian(-65, 5), "ge": ns.Gaussian(40, 15),
            "gi": ns.Gaussian(200, 120)}
    E = net.group(3200, ns.TraubMiles(), label="E", channels=dict(ch),
                  initial=dict(init))
    I = net.group(800, ns.TraubMiles(), label="I", channels=dict(ch),
                  initial=dict(init))
    for pre, c, w in ((E, "ge", 6.0), (I, "gi", 67.0)):
        for post in (E, I):
            net.synapses(pre, post, p=0.02, weight=w, synapse=c)
    net.probe(E, "spikes")
    net.probe(I, "spikes")
    return net


def same_spikes(a, b, labels):
    for label in labels:
        np.testing.assert_array_equal(a.spikes[label].times, b.spikes[label].times)
        np.testing.assert_array_equal(a.spikes[label].ids, b.spikes[label].ids)


@pytest.mark.parametrize("file, builder, t, fired", [
    ("cuba.toml", cuba_in_python, 0.3, 3000),
    ("cobahh.toml", cobahh_in_python, 0.1, 5000),
])
def test_group_model_files_equal_the_python_networks_bit_for_bit(file, builder, t,
                                                                 fired):
    net, probes = load_network(MODELS / file)
    assert sorted(probes) == ["E.spikes", "I.spikes"]
    reference = builder()
    assert [g.channels for g in net.groups] == [g.channels for g in reference.groups]
    runs = [ns.Simulator(n, dt=1e-4, seed=5, progress=False).run(t)
            for n in (net, reference)]
    same_spikes(*runs, ("E", "I"))
    assert runs[0].spikes["E"].times.size > fired
    other = ns.Simulator(net, dt=1e-4, seed=6, progress=False).run(t)
    assert not np.array_equal(other.spikes["E"].times, runs[0].spikes["E"].times)


def test_brunel_file_holds_model_a():
    net, _ = load_network(MODELS / "brunel.toml")
    E, I = net.groups
    assert (E.n_neurons, I.n_neurons) == (10000, 2500)
    assert E.neuron == ns.IAF(V_rest=0.0, V_th=20.0, V_reset=10.0, tau_m=20.0,
                              tau_ref=2.0)
    assert E.channels == {"d": ns.Delta()} and I.channels == {"d": ns.Delta()}
    rules = [(s.pre.label, s.post.label, s.rule, s.weight, s.delay)
             for s in net.synapse_sets]
    assert rules == [("E", "E", ns.FixedInDegree(1000), 0.1, 0.0015),
                     ("E", "I", ns.FixedInDegree(1000), 0.1, 0.0015),
                     ("I", "E", ns.FixedInDegree(250), -0.5, 0.0015),
                     ("I", "I", ns.FixedInDegree(250), -0.5, 0.0015)]
    # nu_thr = theta / (J C_E tau_m) = 20 / (0.1 * 1000 * 0.02) = 10 Hz; nu_ext 2 nu_thr
    assert [(p.target.label, p.n_sources, p.rate, p.weight) for p in
            net.poisson_inputs] == [("E", 1000, 20.0, 0.1), ("I", 1000, 20.0, 0.1)]


GROUPS_FILE = """
[network]
seed = 1

[[groups]]
label = "E"
n_neurons = 60
current = {gaussian = [15.5, 1.0]}
neuron = {type = "IAF", tau_m = 10.0}   # the other parameters: IAF's defaults
initial = {v = {uniform = [-65.0, -50.0]}, ge = 0.5}
[groups.channels]
ge = {type = "current", tau = 0.005}
gi = {type = "conductance", tau = 0.01, E_rev = -80.0}
d = {type = "delta"}

[[groups]]
label = "H"
n_neurons = 20
neuron = "TraubMiles"
channels = {ge = {type = "conductance", tau = 0.005, E_rev = 0.0}}
initial = {v = {gaussian = [-65.0, 5.0]}}
current = 300.0

[[poisson_groups]]
label = "P"
n_neurons = 30
rate = 40.0
"""
GROUPS_WIRING = """
[[synapses]]
label = "EE"
pre = "E"
post = "E"
p = 0.1
weight = {uniform = [0.5, 1.0]}
delay = {uniform = [0.001, 0.003]}
synapse = "ge"
sign = "excitatory"

[[synapses]]
pre = "E"
post = "H"
in_degree = 5
weight = 3.0
delay = 0.001

[[synapses]]
pre = "P"
post = "H"
all_to_all = true
weight = {gaussian = [1.0, 0.1]}

[[synapses]]
pre = "E"
post = "E"
one_to_one = true
weight = 0.2
delay = 0.002
synapse = "d"

[[synapses]]
pre = "H"
post = "E"
p = 0.2
allow_self = true
weight = 2.0
synapse = "gi"
sign = "inhibitory"

[[poisson_inputs]]
target = "E"
n_sources = 100
rate = 10.0
weight = 0.1
synapse = "d"

[[noise]]
target = "E"
std = 0.5
mean = 0.1
tau = 0.005

[[probes]]
target = "E"

[[probes]]
target = "H"
what = "spikes"

[[probes]]
target = "P"

[[probes]]
target = "E"
what = "voltage"
sample_every = 0.001

[[probes]]
target = "H"
what = "m"
neurons = [0, 3]

[[probes]]
target = "E"
what = "ge"
label = "E_ge"
"""


def groups_in_python():
    net = ns.Network(seed=1)
    E = net.group(60, ns.IAF(tau_m=10.0), label="E",
                  channels={"ge": ns.PSC(0.005), "gi": ns.Conductance(0.01, -80.0),
                            "d": ns.Delta()},
                  initial={"v": ns.Uniform(-65.0, -50.0), "ge": 0.5},
                  current=ns.Gaussian(15.5, 1.0))
    H = net.group(20, ns.TraubMiles(), label="H",
                  channels={"ge": ns.Conductance(0.005, 0.0)},
                  initial={"v": ns.Gaussian(-65.0, 5.0)}, current=300.0)
    P = net.poisson_group(30, 40.0, label="P")
    net.synapses(E, E, p=0.1, weight=ns.Uniform(0.5, 1.0),
                 delay=ns.Uniform(0.001, 0.003), synapse="ge", sign="excitatory",
                 label="EE")
    net.synapses(E, H, rule=ns.FixedInDegree(5), weight=3.0, delay=0.001)
    net.synapses(P, H, rule=ns.AllToAll(), weight=ns.Gaussian(1.0, 0.1))
    net.synapses(E, E, rule=ns.OneToOne(), weight=0.2, delay=0.002, synapse="d")
    net.synapses(H, E, rule=ns.FixedProbability(0.2, allow_self=True), weight=2.0,
                 synapse="gi", sign="inhibitory")
    net.poisson_input(E, 100, 10.0, 0.1, synapse="d")
    net.noise(E, 0.5, mean=0.1, tau=0.005)
    probes = [net.probe(E, "spikes"), net.probe(H, "spikes"), net.probe(P, "spikes"),
              net.probe(E, "voltage", sample_every=0.001),
              net.probe(H, "m", neurons=[0, 3]), net.probe(E, "ge", label="E_ge")]
    return net, probes


def test_a_groups_file_builds_what_python_builds_to_the_bit(tmp_path):
    net, probes = load_network(write(tmp_path, GROUPS_FILE + GROUPS_WIRING))
    assert sorted(probes) == ["E.spikes", "E.voltage", "E_ge", "H.m", "H.spikes",
                              "P.spikes"]
    assert [s.label for s in net.synapse_sets] == ["EE", "synapses0", "synapses1",
                                                   "synapses2", "synapses3"]
    reference, ref_probes = groups_in_python()
    a = ns.Simulator(net, dt=1e-4, seed=3, progress=False).run(0.2)
    b = ns.Simulator(reference, dt=1e-4, seed=3, progress=False).run(0.2)
    same_spikes(a, b, ("E", "H", "P"))
    for label, probe in zip(("E.voltage", "H.m", "E_ge"), ref_probes[3:]):
        np.testing.assert_array_equal(a[probes[label]], b[probe])
    assert a[probes["E.voltage"]].shape == (200, 60)
    assert a[probes["H.m"]].shape == (2000, 2)
    for label, least in (("E", 200), ("H", 20), ("P", 100)):
        assert a.spikes[label].times.size > least, label


GROUP_BAD = [  # (text added to GROUPS_FILE, the error message expected)
    ('[[synapses]]\npre = "E"\npost = "H"\np = 1.5\n',
     r"\[\[synapses\]\] entry 1 \(E -> H\): p = 1.5: expected a probability in "
     r"\[0, 1\]"),
    ('[[synapses]]\npre = "E"\npost = "H"\np = -0.1\n',
     r"p = -0.1: expected a probability in \[0, 1\]"),
    ('[[synapses]]\npre = "E"\npost = "H"\np = 0.1\ndelay = -0.001\n',
     r"entry 1 \(E -> H\): delay = -0.001: expected delays >= 0 s"),
    ('[[synapses]]\npre = "E"\npost = "H"\np = 0.1\n'
     'delay = {uniform = [-0.001, 0.002]}\n',
     r"delay = \{uniform = \[-0.001, 0.002\]\}: expected delays >= 0 s"),
    ('[[synapses]]\npre = "E"\npost = "E"\np = 0.1\nsynapse = "ge"\n'
     'sign = "excitatory"\nweight = -1.0\n',
     r"entry 1 \(E -> E\): sign = 'excitatory' but weight = -1.0: expected weights "
     r">= 0"),
    ('[[synapses]]\npre = "E"\npost = "E"\np = 0.1\nsynapse = "ge"\n'
     'sign = "inhibitory"\nweight = {uniform = [-1.0, 0.5]}\n',
     r"sign = 'inhibitory' but weight = \{uniform = \[-1.0, 0.5\]\}: expected "
     r"weights <= 0"),
    ('[[synapses]]\npre = "E"\npost = "E"\np = 0.1\nsynapse = "gi"\n'
     'sign = "excitatory"\nweight = 1.0\n',
     r"sign='excitatory' conductance synapses need E_rev above the resting "
     r"potential of IAF \(V_rest = -65 mV\), got E_rev = -80 mV"),
    ('[[synapses]]\npre = "E"\npost = "E"\np = 0.1\nsynapse = "gi"\nweight = -2.0\n',
     r"weight = -2.0: conductance weights \(nS\) must be >= 0"),
    ('[[synapses]]\npre = "E"\npost = "E"\np = 0.1\nsynapse = "ge"\n'
     'sign = "dale"\n', r"sign = 'dale': expected 'excitatory' or 'inhibitory'"),
    ('[[synapses]]\npre = "E"\npost = "H"\np = 0.1\nin_degree = 3\n',
     r"expected exactly one connectivity rule of p, in_degree, one_to_one, "
     r"all_to_all, got p, in_degree"),
    ('[[synapses]]\npre = "E"\npost = "H"\n',
     r"expected exactly one connectivity rule .*, got none"),
    ('[[synapses]]\npre = "E"\npost = "H"\nin_degree = 61\n',
     r"in_degree = 61: expected at most 60 \(the distinct neurons of 'E'\)"),
    ('[[synapses]]\npre = "E"\npost = "E"\nin_degree = 60\nsynapse = "d"\n',
     r"in_degree = 60: expected at most 59 \(the distinct neurons of 'E', less "
     r"itself\)"),
    ('[[synapses]]\npre = "E"\npost = "H"\none_to_one = true\n',
     r"one_to_one = true needs groups of one size, got 'E' \(60\) and 'H' \(20\)"),
    ('[[synapses]]\npre = "H"\npost = "H"\none_to_one = false\n',
     r"one_to_one = false: expected true"),
    ('[[synapses]]\npre = "H"\npost = "H"\none_to_one = true\nallow_self = true\n',
     r"allow_self does not apply to one_to_one"),
    ('[[synapses]]\npre = "H"\npost = "H"\np = 0.1\nallow_self = 1\n',
     r"allow_self = 1: expected true or false"),
    ('[[synapses]]\npre = "E"\npost = "E"\np = 0.1\n',
     r"synapse missing: group 'E' has channels ge, gi, d; name one"),
    ('[[synapses]]\npre = "E"\npost = "E"\np = 0.1\nsynapse = "nmda"\n',
     r"synapse = 'nmda': no such channel of group 'E'; its channels: ge, gi, d"),
    ('[[synapses]]\npre = "E"\npost = "P"\np = 0.1\n',
     r"post = 'P' is a Poisson group; post must be a group"),
    ('[[synapses]]\npre = "Q"\npost = "E"\np = 0.1\n',
     r"pre = 'Q': no such label; known: E, H, P"),
    ('[[synapses]]\npre = "E"\npost = "H"\np = 0.1\nlabel = "H"\n',
     r"label 'H' is used twice"),
    ('[[synapses]]\npre = "E"\npost = "H"\np = 0.1\nweight = {normal = [1, 2]}\n',
     r"weight = \{'normal': \[1, 2\]\}: expected a number, \{uniform = \[low, high\]\}"
     r" or \{gaussian = \[mean, std\]\}"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "TraubMiles"\n'
     'channels = {d = {type = "delta"}}\n',
     r"\[\[groups\]\] entry 3 \('X'\): channels.d.type = 'delta': TraubMiles neurons "
     r"cannot take delta synapses; allowed for TraubMiles: current, conductance "
     r"\(delta synapses: IAF, AdaptiveIAF, AdEx, Izhikevich\)"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "TraubMiles"\n'
     'channels = {gi = {type = "conductance", tau = 0.01, E_rev = 300.0}}\n',
     r"channels.gi.E_rev = 300.0: expected a reversal potential in mV, in "
     r"\[-200, 200\]"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "TraubMiles"\n'
     'channels = {gi = {type = "conductance", tau = 0.01}}\n',
     r"channels.gi \(conductance\): missing key 'E_rev'"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "TraubMiles"\n'
     'channels = {gi = {type = "nmda", tau = 0.1}}\n',
     r"channels.gi.type = 'nmda': expected one of current, conductance, delta"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "TraubMiles"\n'
     'channels = {ge = {type = "current", tau = -0.1}}\n',
     r"channels.ge.tau must be > 0, got -0.1"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "MorrisLecar"\n',
     r"neuron = 'MorrisLecar': expected one of IAF, TraubMiles"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "LIF"\n',
     r"neuron = 'LIF': expected one of IAF, TraubMiles"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "hh.toml"\n',
     r"neuron = 'hh.toml': neuron model files are for \[\[populations\]\]"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = {type = "IAF", tau = 2.0}\n',
     r"unknown key neuron.tau; allowed: V_rest, V_th, V_reset, tau_m, tau_ref, R"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = {type = "IAF", V_th = -70.0}\n',
     r"neuron: V_th must be above V_reset = -65.0 mV"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "IAF"\ninitial = {w = 1.0}\n',
     r"initial.w: 'w' is neither a state variable of IAF \(v, ref\) nor a channel "
     r"\(none\)"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "IAF"\n'
     'initial = {v = {gaussian = [-60.0, -1.0]}}\n',
     r"initial.v.gaussian = \[-60.0, -1.0\]: expected std >= 0"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "IAF"\n'
     'initial = {v = {uniform = [-50.0, -60.0]}}\n',
     r"initial.v.uniform = \[-50.0, -60.0\]: expected low <= high"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\nneuron = "IAF"\ncurrent = "big"\n',
     r"current = 'big': expected a number"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 0\nneuron = "IAF"\n',
     r"n_neurons must be >= 1, got 0"),
    ('[[groups]]\nlabel = "X"\nn_neurons = 5\n', r"missing key 'neuron'"),
    ('[[poisson_groups]]\nlabel = "Q"\nn_neurons = 5\nrate = -1.0\n',
     r"\[\[poisson_groups\]\] entry 2 \('Q'\): rate \(Hz\) must be >= 0, got -1.0"),
    ('[[poisson_inputs]]\ntarget = "E"\nn_sources = 10\nrate = 5.0\nweight = 0.1\n',
     r"\[\[poisson_inputs\]\] entry 1 \(-> E\): synapse missing: group 'E' has "
     r"channels ge, gi, d"),
    ('[[poisson_inputs]]\ntarget = "H"\nn_sources = 0\nrate = 5.0\nweight = 0.1\n',
     r"n_sources must be >= 1, got 0"),
    ('[[poisson_inputs]]\ntarget = "H"\nn_sources = 10\nrate = 5.0\nweight = -0.1\n',
     r"weight = -0.1: conductance weights \(nS\) must be >= 0"),
    ('[[noise]]\ntarget = "E"\nstd = -1.0\n', r"\[\[noise\]\] entry 1 \(-> E\): std "
     r"must be >= 0, got -1.0"),
    ('[[noise]]\ntarget = "E"\nstd = 1.0\n[[noise]]\ntarget = "E"\nstd = 2.0\n',
     r"\[\[noise\]\] entry 2 \(-> E\): group 'E' has a noise current already"),
    ('[[noise]]\ntarget = "P"\nstd = 1.0\n',
     r"target = 'P' is a Poisson group; target must be a group"),
    ('[[probes]]\ntarget = "E"\nwhat = "gx"\n',
     r"\[\[probes\]\] entry 1: what = 'gx': expected one of spikes, voltage, v, "
     r"ref, ge, gi, d"),
    ('[[probes]]\ntarget = "P"\nwhat = "voltage"\n',
     r"what = 'voltage': expected one of spikes \(for a Poisson group"),
    ('[[probes]]\ntarget = "E"\nsample_every = 0.001\n',
     r"sample_every: a group's spike probe records all its spikes"),
    ('[[probes]]\ntarget = "E"\nwhat = "v"\nsynapse = 0.01\n',
     r"synapse does not apply to probes of groups \('E'\)"),
    ('[[connections]]\npre = "E"\npost = "H"\n',
     r"pre = 'E' is a group; pre must be an input or a population"),
]


@pytest.mark.parametrize("extra, match", GROUP_BAD)
def test_bad_group_files_name_the_file_the_entry_and_the_key(tmp_path, extra, match):
    path = write(tmp_path, GROUPS_FILE + extra)
    with pytest.raises(ns.ConfigError, match=match) as info:
        load_network(path)
    assert str(info.value).startswith(f"{path}: ")


def test_a_conductance_channel_on_a_neuron_without_one_is_refused(tmp_path,
                                                                  monkeypatch):
    from dataclasses import dataclass
    from typing import ClassVar

    from neurosim import network_files

    @dataclass(frozen=True)
    class CurrentOnly(ns.IAF):
        state_units: ClassVar[dict] = {"v": "mV", "ref": "s", "current": "nA"}

    monkeypatch.setitem(network_files.GROUP_TYPES, "CurrentOnly", CurrentOnly)
    path = write(tmp_path, '[[groups]]\nlabel = "X"\nn_neurons = 5\n'
                 'neuron = "CurrentOnly"\n'
                 'channels = {g = {type = "conductance", tau = 0.01, E_rev = 0.0}}\n')
    with pytest.raises(ns.ConfigError, match=r"channels.g.type = 'conductance': "
                       r"CurrentOnly neurons cannot take conductance synapses; "
                       r"allowed for CurrentOnly: current, delta"):
        load_network(path)


def test_network_from_data_takes_edited_tables():
    from neurosim.config import read_toml
    from neurosim.network_files import network_from_data
    data = read_toml(MODELS / "cuba.toml", "cuba")
    data["groups"][0]["n_neurons"] = 40
    net, probes = network_from_data(data, MODELS / "cuba.toml")
    assert [g.n_neurons for g in net.groups] == [40, 800]
    data["synapses"][0]["p"] = 2.0
    with pytest.raises(ns.ConfigError, match=r"cuba.toml: \[\[synapses\]\] entry 1 "
                       r"\('EE'\) \(E -> E\): p = 2.0: expected a probability"):
        network_from_data(data, MODELS / "cuba.toml")


def test_populations_take_the_group_models(tmp_path):
    """A population's neuron given as a group's is: a type name, a preset, or
    equations; the loaded network runs as the one built in Python."""
    path = tmp_path / "net.toml"
    path.write_text('''
[network]
seed = 3
[[inputs]]
label = "u"
signal = {type = "constant", value = [0.5]}
[[populations]]
label = "A"
n_neurons = 20
neuron = {type = "Izhikevich", preset = "FS"}
[[populations]]
label = "B"
n_neurons = 10
neuron = "IAF"
[[populations]]
label = "C"
n_neurons = 10
[populations.neuron]
type = "equations"
equations = "dv/dt = (E_L - v + R*I)/tau_m"
threshold = "v >= V_th"
reset = "v = V_r"
refractory = 2.0
namespace = {E_L = -65.0, R = 1.0, tau_m = 20.0, V_th = -50.0, V_r = -65.0}
initial = {v = -65.0}
[[connections]]
pre = "u"
post = "A"
[[connections]]
pre = "A"
post = "B"
[[connections]]
pre = "A"
post = "C"
[[probes]]
target = "A"
what = "spikes"
''')
    net, probes = load_network(path)
    neurons = [p.neuron for p in net.populations]
    assert neurons[0] == ns.Izhikevich.preset("FS") and neurons[1] == ns.IAF()
    assert isinstance(neurons[2], ns.EquationNeuron) and neurons[2].methods[0] == "exact"
    reference = ns.Network(seed=3)
    u = reference.input(lambda t: np.full_like(t, 0.5), label="u")
    a = reference.population(20, 1, neuron=ns.Izhikevich.preset("FS"), label="A")
    b = reference.population(10, 1, neuron=ns.IAF(), label="B")
    c = reference.population(10, 1, neuron=neurons[2], label="C")
    for pre, post in ((u, a), (a, b), (a, c)):
        reference.connect(pre, post)
    reference.probe(a, "spikes")
    loaded, built = run(net, 0.2), run(reference, 0.2)
    assert loaded.spikes["A"].times.size > 100
    np.testing.assert_array_equal(loaded.spikes["A"].times, built.spikes["A"].times)
    with pytest.raises(ns.ConfigError, match=r"neuron.preset: Izhikevich preset must "
                                              "be one of"):
        path.write_text(path.read_text().replace('preset = "FS"', 'preset = "XX"'))
        load_network(path)
