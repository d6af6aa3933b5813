"""``Network``: a description of inputs, populations, connections and probes.

It holds no state and runs nothing: ``neurosim.Simulator`` builds it into arrays and
runs it. Populations created through a network get their seeds from the network's
seed (the i-th population from ``SeedSequence(seed).spawn``), so the same network
seed always gives the same neurons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .nef.population import Population
from .nef.solvers import resolve
from .nef.weights import transform_matrix
from .neurons.base import NeuronType
from .results import check_name
from .synapses import PSC
from .validation import _show, as_array, as_choice, as_float, as_int, as_window

PROBE_KINDS = ("decoded", "spikes", "voltage", "current", "rates")


@dataclass(eq=False)
class Input:
    """An input signal: ``function(t) -> (T,) or (T, d)`` evaluated at the middle of
    each step (s), or an array (T, d) of one value per step; held over the step."""

    function: object
    dimensions: int
    label: str

    def values(self, steps: np.ndarray, dt: float) -> np.ndarray:
        """The signal over steps ``steps`` (1, 2, ...; step k spans ((k−1) dt, k dt]),
        shape (T, d): a function is sampled at the middle of each step."""
        if callable(self.function):
            t = (steps - 0.5) * dt
            out = np.asarray(self.function(t), dtype=np.float64)
            if out.ndim == 0:
                out = np.full((t.size, 1), float(out))
            elif out.ndim == 1:
                out = out[:, None]
            if out.shape != (t.size, self.dimensions):
                raise ValueError(f"input {self.label!r}: function(t) must return shape "
                                 f"({t.size},) or ({t.size}, {self.dimensions}) for "
                                 f"{t.size} step times, got {out.shape}")
        else:
            table = self.function
            if steps.size and steps[-1] > table.shape[0]:
                raise ValueError(f"input {self.label!r} holds {table.shape[0]} steps; "
                                 f"the run needs {int(steps[-1])}")
            out = table[steps - 1]
        if not np.all(np.isfinite(out)):
            raise ValueError(f"input {self.label!r} is not finite")
        return out


@dataclass(eq=False)
class Output:
    """A sum of decoded signals (a population's f(x), transformed), for probing."""

    dimensions: int
    label: str


@dataclass(eq=False)
class Connection:
    """From an Input or Population to a Population or Output.

    ``decoder_options`` are passed to ``Population.decoders`` (function, solver, reg,
    eval_points). ``transform`` maps the decoded (or input) vector to the post
    object's dimensions. ``weights="full"`` forms the neuron-to-neuron matrix.
    """

    pre: object
    post: object
    synapse: PSC | None
    transform: np.ndarray
    weights: str
    decoder_options: dict = field(default_factory=dict)
    size_in: int = 0


@dataclass(eq=False)
class Probe:
    """Something to record: ``what`` of ``target`` every ``sample_every`` s (None:
    every step), the decoded value filtered by ``synapse``; only within ``window``
    (t0, t1) s and of ``neurons`` (indices into the population) where given."""

    target: object
    what: str
    synapse: PSC | None
    sample_every: float | None
    label: str
    window: tuple[float, float] | None = None
    neurons: np.ndarray | None = None


class Network:
    """A spiking or rate network, described.

    Parameters
    ----------
    seed : int, optional
        Seed of every population created without one of its own.
    label : str, optional
    """

    def __init__(self, seed: int | None = None, label: str | None = None):
        self.seed = None if seed is None else as_int("seed", seed, minimum=0)
        self.label = label
        self.inputs: list[Input] = []
        self.populations: list[Population] = []
        self.outputs: list[Output] = []
        self.connections: list[Connection] = []
        self.probes: list[Probe] = []

    def _label(self, label, prefix) -> str:
        """``label``, checked to be a free name, or the first free ``<prefix><i>``."""
        taken = {o.label for o in (*self.inputs, *self.outputs, *self.populations)}
        if label is None:
            count = 0
            while f"{prefix}{count}" in taken:
                count += 1
            return f"{prefix}{count}"
        check_name("label", label)
        if label in taken:
            raise ValueError(f"label {label!r} is already used in this network")
        return label

    def input(self, function, dimensions: int | None = None,
              label: str | None = None) -> Input:
        """An input: a function of the step times ``t`` (array, s) returning (T,) or
        (T, d) — called once per run on the whole time grid — or an array (T,) or
        (T, d) with one value per step."""
        label = self._label(label, "input")
        if callable(function):
            if dimensions is None:
                probe = np.asarray(function(np.zeros(2)), dtype=np.float64)
                dimensions = 1 if probe.ndim <= 1 else probe.shape[1]
            node = Input(function, as_int("dimensions", dimensions, minimum=1), label)
        else:
            table = as_array("input", function)
            if table.ndim == 1:
                table = table[:, None]
            if table.ndim != 2:
                raise ValueError(f"an input array must be (T,) or (T, d), got shape "
                                 f"{table.shape}")
            if dimensions is not None and as_int("dimensions", dimensions) != \
                    table.shape[1]:
                raise ValueError(f"dimensions={dimensions} but the array has "
                                 f"{table.shape[1]} columns")
            node = Input(table, table.shape[1], label)
        self.inputs.append(node)
        return node

    def population(self, n_neurons: int, dimensions: int = 1,
                   neuron: NeuronType | None = None, label: str | None = None,
                   **encoding) -> Population:
        """A population (see ``Population``; ``encoding`` holds max_rates, intercepts,
        encoders, radius and seed)."""
        label = self._label(label, "population")
        if "seed" not in encoding and self.seed is not None:
            child = np.random.SeedSequence(self.seed, spawn_key=(len(self.populations),))
            encoding["seed"] = int(child.generate_state(1, dtype=np.uint64)[0] >> 1)
        pop = Population(n_neurons, dimensions, neuron=neuron, label=label, **encoding)
        self.populations.append(pop)
        return pop

    def output(self, dimensions: int, label: str | None = None) -> Output:
        """A node summing what is connected into it (to probe decoded functions)."""
        node = Output(as_int("dimensions", dimensions, minimum=1),
                      self._label(label, "output"))
        self.outputs.append(node)
        return node

    def _member(self, obj, kinds, role):
        lists = {Input: self.inputs, Population: self.populations, Output: self.outputs}
        if not isinstance(obj, kinds) or not any(obj is o for o in lists[type(obj)]):
            names = " or ".join(k.__name__ for k in kinds)
            article = "an" if names[0] in "AEIOU" else "a"
            raise ValueError(f"{role} must be {article} {names} of this network, got "
                             f"{_show(obj)}")
        return obj

    def connect(self, pre, post, synapse: PSC | None = PSC(0.005), function=None,
                transform=None, solver=None, reg: float | None = None,
                eval_points=None, weights: str = "factored",
                decoders=None) -> Connection:
        """Connect ``pre`` (Input or Population) to ``post`` (Population or Output).

        From a population the connection carries the decoded ``function`` of its
        value (the identity by default), through ``transform``, filtered by
        ``synapse`` (None: no filtering); from an input, the input itself.
        ``weights="full"`` uses the neuron-to-neuron matrix instead of the factored
        decode–filter–encode form (same result, O(N·M) per step). ``decoders``
        (N, k) gives the decoders directly instead of solving them (e.g. a trained
        network's weights); the decoded vector is then ``rates @ decoders``.
        """
        self._member(pre, (Input, Population), "pre")
        self._member(post, (Population, Output), "post")
        if synapse is not None and not isinstance(synapse, PSC):
            raise TypeError(f"synapse must be a PSC or None, got {_show(synapse)}")
        weights = as_choice("weights", weights, {"factored", "full"})
        options = {}
        if isinstance(pre, Input):
            if any(v is not None for v in (function, solver, reg, decoders)):
                raise ValueError("function, solver, reg and decoders apply to "
                                 "connections from populations, not from inputs")
            if weights == "full":
                raise ValueError("weights='full' needs a population on both ends")
            size_in = pre.dimensions
        elif decoders is not None:
            if any(v is not None for v in (function, solver, reg, eval_points)):
                raise ValueError("decoders are given: function, solver, reg and "
                                 "eval_points do not apply")
            D = as_array("decoders", decoders, ndim=2)
            if D.shape[0] != pre.n_neurons:
                raise ValueError(f"decoders must have one row per neuron of "
                                 f"{pre.label!r} ({pre.n_neurons}), got shape {D.shape}")
            options = {"decoders": D}
            size_in = D.shape[1]
        else:
            resolve("lstsq_l2" if solver is None else solver, reg)  # checked here
            options = {k: v for k, v in (("function", function), ("solver", solver),
                                         ("reg", reg), ("eval_points", eval_points))
                       if v is not None}
            if function is None:
                size_in = pre.dimensions
            else:
                probe_points = np.zeros((2, pre.dimensions))
                size_in = int(np.atleast_2d(np.asarray(function(probe_points)).T).shape[0])
            if weights == "full" and not isinstance(post, Population):
                raise ValueError("weights='full' needs a population on both ends")
        size_out = post.dimensions
        L = transform_matrix(1.0 if transform is None else transform, size_in, size_out)
        conn = Connection(pre, post, synapse, L, weights, options, size_in)
        self.connections.append(conn)
        return conn

    def probe(self, target, what: str = "decoded", synapse: PSC | None = None,
              sample_every: float | None = None, label: str | None = None,
              window=None, neurons=None) -> Probe:
        """Record ``what`` of ``target``: ``"decoded"`` (a population's value, an
        input, an output), ``"spikes"``, ``"voltage"``, ``"current"`` or ``"rates"``
        (populations); decoded values and spiking-mode rates are filtered by
        ``synapse``.

        Parameters
        ----------
        sample_every : float, s, optional
            Sampling interval, a positive multiple of the simulator's dt (checked
            when it is built); default every step. Spikes are events: not sampled.
        window : (float, float), s, optional
            Record only samples and spikes at times t0 <= t <= t1; nothing outside
            is held.
        neurons : sequence of int, optional
            Record only these neurons of the population (``"spikes"``,
            ``"voltage"``, ``"current"``, ``"rates"``), each once; spikes keep the
            neurons' own indices as ids, sampled columns follow this order.
        """
        what = as_choice("what", what, set(PROBE_KINDS))
        self._member(target, (Input, Population, Output), "target")
        if what != "decoded" and not isinstance(target, Population):
            raise ValueError(f"probing {what!r} needs a population, got "
                             f"{type(target).__name__} {target.label!r}")
        if synapse is not None and not isinstance(synapse, PSC):
            raise TypeError(f"synapse must be a PSC or None, got {_show(synapse)}")
        if synapse is not None and isinstance(target, Output):
            raise ValueError(f"output {target.label!r} sums its connections as they "
                             "are filtered; put the synapse on the connections into it, "
                             "not on the probe")
        if what in ("spikes", "voltage") and not target.neuron.spiking:
            raise ValueError(f"{type(target.neuron).__name__} neurons have no "
                             f"{what}; probe 'rates' or 'decoded'")
        if sample_every is not None:
            if what == "spikes":
                raise ValueError("spikes are events, recorded as they happen: "
                                 "sample_every is for sampled probes")
            sample_every = as_float("sample_every (s)", sample_every, positive=True)
        if window is not None:
            window = as_window("window", window)
        if neurons is not None:
            if what == "decoded":
                raise ValueError("neurons selects neurons of spike, voltage, current "
                                 "and rate probes; a decoded value has none")
            neurons = _neuron_indices(neurons, target)
        if what == "spikes":
            for other in self.probes:
                if other.what == "spikes" and other.target is target:
                    raise ValueError(f"population {target.label!r} has a spike probe "
                                     f"({other.label!r}); one spike probe per "
                                     f"population (its spikes are /spikes/"
                                     f"{target.label})")
        label = f"{target.label}.{what}" if label is None else check_name("label",
                                                                            label)
        if any(p.label == label for p in self.probes):
            raise ValueError(f"a probe labelled {label!r} exists; give another label")
        probe = Probe(target, what, synapse, sample_every, label, window, neurons)
        self.probes.append(probe)
        return probe


def _neuron_indices(neurons, population: Population) -> np.ndarray:
    """``neurons`` as distinct indices (int64) into ``population``, checked."""
    n = population.n_neurons
    index = np.asarray(neurons)
    if index.ndim != 1 or index.size == 0 or not (
            np.issubdtype(index.dtype, np.integer) and index.dtype != np.bool_):
        raise TypeError(f"neurons must be a non-empty sequence of integers, got "
                        f"{_show(neurons)}")
    index = index.astype(np.int64)
    bad = (index < 0) | (index >= n)
    if bad.any():
        raise ValueError(f"neurons must lie in 0 .. {n - 1} (population "
                         f"{population.label!r} has {n}), got {int(index[bad][0])}")
    if np.unique(index).size != index.size:
        raise ValueError(f"neurons must not repeat, got {_show(neurons)}")
    return index
