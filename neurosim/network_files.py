"""Networks from TOML model files: ``load_network(path) -> (Network, probes)``.

A network file names everything it uses — signals from ``SIGNALS``, functions from
``neurosim.functions``, neuron types from ``neurosim.neurons.models`` and
``GROUP_TYPES`` — so nothing in it is evaluated as code. Everything is created in
file order, section by section (inputs, populations, outputs, groups, Poisson
groups, connections, synapses, Poisson inputs, noise, probes), so the i-th
population gets the same seed from ``[network] seed`` as the i-th population of the
same network built in Python, and the i-th group or synapse set the same draws from
the simulator's seed as the i-th one built in Python. (Neuron groups draw their
initial states, connectivity, weights, delays and Poisson counts from the
``Simulator``'s ``seed``, not from ``[network] seed``: pass the seed to the
simulator.)

::

    description = "..."                      # optional
    [network]                                # optional
    seed = 0                                 # int >= 0
    label = "channel"

    [[inputs]]
    label = "u"
    signal = {type = "sine", frequency = 1.0}        # Hz; amplitude = 1, phase = 0
                                                     # (rad), offset = 0
    # signal = {type = "step", value = 1.0, start = 0.0, stop = 0.1}   # s; stop:
    #                                   never by default; value: a number or a list
    # signal = {type = "constant", value = [0.5, -0.5]}

    [[populations]]
    label = "A"
    n_neurons = 500
    dimensions = 1                           # default 1
    neuron = "lif_cortical.toml"             # see below; default LIF(min_voltage=0)
    max_rates = [200.0, 400.0]               # Hz, uniform in [low, high)
    intercepts = [-1.0, 1.0]                 # uniform in [low, high)
    radius = 1.0
    seed = 7                                 # optional: overrides the network's

    [[outputs]]
    label = "out"
    dimensions = 1

    [[connections]]
    pre = "u"                                # an input or population label
    post = "A"                               # a population or output label
    synapse = 0.005                          # s; or {tau = 0.005, n = 1}, or "none";
                                             # default 0.005
    function = "square"                      # a neurosim.functions name (from
                                             # populations); default the identity
    transform = 1.0                          # number, list (diagonal) or matrix
                                             # (rows: post dimensions)
    solver = "lstsq_l2"                      # lstsq_l2 (default), lstsq, svd, nnls
    reg = 0.1                                # regularisation of lstsq_l2 and nnls
    weights = "factored"                     # or "full"

    [[probes]]
    target = "A"
    what = "decoded"                         # decoded, spikes, voltage, current, rates
    synapse = 0.01                           # as for connections; default "none"
    sample_every = 0.01                      # s, a multiple of dt; default every step
    window = [0.0, 1.0]                      # s; default the whole run
    label = "A.decoded"                      # default "<target>.<what>"

    [[probes]]
    target = "A"
    what = "spikes"                          # also voltage, current, rates:
    neurons = [0, 1, 2]                      # these neurons only; default all

``neuron`` is omitted (the population default, ``LIF(min_voltage=0)``), a path
ending in ``.toml`` (a neuron model file, relative to the network file), a type name
with its default parameters (``"LIF"`` — note: without the voltage floor —,
``"LIFRate"``, ``"ReLU"``, ...), or a table ``{type = "LIF", tau_rc = 0.02, ...}``;
the group models take part as a group's neuron is given (below: ``"AdEx"``,
``{type = "Izhikevich", preset = "FS"}``, ``{type = "equations", ...}``).

Neuron groups joined neuron to neuron (``Network.group``, ``synapses``, ...)::

    [[groups]]
    label = "E"
    n_neurons = 3200
    current = 0.0                            # external current (nA for IAF, pA for
                                             # TraubMiles): number or distribution
    # neuron = "TraubMiles"                  # a GROUP_TYPES name (IAF, TraubMiles,
                                             # AdaptiveIAF, AdEx, Izhikevich): its
                                             # defaults; {type = "AdEx", preset =
                                             # "adapting"}: a published set; or
    [groups.neuron]                          # a table of the type and parameters
    type = "IAF"
    V_rest = -49.0                           # mV; also V_th, V_reset, tau_m and
    tau_ref = 5.0                            # tau_ref (ms), R (MOhm)
    [groups.channels]                        # name = {type = ...}:
    ge = {type = "current", tau = 0.005}     # s: PSC(tau), an exponential current
    gi = {type = "conductance", tau = 0.01, E_rev = -80.0}   # s, mV in [-200, 200]
    d = {type = "delta"}                     # V jumps by the weight (IAF only)
    [groups.initial]                         # state variables and channels:
    v = {uniform = [-60.0, -50.0]}           # a number or a distribution
    ge = {gaussian = [40.0, 15.0]}

    [groups.neuron]                          # a neuron written as equations
    type = "equations"                       # (EquationNeuron; ms, parsed, never
    equations = '''                          # evaluated)
        dv/dt = 0.04*v*v + 5*v + 140 - u + I
        du/dt = a*(b*v - u)'''
    threshold = "v >= 30"
    reset = "v = c; u += d"
    namespace = {a = 0.02, b = 0.2, c = -65.0, d = 8.0}   # or name = [value, "unit"]
    initial = {v = -65.0, u = -13.0}

    [[poisson_groups]]
    label = "P"
    n_neurons = 100
    rate = 10.0                              # Hz, >= 0

    [[synapses]]
    pre = "E"                                # a group or Poisson group label
    post = "I"                               # a group label
    p = 0.02                                 # exactly one rule: p = (in [0, 1]),
    # in_degree = 100                        # in_degree = (<= pre's size),
    # one_to_one = true                      # one_to_one = true (equal sizes),
    # all_to_all = true                      # all_to_all = true
    allow_self = false                       # with p, in_degree, all_to_all (pre
                                             # is post); default false
    weight = 1.62                            # channel units (nA, pA; nS >= 0 for a
                                             # conductance; mV for delta): number or
                                             # distribution
    delay = 0.0                              # s, >= 0 (a whole number of steps):
                                             # number or distribution
    synapse = "ge"                           # a channel of post; default its only one
    sign = "excitatory"                      # optional: or "inhibitory"; weights of
                                             # the other sign are refused
    label = "EI"                             # default "synapses<i>"

    [[poisson_inputs]]
    target = "E"                             # a group label
    n_sources = 1000                         # independent sources per neuron
    rate = 20.0                              # Hz per source
    weight = 0.1                             # channel units, per spike
    synapse = "d"                            # a channel of target; default its only one

    [[noise]]                                # one per group at most
    target = "E"
    std = 1.0                                # current units; >= 0
    mean = 0.0                               # default 0
    tau = 0.0                                # s; 0: white, > 0: Ornstein-Uhlenbeck

    [[probes]]
    target = "E"                             # of a group: what = "spikes" (the
    what = "spikes"                          # default for groups: all its spikes),
                                             # "voltage", a state variable ("m", ...)
                                             # or a channel ("ge"), these with
                                             # sample_every, window and neurons as
                                             # above; of a Poisson group "spikes"

(``[groups.neuron]`` and the like are TOML's sub-tables of the last ``[[groups]]``
entry, written as such or inline, ``neuron = {type = "IAF", ...}``, on one line.)
A distribution is ``{uniform = [low, high]}`` (low <= high) or
``{gaussian = [mean, std]}`` (std >= 0). Drawn delays below 0 and delays that are
not whole steps are refused when the simulator builds the network (dt is not known
before); a uniform distribution of weights or delays is checked here against the
weight's sign and the delay's floor.

Unknown keys, wrong types, out-of-range values, unknown labels, types and functions
raise ``ConfigError`` naming the file, the table entry, the key, the value and what
is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import functions
from .config import read_toml
from .connectivity import AllToAll, FixedInDegree, FixedProbability, OneToOne
from .errors import ConfigError
from .groups import NeuronGroup, PoissonGroup, Synapses
from .nef.dists import Gaussian, Uniform
from .nef.population import Population
from .nef.solvers import resolve
from .network import PROBE_KINDS, Input, Network, Output
from .neurons.adaptive_iaf import AdaptiveIAF
from .neurons.adex import AdEx
from .neurons.equation_neuron import EquationNeuron
from .neurons.iaf import IAF
from .neurons.izhikevich import Izhikevich
from .neurons.models import MODEL_TYPES, load_model, model_from_parameters
from .neurons.traub import TraubMiles
from .results import check_name
from .synapses import PSC
from .synapses.models import Conductance, Delta, ExponentialCurrent
from .validation import _show, as_array, as_float, as_int

_TOP = ("description", "network", "inputs", "populations", "outputs", "groups",
        "poisson_groups", "connections", "synapses", "poisson_inputs", "noise",
        "probes")

#: Neuron types of ``[[groups]]`` by name: the models with a group step.
GROUP_TYPES = {cls.__name__: cls for cls in (IAF, TraubMiles, AdaptiveIAF, AdEx,
                                             Izhikevich)}
#: The keys of a ``{type = "equations", ...}`` neuron (``EquationNeuron``).
_EQUATION_KEYS = ("equations", "threshold", "reset", "namespace", "initial",
                  "refractory", "time_unit", "current_unit", "method")
#: Channel type -> (required keys, optional keys) besides ``type``.
CHANNELS = {"current": (("tau",), ()), "conductance": (("tau", "E_rev"), ()),
            "delta": ((), ())}
#: Connectivity keys of ``[[synapses]]`` (exactly one per entry).
RULES = ("p", "in_degree", "one_to_one", "all_to_all")
#: Distribution keys: ``{uniform = [low, high]}``, ``{gaussian = [mean, std]}``.
DISTRIBUTIONS = ("uniform", "gaussian")


# -- signals --------------------------------------------------------------------------
@dataclass(frozen=True)
class Sine:
    """The input ``amplitude · sin(2π frequency t + phase) + offset``.

    Parameters
    ----------
    frequency : float, Hz
    amplitude : float
    phase : float, rad
    offset : float

    Called with the step times t, shape (T,), s; returns shape (T,).
    """

    frequency: float
    amplitude: float = 1.0
    phase: float = 0.0
    offset: float = 0.0

    dimensions = 1

    def __post_init__(self):
        for name in ("frequency", "amplitude", "phase", "offset"):
            object.__setattr__(self, name, as_float(name, getattr(self, name)))

    def __call__(self, t):
        return self.amplitude * np.sin(2 * np.pi * self.frequency * t + self.phase) \
            + self.offset


@dataclass(frozen=True)
class Step:
    """The input ``value`` for ``start <= t < stop``, 0 otherwise.

    Parameters
    ----------
    value : float or sequence of float, length d
    start : float, s
    stop : float, s
        After ``start``; ``inf`` (the default) never stops.

    Called with the step times t, shape (T,), s; returns shape (T, d).
    """

    value: tuple
    start: float = 0.0
    stop: float = math.inf

    def __post_init__(self):
        object.__setattr__(self, "value", _vector(self.value))
        start = as_float("start (s)", self.start)
        stop = as_float("stop (s)", self.stop, finite=False)
        if not stop > start:
            raise ValueError(f"start must be < stop, got start = {start} s, stop = "
                             f"{stop} s")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "stop", stop)

    @property
    def dimensions(self) -> int:
        """d, the length of ``value``."""
        return len(self.value)

    def __call__(self, t):
        t = np.asarray(t, dtype=np.float64)
        on = (t >= self.start) & (t < self.stop)
        return np.where(on[:, None], np.asarray(self.value)[None, :], 0.0)


@dataclass(frozen=True)
class Constant:
    """The input ``value`` at all times.

    Parameters
    ----------
    value : float or sequence of float, length d

    Called with the step times t, shape (T,), s; returns shape (T, d).
    """

    value: tuple

    def __post_init__(self):
        object.__setattr__(self, "value", _vector(self.value))

    @property
    def dimensions(self) -> int:
        """d, the length of ``value``."""
        return len(self.value)

    def __call__(self, t):
        t = np.asarray(t, dtype=np.float64)
        return np.tile(np.asarray(self.value), (t.size, 1))


def _vector(value) -> tuple:
    """``value`` (a number or a sequence of them) as a non-empty tuple of floats."""
    items = as_array("value", value, ndim=None).reshape(-1)
    if not items.size:
        raise ValueError("value must be a number or a non-empty list of numbers")
    return tuple(float(v) for v in items)


#: Signal type -> (class, required keys, optional keys).
SIGNALS = {"sine": (Sine, ("frequency",), ("amplitude", "phase", "offset")),
           "step": (Step, ("value",), ("start", "stop")),
           "constant": (Constant, ("value",), ())}


# -- checks ---------------------------------------------------------------------------
def _table(value, where: str, required=(), optional=()) -> dict:
    """``value`` if it is a table with all ``required`` keys and no others but
    ``optional``."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {_show(value)}")
    allowed = (*required, *optional)
    for key in value:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key {key!r}; allowed: "
                              f"{', '.join(allowed)}")
    for key in required:
        if key not in value:
            raise ConfigError(f"{where}: missing key {key!r} (required: "
                              f"{', '.join(required)})")
    return value


