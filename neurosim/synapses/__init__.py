"""Synapses: the PSC family (filters of spike trains, and the NEF connections'
synapses) and the synapse models of neuron-to-neuron connections."""

from .models import (Conductance, Delta, ExponentialCurrent, SynapseModel,
                     as_synapse_model)
from .psc import PSC, filter_spikes, weighted_input

__all__ = ["Conductance", "Delta", "ExponentialCurrent", "PSC", "SynapseModel",
           "as_synapse_model", "filter_spikes", "weighted_input"]
