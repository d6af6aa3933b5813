"""``Network``: a description of inputs, populations, connections and probes.

It holds no state and runs nothing: ``neurosim.Simulator`` builds it into arrays and
runs it. Populations created through a network get their seeds from the network's
seed (the i-th population from ``SeedSequence(seed).spawn``), so the same network
seed always gives the same neurons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .connectivity import FixedProbability, Rule
from .groups import (NeuronGroup, NoiseCurrent, PoissonGroup, PoissonInput, Synapses,
                     is_conductance)
from .learning import PES, STDP, LearningRule
from .nef.dists import Distribution
from .nef.population import Population
from .nef.solvers import resolve
from .nef.weights import transform_matrix
from .neurons.base import NeuronType
from .results import check_name
from .synapses import PSC
from .synapses.models import DELTA, SynapseModel, as_synapse_model
from .validation import _show, as_array, as_choice, as_float, as_int, as_window

PROBE_KINDS = ("decoded", "spikes", "voltage", "current", "rates")
#: what a probe of a connection records
CONNECTION_PROBE_KINDS = ("decoders",)


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
    """From an Input or Population to a Population, Output or learning rule.

    ``decoder_options`` are passed to ``Population.decoders`` (function, solver, reg,
    eval_points). ``transform`` maps the decoded (or input) vector to the post
    object's dimensions. ``weights="full"`` forms the neuron-to-neuron matrix.
    ``learning_rule`` is the connection's ``Learning`` (None: fixed decoders);
    ``label`` names it in the results file.
    """

    pre: object
    post: object
    synapse: PSC | None
    transform: np.ndarray
    weights: str
    decoder_options: dict = field(default_factory=dict)
    size_in: int = 0
    label: str = ""
    learning_rule: object = None

    @property
    def learning_rule_type(self):
        """The rule's description (``ns.PES``), as Nengo's attribute; or None."""
        return None if self.learning_rule is None else self.learning_rule.rule


@dataclass(eq=False)
class Learning:
    """The learning of one decoded connection (``conn.learning_rule``): its
    ``rule`` (a ``learning.PES``), and the target of the connections that bring
    its error (``net.connect(error, conn.learning_rule)``), of the connection's
    output dimensions."""

    connection: Connection
    rule: LearningRule

    @property
    def dimensions(self) -> int:
        """The error's dimensions: those of the learning connection's post."""
        return self.connection.post.dimensions

    @property
    def label(self) -> str:
        return f"{self.connection.label}.learning"


@dataclass(eq=False)
class Probe:
    """Something to record: ``what`` of ``target`` every ``sample_every`` s (None:
    every step), the decoded value filtered by ``synapse``; only within ``window``
    (t0, t1) s and of ``neurons`` (indices into the population; of a weight
    probe, indices into its synapse set) where given."""

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
        self.groups: list[NeuronGroup] = []
        self.poisson_groups: list[PoissonGroup] = []
        self.synapse_sets: list[Synapses] = []
        self.poisson_inputs: list[PoissonInput] = []
        self.noise_currents: list[NoiseCurrent] = []

    def _label(self, label, prefix) -> str:
        """``label``, checked to be a free name, or the first free ``<prefix><i>``."""
        taken = {o.label for o in (*self.inputs, *self.outputs, *self.populations,
                                   *self.groups, *self.poisson_groups,
                                   *self.synapse_sets)}
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

    # -- neuron groups and sparse synapses ----------------------------------------------
    def group(self, n_neurons: int, neuron: NeuronType, label: str | None = None,
              channels: dict | None = None, initial: dict | None = None,
              current=0.0) -> NeuronGroup:
        """A group of ``n_neurons`` neurons of ``neuron`` (a model with a group step:
        ``IAF``, ``TraubMiles``, ...) joined neuron to neuron by ``synapses``.

        ``channels`` names its synaptic channels, e.g. ``{"ge": Conductance(5e-3,
        0.0)}``; ``initial`` maps state variables and channel names to a number, an
        array (n,) or a Distribution (drawn at build from the network's seed);
        ``current`` is a constant external current (the model's current units).
        """
        label = self._label(label, "group")
        n_neurons = as_int("n_neurons", n_neurons, minimum=1)
        if not isinstance(neuron, NeuronType):
            raise TypeError(f"neuron must be a NeuronType, got {_show(neuron)}")
        if not hasattr(neuron, "group_step"):
            raise ValueError(f"group {label!r}: {type(neuron).__name__} neurons cannot "
                             "form a neuron group (they have no membrane potential to "
                             "receive synapses, or no group step); use a spiking model "
                             "such as IAF or TraubMiles")
        for arg, value in (("channels", channels), ("initial", initial)):
            if value is not None and not isinstance(value, dict):
                raise TypeError(f"{arg} must be a dict of name: value, got "
                                f"{_show(value)}")
        named = {}
        for name, model in (channels or {}).items():
            check_name("channel name", name)
            if name in neuron.state_names:
                raise ValueError(f"channel name {name!r} is a state variable of "
                                 f"{type(neuron).__name__}")
            if name in ("spikes", "voltage"):
                raise ValueError(f"channel name {name!r} is reserved (probe(group, "
                                 f"{name!r}) records the group's {name}); choose "
                                 "another, e.g. 'ge' or 'gi'")
            named[name] = self._synapse_model(model, neuron, f"channel {name!r}")
        initial = dict(initial or {})
        for key, value in initial.items():
            if key not in neuron.state_names and key not in named:
                raise ValueError(f"initial: {key!r} is neither a state variable of "
                                 f"{type(neuron).__name__} {list(neuron.state_names)} "
                                 f"nor a channel {sorted(named)}")
            self._values(f"initial[{key!r}]", value, n_neurons)
        self._values("current", current, n_neurons)
        group = NeuronGroup(n_neurons, neuron, label, named, initial, current)
        self.groups.append(group)
        return group

    def poisson_group(self, n_neurons: int, rate, label: str | None = None
                      ) -> PoissonGroup:
        """``n_neurons`` independent Poisson spike sources at ``rate`` (Hz, a number
        >= 0, or a function of the step times t (s, array) returning Hz). A source
        emits at most 4 spikes in a step, so rates that would need more (with
        probability above 1e-6: about 169 Hz at dt = 1 ms, 1.69 kHz at 0.1 ms) are
        refused when the run starts."""
        label = self._label(label, "poisson")
        n_neurons = as_int("n_neurons", n_neurons, minimum=1)
        if not callable(rate):
            rate = as_float("rate (Hz)", rate, nonnegative=True)
        group = PoissonGroup(n_neurons, rate, label)
        self.poisson_groups.append(group)
        return group

    def synapses(self, pre, post, rule: Rule | None = None, weight=1.0, delay=0.0,
                 synapse=None, p: float | None = None, sign: str | None = None,
                 label: str | None = None, learning_rule=None) -> Synapses:
        """Neuron-to-neuron synapses from ``pre`` (NeuronGroup or PoissonGroup) to
        ``post`` (NeuronGroup).

        Parameters
        ----------
        rule : connectivity.Rule, optional
            Which pairs connect (``FixedProbability``, ``FixedInDegree``,
            ``OneToOne``, ``AllToAll``, ``Explicit``); ``p=`` is shorthand for
            ``FixedProbability(p)``.
        weight : float, array (n_synapses,) or Distribution
            In the channel's units: nA (IAF) or pA (TraubMiles) for a current, nS
            for a conductance (>= 0), mV for a delta synapse.
        delay : float, array or Distribution, s
            Transmission delay: a spike in the step ending at t acts on the step
            after t + delay. A given delay must be a whole number of steps; drawn
            ones are rounded to the step.
        synapse : str or synapse model
            A channel of ``post`` by name, or a model (``PSC(tau)``,
            ``Conductance(tau, E_rev)``, ``Delta()``) sharing a channel with equal
            models. Default: ``post``'s only channel.
        sign : {"excitatory", "inhibitory"}, optional
            Declares the synapses' sign; weights of the other sign are refused
            (Dale's law, when the user wants it).
        learning_rule : learning.STDP, optional
            Spike-timing-dependent plasticity of the weights during the run (the
            keyword ``connect`` takes for its rules too, as Nengo's
            ``learning_rule_type``). The weights must start in [0, w_max];
            ``probe(synapses, "weights")`` records them and the results hold the
            final ones (``/analysis/synapses/<label>/weights``).
        """
        self._member(pre, (NeuronGroup, PoissonGroup), "pre")
        if isinstance(post, Population):
            raise ValueError(f"post must be a NeuronGroup of this network, got "
                             f"Population {post.label!r} ({type(post.neuron).__name__}"
                             " neurons); neuron-to-neuron synapses act on a group's "
                             "membrane (net.group)")
        self._member(post, (NeuronGroup,), "post")
        if (rule is None) == (p is None):
            raise ValueError("give exactly one of rule (a connectivity rule) and p "
                             "(a connection probability)")
        rule = FixedProbability(p) if p is not None else rule
        if not isinstance(rule, Rule):
            raise TypeError(f"rule must be a connectivity rule (FixedProbability, "
                            f"FixedInDegree, OneToOne, AllToAll, Explicit), got "
                            f"{_show(rule)}")
        synapse, model = self._channel_model(post, synapse)
        sign = None if sign is None else as_choice("sign", sign,
                                                   {"excitatory", "inhibitory"})
        self._check_weights(weight, model, sign, post.neuron)
        self._check_delays(delay)
        _check_learning_rule(learning_rule, weight, model, sign)
        label = self._label(label, "synapses")
        # everything checked: only now may a new channel join ``post``
        channel = post.channel(synapse)
        conn = Synapses(pre, post, rule, weight, delay, channel, label, sign,
                        learning_rule)
        self.synapse_sets.append(conn)
        return conn

    def poisson_input(self, target: NeuronGroup, n_sources: int, rate: float,
                      weight: float, synapse=None) -> PoissonInput:
        """``n_sources`` independent Poisson sources at ``rate`` (Hz) into every
        neuron of ``target``, each spike adding ``weight`` to channel ``synapse``
        (as in ``synapses``), drawn as one Poisson count per neuron and step."""
        self._member(target, (NeuronGroup,), "target")
        synapse, model = self._channel_model(target, synapse)
        weight = as_float("weight", weight)
        self._check_weights(weight, model, None, target.neuron)
        n_sources = as_int("n_sources", n_sources, minimum=1)
        rate = as_float("rate (Hz)", rate, nonnegative=True)
        channel = target.channel(synapse)  # checked: a new channel may join now
        node = PoissonInput(target, channel, n_sources, rate, weight)
        self.poisson_inputs.append(node)
        return node

    def noise(self, target: NeuronGroup, std: float, mean: float = 0.0,
              tau: float = 0.0) -> NoiseCurrent:
        """A noisy current into every neuron of ``target`` (``NoiseCurrent``):
        Ornstein–Uhlenbeck with correlation time ``tau`` (s), or white (tau = 0)."""
        self._member(target, (NeuronGroup,), "target")
        node = NoiseCurrent(target, as_float("mean", mean),
                            as_float("std", std, nonnegative=True),
                            as_float("tau (s)", tau, nonnegative=True))
        self.noise_currents.append(node)
        return node

    def _channel_model(self, post, synapse):
        """(``synapse`` as a channel name or model, its model), checked against
        ``post`` without changing it (a new model's channel is added by the caller
        once every other argument passed)."""
        if synapse is None:
            if len(post.channels) != 1:
                raise ValueError(f"group {post.label!r} has channels "
                                 f"{sorted(post.channels)}: name one with synapse=")
            synapse = next(iter(post.channels))
        if isinstance(synapse, str):
            return synapse, post.channels[post.channel(synapse)]
        model = self._synapse_model(synapse, post.neuron, "synapse")
        return model, model

    @staticmethod
    def _synapse_model(model, neuron, role) -> SynapseModel:
        model = as_synapse_model(model)
        if model.kind == DELTA and not getattr(neuron, "takes_delta", False):
            raise ValueError(f"{role}: delta synapses (a jump of the membrane "
                             f"potential) need a neuron that takes them, such as "
                             f"IAF; {type(neuron).__name__} does not")
        return model

    @staticmethod
    def _values(name, value, n):
        """Check a number, array (n,) or Distribution given for ``n`` neurons."""
        if isinstance(value, Distribution):
            return
        arr = as_array(name, value)
        if arr.ndim not in (0, 1) or (arr.ndim == 1 and arr.shape[0] != n):
            raise ValueError(f"{name} must be a number, an array of {n} values or a "
                             f"Distribution, got shape {arr.shape}")

    @staticmethod
    def _check_weights(weight, model, sign, neuron=None):
        if sign is not None and is_conductance(model) and neuron is not None:
            _check_conductance_sign(model, sign, neuron)
        if isinstance(weight, Distribution):
            return
        w = as_array("weight", weight)
        if w.ndim > 1:
            raise ValueError(f"weight must be a number, an array (one per synapse) or "
                             f"a Distribution, got shape {w.shape}")
        if is_conductance(model) and w.size and w.min() < 0:
            raise ValueError(f"conductance weights (nS) must be >= 0 — inhibition "
                             f"comes from the reversal potential (E_rev = "
                             f"{model.E_rev} mV) — got {w.min():g}")
        if sign == "excitatory" and w.size and w.min() < 0:
            raise ValueError(f"sign='excitatory' synapses need weights >= 0, got "
                             f"{w.min():g}")
        if sign == "inhibitory" and w.size and w.max() > 0 and not is_conductance(model):
            raise ValueError(f"sign='inhibitory' synapses need weights <= 0 (or a "
                             f"conductance with a low E_rev), got {w.max():g}")

    @staticmethod
    def _check_delays(delay):
        if isinstance(delay, Distribution):
            return
        d = as_array("delay (s)", delay)
        if d.ndim > 1:
            raise ValueError(f"delay must be a number, an array (one per synapse) or a "
                             f"Distribution (s), got shape {d.shape}")
        if d.size and d.min() < 0:
            raise ValueError(f"delay must be >= 0 s, got {d.min():g} s")

    def _member(self, obj, kinds, role):
        lists = {Input: self.inputs, Population: self.populations, Output: self.outputs,
                 NeuronGroup: self.groups, PoissonGroup: self.poisson_groups}
        if not isinstance(obj, kinds) or not any(obj is o for o in lists[type(obj)]):
            names = " or ".join(k.__name__ for k in kinds)
            article = "an" if names[0] in "AEIOU" else "a"
            raise ValueError(f"{role} must be {article} {names} of this network, got "
                             f"{_show(obj)}")
        return obj

    def connect(self, pre, post, synapse: PSC | None = PSC(0.005), function=None,
                transform=None, solver=None, reg: float | None = None,
                eval_points=None, weights: str = "factored",
                decoders=None, learning_rule=None,
                label: str | None = None) -> Connection:
        """Connect ``pre`` (Input or Population) to ``post`` (Population, Output, or
        another connection's ``learning_rule``, to bring it its error).

        From a population the connection carries the decoded ``function`` of its
        value (the identity by default), through ``transform``, filtered by
        ``synapse`` (None: no filtering); from an input, the input itself.
        ``weights="full"`` uses the neuron-to-neuron matrix instead of the factored
        decode–filter–encode form (same result, O(N·M) per step). ``decoders``
        (N, k) gives the decoders directly instead of solving them (e.g. a trained
        network's weights); the decoded vector is then ``rates @ decoders``.
        ``learning_rule=ns.PES(...)`` learns the decoders online (``learning``
        module): they start as solved or given (``function=lambda x: 0 * x``
        starts them at zero), and ``conn.learning_rule`` takes the error.
        ``label`` names the connection (default ``<pre>_to_<post>``).
        """
        self._member(pre, (Input, Population), "pre")
        if isinstance(post, Learning):
            if not any(post is c.learning_rule for c in self.connections):
                raise ValueError(f"post {post.label!r} is the learning rule of a "
                                 "connection of another network")
        else:
            self._member(post, (Population, Output), "post")
        self._check_decoded_rule(learning_rule, pre, post, weights)
        label = self._connection_label(pre, post, label)
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
        conn = Connection(pre, post, synapse, L, weights, options, size_in, label)
        if learning_rule is not None:
            conn.learning_rule = Learning(conn, learning_rule)
        self.connections.append(conn)
        return conn

    @staticmethod
    def _check_decoded_rule(rule, pre, post, weights):
        """A learning rule for a decoded connection: PES, from a population, in
        factored form, into a population or output."""
        if rule is None:
            return
        if isinstance(rule, STDP):
            raise ValueError(f"learning_rule={rule!r}: STDP acts on the "
                             "neuron-to-neuron synapses of neuron groups "
                             "(net.synapses(pre_group, post_group, ..., "
                             "learning_rule=ns.STDP(...))), not on a decoded "
                             f"connection from {pre.label!r} to {post.label!r}")
        if not isinstance(rule, PES):
            raise TypeError(f"learning_rule of a decoded connection must be an "
                            f"ns.PES or None, got {_show(rule)}")
        if not isinstance(pre, Population):
            raise ValueError(f"PES learns the decoders of a population; the "
                             f"connection from input {pre.label!r} has none")
        if isinstance(post, Learning):
            raise ValueError("a connection that brings an error to a learning rule "
                             "cannot learn itself")
        if weights != "factored":
            raise ValueError(f"PES learns decoders: it needs weights='factored', got "
                             f"weights={weights!r}")

    def _connection_label(self, pre, post, label) -> str:
        """``label`` checked and free, or the first free ``<pre>_to_<post>[_k]``."""
        taken = {c.label for c in self.connections}
        if label is not None:
            label = check_name("label", label)
            if label in taken:
                raise ValueError(f"a connection labelled {label!r} exists; give "
                                 "another label")
            return label
        base = f"{pre.label}_to_{post.label}"
        label, k = base, 1
        while label in taken:
            k += 1
            label = f"{base}_{k}"
        return label

    def probe(self, target, what: str = "decoded", synapse: PSC | None = None,
              sample_every: float | None = None, label: str | None = None,
              window=None, neurons=None, synapses=None) -> Probe:
        """Record ``what`` of ``target``: ``"decoded"`` (a population's value, an
        input, an output), ``"spikes"``, ``"voltage"``, ``"current"`` or ``"rates"``
        (populations); decoded values and spiking-mode rates are filtered by
        ``synapse``. Of a neuron group: ``"spikes"``, ``"voltage"`` (its first
        state variable), any other state variable or channel by name; of a Poisson
        group, ``"spikes"``; of a synapse set (``synapses``), ``"weights"``; of a
        connection from a population, ``"decoders"`` (samples (T, N, k): the
        decoders it applies, which change where it learns).

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
        synapses : sequence of int, optional
            Of a ``"weights"`` probe: record only these synapses (indices into the
            set, in the order of ``Simulator.pairs(target)``; checked at build).
        """
        if isinstance(target, Synapses):
            return self._weight_probe(target, what, synapse, sample_every, label,
                                      window, neurons, synapses)
        if synapses is not None:
            raise ValueError("synapses selects the synapses of a weight probe "
                             "(probe(synapse_set, 'weights', synapses=...))")
        if isinstance(target, Connection):
            return self._decoder_probe(target, what, synapse, sample_every, label,
                                       window, neurons)
        if isinstance(target, (NeuronGroup, PoissonGroup)):
            return self._group_probe(target, what, sample_every, label, window,
                                     neurons)
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
        if sample_every is not None and what == "spikes":
            raise ValueError("spikes are events, recorded as they happen: "
                             "sample_every is for sampled probes")
        if neurons is not None and what == "decoded":
            raise ValueError("neurons selects neurons of spike, voltage, current "
                             "and rate probes; a decoded value has none")
        if what == "spikes":
            for other in self.probes:
                if other.what == "spikes" and other.target is target:
                    raise ValueError(f"population {target.label!r} has a spike probe "
                                     f"({other.label!r}); one spike probe per "
                                     f"population (its spikes are /spikes/"
                                     f"{target.label})")
        return self._add_probe(target, what, synapse, sample_every, label, window,
                               neurons)

    def _group_probe(self, target, what, sample_every, label, window, neurons
                     ) -> Probe:
        self._member(target, (NeuronGroup, PoissonGroup), "target")
        if not isinstance(what, str):
            raise TypeError(f"what must be a string, got {_show(what)}")
        allowed = ["spikes"]
        if isinstance(target, NeuronGroup):
            if what == target.neuron.state_names[0]:
                what = "voltage"
            allowed += ["voltage", *target.neuron.state_names[1:], *target.channels]
        if what not in allowed:
            raise ValueError(f"group {target.label!r} can be probed for {allowed}, got "
                             f"{what!r}")
        if what == "spikes":
            if sample_every is not None or window is not None or neurons is not None:
                raise ValueError(f"group {target.label!r}: a group's spike probe "
                                 "records all its spikes (no sample_every, window or "
                                 "neurons); probe its traces for those")
            if any(p.what == "spikes" and p.target is target for p in self.probes):
                raise ValueError(f"group {target.label!r} has a spike probe; one "
                                 "spike probe per group")
        return self._add_probe(target, what, None, sample_every, label, window,
                               neurons)

    def _weight_probe(self, target, what, synapse, sample_every, label, window,
                      neurons, synapses) -> Probe:
        if not any(target is s for s in self.synapse_sets):
            raise ValueError(f"target must be a synapse set of this network, got "
                             f"{_show(target)}")
        if what != "weights":
            raise ValueError(f"synapse set {target.label!r} can be probed for "
                             f"'weights', got {what!r}")
        if synapse is not None or neurons is not None:
            raise ValueError(f"synapse set {target.label!r}: a weight probe takes no "
                             "synapse or neurons; choose synapses with synapses=")
        index = None
        if synapses is not None:
            index = np.asarray(synapses)
            if index.ndim != 1 or index.size == 0 or not (
                    np.issubdtype(index.dtype, np.integer)
                    and index.dtype != np.bool_):
                raise TypeError(f"synapses must be a non-empty sequence of integers, "
                                f"got {_show(synapses)}")
            index = index.astype(np.int64)
            if index.min() < 0 or np.unique(index).size != index.size:
                raise ValueError(f"synapses must be distinct indices >= 0, got "
                                 f"{_show(synapses)}")
        probe = self._add_probe(target, what, None, sample_every, label, window, None)
        probe.neurons = index
        return probe

    def _decoder_probe(self, target, what, synapse, sample_every, label, window,
                       neurons) -> Probe:
        if not any(target is c for c in self.connections):
            raise ValueError(f"target must be a connection of this network, got "
                             f"{_show(target)}")
        if what not in CONNECTION_PROBE_KINDS:
            raise ValueError(f"connection {target.label!r} can be probed for "
                             f"{CONNECTION_PROBE_KINDS}, got {what!r}")
        if not isinstance(target.pre, Population) or target.weights != "factored":
            raise ValueError(f"connection {target.label!r} has no decoders (it comes "
                             "from an input or uses weights='full')")
        if synapse is not None or neurons is not None:
            raise ValueError(f"connection {target.label!r}: a decoder probe takes no "
                             "synapse or neurons")
        return self._add_probe(target, what, None, sample_every, label, window, None)

    def _add_probe(self, target, what, synapse, sample_every, label, window,
                   neurons) -> Probe:
        """A probe, its sampling interval (s), window and neuron subset checked,
        labelled ``label`` (default ``<target>.<what>``, which must be free), added
        to the network."""
        if sample_every is not None:
            sample_every = as_float("sample_every (s)", sample_every, positive=True)
        if window is not None:
            window = as_window("window", window)
        if neurons is not None:
            neurons = _neuron_indices(neurons, target)
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


def _check_learning_rule(rule, weight, model, sign):
    """A learning rule for neuron-to-neuron synapses: STDP, on weights that start
    in [0, w_max] (drawn weights are checked when they are drawn)."""
    if rule is None:
        return
    if not isinstance(rule, STDP):
        hint = " (PES learns decoded connections: net.connect)" \
            if isinstance(rule, LearningRule) else ""
        raise TypeError(f"learning_rule of neuron-to-neuron synapses must be an "
                        f"ns.STDP, got {_show(rule)}{hint}")
    if sign == "inhibitory" and not is_conductance(model):
        raise ValueError(f"STDP keeps weights in [0, w_max] = [0, {rule.w_max:g}]; "
                         "sign='inhibitory' current synapses have weights <= 0. "
                         "Use a conductance channel with a low E_rev for plastic "
                         "inhibition, or leave these synapses without STDP")
    if isinstance(weight, Distribution):
        return
    w = as_array("weight", weight)
    if w.size and (w.min() < 0 or w.max() > rule.w_max):
        bad = w.min() if w.min() < 0 else w.max()
        raise ValueError(f"STDP synapses need weights in [0, w_max] = "
                         f"[0, {rule.w_max:g}], got {bad:g}")


def _check_conductance_sign(model, sign, neuron):
    """A conductance's sign is its reversal potential: ``sign='excitatory'`` needs
    E_rev above the neuron's resting potential (it depolarises), ``'inhibitory'``
    E_rev below its threshold (it can never drive the neuron to fire). Neurons
    without a known rest or threshold are not checked."""
    name = type(neuron).__name__
    if sign == "excitatory":
        for attr in ("V_rest", "E_L"):
            rest = getattr(neuron, attr, None)
            if rest is not None:
                if not model.E_rev > rest:
                    raise ValueError(
                        f"sign='excitatory' conductance synapses need E_rev above the "
                        f"resting potential of {name} ({attr} = {rest:g} mV), got "
                        f"E_rev = {model.E_rev:g} mV (a conductance's sign is its "
                        "reversal potential)")
                return
    else:
        for attr in ("V_th", "threshold"):
            threshold = getattr(neuron, attr, None)
            if threshold is not None:
                if not model.E_rev < threshold:
                    raise ValueError(
                        f"sign='inhibitory' conductance synapses need E_rev below the "
                        f"threshold of {name} ({attr} = {threshold:g} mV), got "
                        f"E_rev = {model.E_rev:g} mV (a conductance's sign is its "
                        "reversal potential)")
                return