def _number(value, where: str, key: str, positive=False, nonnegative=False,
            finite=True) -> float:
    return _checked(where, as_float, key, value, positive=positive,
                    nonnegative=nonnegative, finite=finite)


def _integer(value, where: str, key: str, minimum: int) -> int:
    return _checked(where, as_int, key, value, minimum=minimum)


def _string(value, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} = {_show(value)}: expected a string")
    return value


def _label(value, where: str, key: str = "label") -> str:
    return _checked(where, check_name, key, value)


def _values(value, where: str, key: str) -> tuple:
    """A number or a non-empty list of numbers, as a tuple of floats."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ConfigError(f"{where}: {key} = []: expected a number or a non-empty list "
                          "of numbers")
    return tuple(_number(v, where, key) for v in items)


def _uniform(value, where: str, key: str) -> Uniform:
    if not isinstance(value, list) or len(value) != 2:
        raise ConfigError(f"{where}: {key} = {_show(value)}: expected [low, high]")
    low, high = (_number(v, where, key) for v in value)
    if not high >= low:
        raise ConfigError(f"{where}: {key} = {value}: expected low <= high")
    return Uniform(low, high)


def _synapse(value, where: str, key: str = "synapse") -> PSC | None:
    """A number (tau, s), a table {tau, n} or "none"."""
    if value == "none":
        return None
    if isinstance(value, dict):
        table = _table(value, f"{where}: {key}", ("tau",), ("n",))
        return PSC(_number(table["tau"], where, f"{key}.tau", positive=True),
                   _integer(table.get("n", 0), where, f"{key}.n", 0))
    if isinstance(value, (str, bool)) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: {key} = {_show(value)}: expected a time constant "
                          "in s, a table {tau, n} or \"none\"")
    return PSC(_number(value, where, key, positive=True))


def _transform(value, where: str):
    """A number, a list of numbers (a diagonal) or a matrix (list of equal rows)."""
    if isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        rows = [[_number(v, where, "transform") for v in row] for row in value]
        if len({len(r) for r in rows}) != 1 or not rows[0]:
            raise ConfigError(f"{where}: transform = {_show(value)}: the rows of a "
                              "matrix must be non-empty and of equal length")
        return np.array(rows)
    if isinstance(value, list):
        return np.array(_values(value, where, "transform"))
    return _number(value, where, "transform")


# -- sections -------------------------------------------------------------------------
def _entries(data: dict, section: str, path) -> list[tuple[str, dict]]:
    """The entries of an array of tables, each with where it is."""
    entries = data.get(section, [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: {section} must be an array of tables "
                          f"([[{section}]]), got {_show(entries)}")
    out = []
    for i, entry in enumerate(entries, start=1):
        name = entry.get("label") if isinstance(entry, dict) else None
        where = f"{path}: [[{section}]] entry {i}" + (
            f" ({name!r})" if isinstance(name, str) else "")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a table, got {_show(entry)}")
        out.append((where, entry))
    return out


def _kind(value, where: str, key: str, kinds, example: str) -> str:
    """The ``type`` of the table ``key`` (one of ``kinds``), checked; ``example``
    shows such a table."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} = {_show(value)}: expected a table such as "
                          f"{example}")
    kind = value.get("type")
    if kind not in kinds:
        raise ConfigError(f"{where}: {key}.type = {_show(kind)}: expected one of "
                          f"{', '.join(kinds)}")
    return kind


