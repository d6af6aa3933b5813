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
    (POPULATION_B + 'n_neurons = 5\nneuron = "Izhikevich"\n',
     (r"neuron = 'Izhikevich': expected a model file \(\*.toml\), a table, or one "
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
