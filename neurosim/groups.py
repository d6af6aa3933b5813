"""Neuron groups and what drives and joins them: the biophysical side of a Network.

A ``NeuronGroup`` is a population without encoders, gains or decoders — neurons of
one model with per-neuron initial state and named synaptic channels. ``Synapses``
join two groups neuron to neuron (sparse, drawn by a ``connectivity`` rule), each
synapse with a weight and a transmission delay, acting on one channel of the
post-synaptic neuron. ``PoissonGroup`` is a group of Poisson spike sources,
``PoissonInput`` independent Poisson sources summed straight into a channel of each
neuron, ``NoiseCurrent`` a white or Ornstein–Uhlenbeck current per neuron. All are
descriptions: nothing is drawn until the simulator builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .connectivity import Rule
from .neurons.base import NeuronType
from .synapses.models import CONDUCTANCE, SynapseModel


@dataclass(eq=False)
class NeuronGroup:
    """``n_neurons`` neurons of ``neuron``, with named synaptic ``channels``.

    ``initial`` maps state variables and channel names to a number, an array (n,)
    or a ``Distribution``; ``current`` is the constant external current (the
    model's current units), a number, array or Distribution.
    """

    n_neurons: int
    neuron: NeuronType
    label: str
    channels: dict = field(default_factory=dict)
    initial: dict = field(default_factory=dict)
    current: object = 0.0

    def channel(self, synapse) -> str:
        """The name of the channel ``synapse`` (a name or a SynapseModel) acts on; a
        model not declared gets a channel of its own, shared by equal models."""
        if isinstance(synapse, str):
            if synapse not in self.channels:
                raise ValueError(f"group {self.label!r} has no channel {synapse!r}; "
                                 f"its channels: {sorted(self.channels)}")
            return synapse
        for name, model in self.channels.items():
            if model == synapse:
                return name
        name = f"syn{len(self.channels)}"
        while name in self.channels:
            name += "_"
        self.channels[name] = synapse
        return name


@dataclass(eq=False)
class PoissonGroup:
    """``n_neurons`` independent Poisson spike sources at ``rate`` (Hz): a number,
    or a function of the step times t (s, array) returning rates (Hz), evaluated at
    the middle of each step."""

    n_neurons: int
    rate: object
    label: str


@dataclass(eq=False)
class Synapses:
    """Synapses from ``pre`` (NeuronGroup or PoissonGroup) to ``post`` (NeuronGroup),
    drawn by ``rule``, with ``weight`` (channel units) and ``delay`` (s) each a
    number, array (one per synapse, in the rule's pair order) or Distribution,
    acting on channel ``channel`` of ``post``; ``sign`` ("excitatory",
    "inhibitory" or None) the declared sign its weights must keep;
    ``learning_rule`` (a ``learning.STDP`` or None) what changes the weights during
    a run."""

    pre: object
    post: NeuronGroup
    rule: Rule
    weight: object
    delay: object
    channel: str
    label: str
    sign: str | None = None
    learning_rule: object = None


@dataclass(eq=False)
class PoissonInput:
    """``n_sources`` independent Poisson sources at ``rate`` (Hz) into channel
    ``channel`` of every neuron of ``target``, each spike adding ``weight``:
    per step, each neuron's channel grows by ``weight`` times a Poisson count of
    mean n_sources · rate · dt (Brian2's ``PoissonInput``)."""

    target: NeuronGroup
    channel: str
    n_sources: int
    rate: float
    weight: float


@dataclass(eq=False)
class NoiseCurrent:
    """A current added to every neuron of ``target`` (its model's current units):
    Ornstein–Uhlenbeck with mean ``mean``, stationary standard deviation ``std`` and
    correlation time ``tau`` (s), updated exactly each step; with ``tau`` = 0, an
    independent draw of mean ± std each step, held over it (white noise)."""

    target: NeuronGroup
    mean: float
    std: float
    tau: float


def is_conductance(model: SynapseModel) -> bool:
    """Whether ``model`` is a conductance channel (weights must be >= 0)."""
    return model.kind == CONDUCTANCE