def _signal(value, where: str):
    kind = _kind(value, where, "signal", SIGNALS, '{type = "sine", frequency = 1.0}')
    cls, required, optional = SIGNALS[kind]
    table = _table(value, f"{where}: signal ({kind})", ("type", *required), optional)
    args = {}
    for key, raw in table.items():
        if key == "type":
            continue
        if key == "value":
            args[key] = _values(raw, where, "signal.value")
        elif key == "stop":
            args[key] = _number(raw, where, "signal.stop", finite=False)
        else:
            args[key] = _number(raw, where, f"signal.{key}")
    return _checked(f"{where}: signal", cls, **args)


def _neuron(value, where: str, folder: Path):
    """A population's neuron: a model file (*.toml), a type name or a table; the
    group models as ``_group_neuron`` takes them."""
    if isinstance(value, str) and value.endswith(".toml"):
        try:
            return load_model(folder / value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: neuron = {value!r}: {exc}") from None
    kind = value.get("type") if isinstance(value, dict) else value
    if kind in GROUP_TYPES or kind == "equations":
        return _group_neuron(value, where)
    return _typed_neuron(value, where, {**MODEL_TYPES, **GROUP_TYPES},
                         "a model file (*.toml), ")


def _typed_neuron(value, where: str, types: dict, other: str = ""):
    """A neuron given as one of ``types``' names (its defaults) or as a table
    ``{type = ..., parameter = ...}``; ``other`` names what else may be given."""
    if isinstance(value, str):
        if value not in types:
            raise ConfigError(f"{where}: neuron = {value!r}: expected {other}one of "
                              f"{', '.join(types)}, or a table {{type = ..., ...}}")
        return types[value]()
    kind = _kind(value, where, "neuron", types, f"{{type = ..., ...}}, or {other}a "
                 f"type name ({', '.join(types)})")
    return model_from_parameters(types[kind],
                                 {k: v for k, v in value.items() if k != "type"},
                                 where, "neuron")


def _inputs(net: Network, data: dict, path, nodes: dict):
    for where, entry in _entries(data, "inputs", path):
        _table(entry, where, ("label", "signal"))
        label = _label(entry["label"], where)
        signal = _signal(entry["signal"], where)
        _add(nodes, label, where, net.input, signal, signal.dimensions, label)


def _populations(net: Network, data: dict, path, nodes: dict):
    for where, entry in _entries(data, "populations", path):
        _table(entry, where, ("label", "n_neurons"),
               ("dimensions", "neuron", "max_rates", "intercepts", "radius", "seed"))
        label = _label(entry["label"], where)
        n = _integer(entry["n_neurons"], where, "n_neurons", 1)
        d = _integer(entry.get("dimensions", 1), where, "dimensions", 1)
        options = {}
        if "neuron" in entry:
            options["neuron"] = _neuron(entry["neuron"], where, Path(path).parent)
        for key in ("max_rates", "intercepts"):
            if key in entry:
                options[key] = _uniform(entry[key], where, key)
        if "radius" in entry:
            options["radius"] = _number(entry["radius"], where, "radius", positive=True)
        if "seed" in entry:
            options["seed"] = _integer(entry["seed"], where, "seed", 0)
        _add(nodes, label, where, net.population, n, d, label=label, **options)


def _outputs(net: Network, data: dict, path, nodes: dict):
    for where, entry in _entries(data, "outputs", path):
        _table(entry, where, ("label", "dimensions"))
        label = _label(entry["label"], where)
        d = _integer(entry["dimensions"], where, "dimensions", 1)
        _add(nodes, label, where, net.output, d, label)


def _add(nodes: dict, name: str, where: str, create, /, *args, **kwargs):
    """``nodes[name] = create(*args, **kwargs)`` for a label not used before."""
    if name in nodes:
        raise ConfigError(f"{where}: label {name!r} is used twice (labels name "
                          "inputs, populations, outputs, groups, Poisson groups and "
                          "synapses alike)")
    nodes[name] = _checked(where, create, *args, **kwargs)


def _checked(where: str, call, /, *args, **kwargs):
    """``call(*args, **kwargs)``, a ValueError or TypeError from it re-raised as a
    ConfigError that starts with ``where``."""
    try:
        return call(*args, **kwargs)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _node(nodes: dict, label, where: str, key: str, kinds: tuple[str, ...]):
    label = _string(label, where, key)
    if label not in nodes:
        raise ConfigError(f"{where}: {key} = {label!r}: no such label; known: "
                          f"{', '.join(nodes) or 'none'}")
    node = nodes[label]
    kind = _KINDS[type(node)]
    if kind not in kinds:
        raise ConfigError(f"{where}: {key} = {label!r} is {_a(kind)}; {key} must be "
                          f"{' or '.join(_a(k) for k in kinds)}")
    return node


_KINDS = {Input: "input", Population: "population", Output: "output",
          NeuronGroup: "group", PoissonGroup: "Poisson group",
          Synapses: "synapse set"}


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _connections(net: Network, data: dict, path, nodes: dict):
    for where, entry in _entries(data, "connections", path):
        _table(entry, where, ("pre", "post"),
               ("synapse", "function", "transform", "solver", "reg", "weights"))
        pre = _node(nodes, entry["pre"], where, "pre", ("input", "population"))
        post = _node(nodes, entry["post"], where, "post", ("population", "output"))
        where = f"{where} ({pre.label} -> {post.label})"
        options = {}
        if "synapse" in entry:
            options["synapse"] = _synapse(entry["synapse"], where)
        if "function" in entry:
            name = _string(entry["function"], where, "function")
            options["function"] = _checked(where, functions.get, name)
        if "transform" in entry:
            options["transform"] = _transform(entry["transform"], where)
        if "solver" in entry:
            options["solver"] = _string(entry["solver"], where, "solver")
        if "reg" in entry:
            options["reg"] = _number(entry["reg"], where, "reg", nonnegative=True)
        if "solver" in options or "reg" in options:  # checked here, not at build
            _checked(where, resolve, options.get("solver", "lstsq_l2"),
                     options.get("reg"))
        if "weights" in entry:
            options["weights"] = _string(entry["weights"], where, "weights")
        _checked(where, net.connect, pre, post, **options)


def _probes(net: Network, data: dict, path, nodes: dict) -> dict:
    probes = {}
    for where, entry in _entries(data, "probes", path):
        _table(entry, where, ("target",), ("what", "synapse", "sample_every", "label",
                                           "window", "neurons"))
        target = _node(nodes, entry["target"], where, "target",
                       ("input", "population", "output", "group", "Poisson group"))
        if isinstance(target, (NeuronGroup, PoissonGroup)):
            probe = _group_probe(net, target, entry, where)
            probes[probe.label] = probe
            continue
        what = _string(entry.get("what", "decoded"), where, "what")
        if what not in PROBE_KINDS:
            raise ConfigError(f"{where}: what = {what!r}: expected one of "
                              f"{', '.join(PROBE_KINDS)}")
        synapse = _synapse(entry.get("synapse", "none"), where)
        every = _number(entry["sample_every"], where, "sample_every (s)",
                        positive=True) if "sample_every" in entry else None
        label = _label(entry["label"], where) if "label" in entry else None
        probe = _checked(where, net.probe, target, what, synapse, every, label,
                         window=entry.get("window"), neurons=entry.get("neurons"))
        probes[probe.label] = probe
    return probes


# -- neuron groups, Poisson sources, synapses ------------------------------------------
def _distribution(value, where: str, key: str):
    """A number (as a float) or ``{uniform = [low, high]}`` / ``{gaussian = [mean,
    std]}`` (as a Distribution)."""
    if not isinstance(value, dict):
        if isinstance(value, (str, bool, list)) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: {key} = {_show(value)}: expected a number, "
                              "{uniform = [low, high]} or {gaussian = [mean, std]}")
        return _number(value, where, key)
    if len(value) != 1 or next(iter(value)) not in DISTRIBUTIONS:
        raise ConfigError(f"{where}: {key} = {_show(value)}: expected a number, "
                          "{uniform = [low, high]} or {gaussian = [mean, std]}")
    kind, pair = next(iter(value.items()))
    names = ("low", "high") if kind == "uniform" else ("mean", "std")
    if not isinstance(pair, list) or len(pair) != 2:
        raise ConfigError(f"{where}: {key}.{kind} = {_show(pair)}: expected "
                          f"[{', '.join(names)}]")
    a, b = (_number(v, where, f"{key}.{kind}") for v in pair)
    if kind == "uniform":
        if not b >= a:
            raise ConfigError(f"{where}: {key}.uniform = {pair}: expected low <= high")
        return Uniform(a, b)
    if not b >= 0:
        raise ConfigError(f"{where}: {key}.gaussian = {pair}: expected std >= 0, got "
                          f"{b!r}")
    return Gaussian(a, b)


