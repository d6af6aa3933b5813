"""Networks from TOML model files: ``load_network(path) -> (Network, probes)``.

A network file names everything it uses — signals from ``SIGNALS``, functions from
``neurosim.functions``, neuron types from ``neurosim.neurons.models`` — so nothing in
it is evaluated as code. Populations are created in file order, so the i-th
population gets the same seed from ``[network] seed`` as the i-th population of the
same network built in Python.

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
``"LIFRate"``, ``"ReLU"``, ...), or a table ``{type = "LIF", tau_rc = 0.02, ...}``.
Unknown keys, wrong types, unknown labels, types and functions raise ``ConfigError``
naming the file, the table entry, the key and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import functions
from .config import read_toml
from .errors import ConfigError
from .nef.dists import Uniform
from .nef.population import Population
from .nef.solvers import resolve
from .network import PROBE_KINDS, Input, Network, Output
from .neurons.models import MODEL_TYPES, load_model, model_from_parameters
from .results import check_name
from .synapses import PSC
from .validation import _show, as_array, as_float, as_int

_TOP = ("description", "network", "inputs", "populations", "outputs", "connections",
        "probes")


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


def _signal(value, where: str):
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: signal = {_show(value)}: expected a table such as "
                          "{type = \"sine\", frequency = 1.0}")
    kind = value.get("type")
    if kind not in SIGNALS:
        raise ConfigError(f"{where}: signal.type = {_show(kind)}: expected one of "
                          f"{', '.join(SIGNALS)}")
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
    if isinstance(value, str) and value.endswith(".toml"):
        try:
            return load_model(folder / value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: neuron = {value!r}: {exc}") from None
    if isinstance(value, str):
        if value not in MODEL_TYPES:
            raise ConfigError(f"{where}: neuron = {value!r}: expected a model file "
                              f"(*.toml), a table, or one of {', '.join(MODEL_TYPES)}")
        return MODEL_TYPES[value]()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: neuron = {_show(value)}: expected a model file "
                          "(*.toml), a type name or a table {type = ..., ...}")
    kind = value.get("type")
    if kind not in MODEL_TYPES:
        raise ConfigError(f"{where}: neuron.type = {_show(kind)}: expected one of "
                          f"{', '.join(MODEL_TYPES)}")
    return model_from_parameters(MODEL_TYPES[kind],
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
                          "inputs, populations and outputs alike)")
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
    kind = {Input: "input", Population: "population", Output: "output"}[type(node)]
    if kind not in kinds:
        raise ConfigError(f"{where}: {key} = {label!r} is {_a(kind)}; {key} must be "
                          f"{' or '.join(_a(k) for k in kinds)}")
    return node


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
                       ("input", "population", "output"))
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
    data = read_toml(path, str(path))
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
    _inputs(net, data, path, nodes)
    _populations(net, data, path, nodes)
    _outputs(net, data, path, nodes)
    _connections(net, data, path, nodes)
    return net, _probes(net, data, path, nodes)