def _bounds(value) -> tuple[float, float] | None:
    """(lowest, highest) value a number or uniform distribution can take; None for
    a Gaussian (unbounded)."""
    if isinstance(value, Uniform):
        return value.low, value.high
    if isinstance(value, float):
        return value, value
    return None


def _group_neuron(value, where: str):
    """A group's neuron: a ``GROUP_TYPES`` name, a table (with a ``preset`` for the
    models that have them) or ``{type = "equations", ...}``."""
    if isinstance(value, str) and value.endswith(".toml"):
        raise ConfigError(f"{where}: neuron = {value!r}: neuron model files are for "
                          "[[populations]]; give a group's neuron as a type name ("
                          f"{', '.join(GROUP_TYPES)}) or a table {{type = ..., ...}}")
    if isinstance(value, dict) and value.get("type") == "equations":
        _table(value, f"{where}: neuron (equations)",
               ("type", "equations", "threshold"), _EQUATION_KEYS[2:])
        try:
            return EquationNeuron(**{k: v for k, v in value.items() if k != "type"})
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: neuron (equations): {exc}") from None
    if isinstance(value, dict) and "preset" in value:
        cls = GROUP_TYPES.get(value.get("type"))
        if not getattr(cls, "presets", None):
            having = [n for n, c in GROUP_TYPES.items() if c.presets]
            raise ConfigError(f"{where}: neuron.preset: only {', '.join(having)} have "
                              f"presets, got type = {_show(value.get('type'))}")
        try:
            base = cls.preset(value["preset"])
        except ValueError as exc:
            raise ConfigError(f"{where}: neuron.preset: {exc}") from None
        rest = {k: v for k, v in value.items() if k not in ("type", "preset")}
        return model_from_parameters(cls, {**base.parameters(), **rest}, where,
                                     "neuron")
    return _typed_neuron(value, where, GROUP_TYPES)


def _channel_model(value, where: str, key: str, neuron):
    """A ``channels`` entry: ``{type = "current" | "conductance" | "delta", ...}``,
    checked against the neuron that takes it."""
    kind = _kind(value, where, key, CHANNELS, '{type = "current", tau = 0.005}')
    required, optional = CHANNELS[kind]
    _table(value, f"{where}: {key} ({kind})", ("type", *required), optional)
    name = type(neuron).__name__
    takes = {"current": "current" in neuron.state_units,
             "conductance": "conductance" in neuron.state_units,
             "delta": bool(getattr(neuron, "takes_delta", False))}
    if not takes[kind]:
        able = [n for n, cls in GROUP_TYPES.items() if _takes(cls, kind)]
        raise ConfigError(f"{where}: {key}.type = {kind!r}: {name} neurons cannot take "
                          f"{kind} synapses; allowed for {name}: "
                          f"{', '.join(k for k, ok in takes.items() if ok) or 'none'}"
                          f" ({kind} synapses: {', '.join(able) or 'no group type'})")
    if kind == "delta":
        return Delta()
    tau = _number(value["tau"], where, f"{key}.tau", positive=True)
    if kind == "current":
        return ExponentialCurrent(tau)
    e_rev = _number(value["E_rev"], where, f"{key}.E_rev")
    if not -200.0 <= e_rev <= 200.0:
        raise ConfigError(f"{where}: {key}.E_rev = {e_rev!r}: expected a reversal "
                          "potential in mV, in [-200, 200] (volts given instead of "
                          "mV?)")
    return _checked(where, Conductance, tau, e_rev)


def _takes(cls, kind: str) -> bool:
    if kind == "delta":
        return bool(getattr(cls, "takes_delta", False))
    return kind in cls.state_units


def _groups(net: Network, data: dict, path, nodes: dict):
    for where, entry in _entries(data, "groups", path):
        _table(entry, where, ("label", "n_neurons", "neuron"),
               ("channels", "initial", "current"))
        label = _label(entry["label"], where)
        n = _integer(entry["n_neurons"], where, "n_neurons", 1)
        neuron = _group_neuron(entry["neuron"], where)
        channels = {}
        table = entry.get("channels", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: channels = {_show(table)}: expected a table "
                              "of name = {type = ..., ...}")
        for name, spec in table.items():
            _checked(where, check_name, f"channel name {name!r}: the name", name)
            channels[name] = _channel_model(spec, where, f"channels.{name}", neuron)
        initial = {}
        table = entry.get("initial", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: initial = {_show(table)}: expected a table of "
                              "state variable or channel = number or distribution")
        for key, spec in table.items():
            if key not in neuron.state_names and key not in channels:
                raise ConfigError(
                    f"{where}: initial.{key}: {key!r} is neither a state variable of "
                    f"{type(neuron).__name__} ({', '.join(neuron.state_names)}) nor a "
                    f"channel ({', '.join(channels) or 'none'})")
            initial[key] = _distribution(spec, where, f"initial.{key}")
        current = _distribution(entry.get("current", 0.0), where, "current")
        _add(nodes, label, where, net.group, n, neuron, label=label, channels=channels,
             initial=initial, current=current)


def _poisson_groups(net: Network, data: dict, path, nodes: dict):
    for where, entry in _entries(data, "poisson_groups", path):
        _table(entry, where, ("label", "n_neurons", "rate"))
        label = _label(entry["label"], where)
        n = _integer(entry["n_neurons"], where, "n_neurons", 1)
        rate = _number(entry["rate"], where, "rate (Hz)", nonnegative=True)
        _add(nodes, label, where, net.poisson_group, n, rate, label=label)


def _rule(entry: dict, where: str, pre, post):
    """The connectivity rule of a ``[[synapses]]`` entry (exactly one of RULES)."""
    given = [key for key in RULES if key in entry]
    if len(given) != 1:
        raise ConfigError(f"{where}: expected exactly one connectivity rule of "
                          f"{', '.join(RULES)}, got "
                          f"{', '.join(given) if given else 'none'}")
    key = given[0]
    value = entry[key]
    same = pre is post
    if "allow_self" in entry:
        if key == "one_to_one":
            raise ConfigError(f"{where}: allow_self does not apply to one_to_one")
        if not isinstance(entry["allow_self"], bool):
            raise ConfigError(f"{where}: allow_self = {_show(entry['allow_self'])}: "
                              "expected true or false")
    allow_self = entry.get("allow_self", False)
    if key == "p":
        p = _number(value, where, "p")
        if not 0.0 <= p <= 1.0:
            raise ConfigError(f"{where}: p = {p!r}: expected a probability in [0, 1]")
        return FixedProbability(p, allow_self=allow_self)
    if key == "in_degree":
        k = _integer(value, where, "in_degree", 0)
        available = pre.n_neurons - (1 if same and not allow_self else 0)
        if k > available:
            raise ConfigError(f"{where}: in_degree = {k}: expected at most {available}"
                              f" (the distinct neurons of {pre.label!r}"
                              f"{', less itself' if same and not allow_self else ''})")
        return FixedInDegree(k, allow_self=allow_self)
    if value is not True:
        shown = "false" if value is False else _show(value)
        raise ConfigError(f"{where}: {key} = {shown}: expected true (leave the key "
                          "out otherwise)")
    if key == "one_to_one":
        if pre.n_neurons != post.n_neurons:
            raise ConfigError(f"{where}: one_to_one = true needs groups of one size, "
                              f"got {pre.label!r} ({pre.n_neurons}) and {post.label!r}"
                              f" ({post.n_neurons})")
        return OneToOne()
    return AllToAll(allow_self=allow_self)


def _channel_of(target, entry: dict, where: str) -> str:
    """The channel of ``target`` named by ``entry["synapse"]`` (default: its only
    one)."""
    channels = list(target.channels)
    if "synapse" not in entry:
        if len(channels) != 1:
            raise ConfigError(f"{where}: synapse missing: group {target.label!r} has "
                              f"channels {', '.join(channels) or 'none'}; name one")
        return channels[0]
    name = _string(entry["synapse"], where, "synapse")
    if name not in channels:
        raise ConfigError(f"{where}: synapse = {name!r}: no such channel of group "
                          f"{target.label!r}; its channels: "
                          f"{', '.join(channels) or 'none'}")
    return name


def _check_weight(weight, model, sign, where: str):
    """Conductance weights >= 0; weights of a declared sign of that sign (the
    bounds of a uniform distribution; a Gaussian is not bounded)."""
    bounds = _bounds(weight)
    if bounds is None:
        return
    low, high = bounds
    shown = _show(weight) if isinstance(weight, float) else \
        f"{{uniform = [{low!r}, {high!r}]}}"
    if model.kind == Conductance.kind and low < 0:
        raise ConfigError(f"{where}: weight = {shown}: conductance weights (nS) must "
                          "be >= 0 (inhibition comes from the channel's E_rev = "
                          f"{model.E_rev:g} mV)")
    if sign == "excitatory" and low < 0:
        raise ConfigError(f"{where}: sign = 'excitatory' but weight = {shown}: "
                          "expected weights >= 0")
    if sign == "inhibitory" and high > 0 and model.kind != Conductance.kind:
        raise ConfigError(f"{where}: sign = 'inhibitory' but weight = {shown}: "
                          "expected weights <= 0")


def _synapses(net: Network, data: dict, path, nodes: dict):
    for where, entry in _entries(data, "synapses", path):
        _table(entry, where, ("pre", "post"),
               (*RULES, "allow_self", "weight", "delay", "synapse", "sign", "label"))
        pre = _node(nodes, entry["pre"], where, "pre", ("group", "Poisson group"))
        post = _node(nodes, entry["post"], where, "post", ("group",))
        where = f"{where} ({pre.label} -> {post.label})"
        rule = _rule(entry, where, pre, post)
        channel = _channel_of(post, entry, where)
        sign = None
        if "sign" in entry:
            sign = _string(entry["sign"], where, "sign")
            if sign not in ("excitatory", "inhibitory"):
                raise ConfigError(f"{where}: sign = {sign!r}: expected 'excitatory' or "
                                  "'inhibitory'")
        weight = _distribution(entry.get("weight", 1.0), where, "weight")
        _check_weight(weight, post.channels[channel], sign, where)
        delay = _distribution(entry.get("delay", 0.0), where, "delay (s)")
        low = _bounds(delay)
        if low is not None and low[0] < 0:
            shown = _show(delay) if isinstance(delay, float) else \
                f"{{uniform = [{low[0]!r}, {low[1]!r}]}}"
            raise ConfigError(f"{where}: delay = {shown}: expected delays >= 0 s")
        label = None
        if "label" in entry:
            label = _label(entry["label"], where)
            if label in nodes:
                raise ConfigError(f"{where}: label {label!r} is used twice (labels "
                                  "name inputs, populations, outputs, groups, Poisson "
                                  "groups and synapses alike)")
        conn = _checked(where, net.synapses, pre, post, rule=rule, weight=weight,
                        delay=delay, synapse=channel, sign=sign, label=label)
        nodes[conn.label] = conn


def _poisson_inputs(net: Network, data: dict, path, nodes: dict):
    for where, entry in _entries(data, "poisson_inputs", path):
        _table(entry, where, ("target", "n_sources", "rate", "weight"), ("synapse",))
        target = _node(nodes, entry["target"], where, "target", ("group",))
        where = f"{where} (-> {target.label})"
        n = _integer(entry["n_sources"], where, "n_sources", 1)
        rate = _number(entry["rate"], where, "rate (Hz)", nonnegative=True)
        weight = _number(entry["weight"], where, "weight")
        channel = _channel_of(target, entry, where)
        _check_weight(weight, target.channels[channel], None, where)
        _checked(where, net.poisson_input, target, n, rate, weight, synapse=channel)


def _noise(net: Network, data: dict, path, nodes: dict):
    noisy = set()
    for where, entry in _entries(data, "noise", path):
        _table(entry, where, ("target", "std"), ("mean", "tau"))
        target = _node(nodes, entry["target"], where, "target", ("group",))
        where = f"{where} (-> {target.label})"
        if target.label in noisy:
            raise ConfigError(f"{where}: group {target.label!r} has a noise current "
                              "already; give each group at most one")
        noisy.add(target.label)
        std = _number(entry["std"], where, "std", nonnegative=True)
        mean = _number(entry.get("mean", 0.0), where, "mean")
        tau = _number(entry.get("tau", 0.0), where, "tau (s)", nonnegative=True)
        _checked(where, net.noise, target, std, mean=mean, tau=tau)


def _group_probe(net: Network, target, entry: dict, where: str):
    """A ``[[probes]]`` entry on a group or Poisson group."""
    if "synapse" in entry:
        raise ConfigError(f"{where}: synapse does not apply to probes of groups "
                          f"({target.label!r}); probe a channel by name instead")
    what = _string(entry.get("what", "spikes"), where, "what")
    allowed = ["spikes"]
    if isinstance(target, NeuronGroup):
        allowed += ["voltage", *target.neuron.state_names, *target.channels]
    if what not in allowed:
        raise ConfigError(f"{where}: what = {what!r}: expected one of "
                          f"{', '.join(allowed)} (for {_a(_KINDS[type(target)])} of "
                          f"{type(getattr(target, 'neuron', target)).__name__})")
    if what == "spikes":
        extra = [k for k in ("sample_every", "window", "neurons") if k in entry]
        if extra:
            raise ConfigError(f"{where}: {', '.join(extra)}: a group's spike probe "
                              "records all its spikes; sample_every, window and "
                              "neurons are for its traces (voltage, states, channels)")
    every = _number(entry["sample_every"], where, "sample_every (s)",
                    positive=True) if "sample_every" in entry else None
    label = _label(entry["label"], where) if "label" in entry else None
    return _checked(where, net.probe, target, what, None, every, label,
                    window=entry.get("window"), neurons=entry.get("neurons"))


def load_network(path, seed: int | None = None) -> tuple[Network, dict]:
    """The network described by a TOML file, and its probes by label.

    Parameters
    ----------
    path : path-like
        The network file (see the module docstring for its tables).
    seed : int, optional
        The network's seed, in place of the file's ``[network] seed``.

    Returns
    -------
    network : Network
    probes : dict of str to Probe
        Every ``[[probes]]`` entry, by its label.
    """
    path = Path(path)
    return network_from_data(read_toml(path, str(path)), path, seed)


def network_from_data(data: dict, path, seed: int | None = None
                      ) -> tuple[Network, dict]:
    """``load_network`` for a network file already read (``config.read_toml``) and
    perhaps edited, e.g. an experiment that sets sizes and weights from its
    configuration before anything is built: the same checks, with errors naming
    ``path`` (and neuron model files found relative to it)."""
    path = Path(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected the tables of a network file, got "
                          f"{_show(data)}")
    for key in data:
        if key not in _TOP:
            raise ConfigError(f"{path}: unknown key or table {key!r}; allowed: "
                              f"{', '.join(_TOP)}")
    if "description" in data:
        _string(data["description"], str(path), "description")
    head = _table(data.get("network", {}), f"{path}: [network]", (), ("seed", "label"))
    where = f"{path}: [network]"
    if seed is None and "seed" in head:
        seed = _integer(head["seed"], where, "seed", 0)
    label = _string(head["label"], where, "label") if "label" in head else None
    net = Network(seed=seed, label=label)
    nodes: dict = {}
    for section in (_inputs, _populations, _outputs, _groups, _poisson_groups,
                    _connections, _synapses, _poisson_inputs, _noise):
        section(net, data, path, nodes)
    return net, _probes(net, data, path, nodes)
