"""neurosim: biophysical spiking-neuron simulation on a compiled ODE core."""

from . import (ann, connectivity, data, functions, io, learning, nef, neurons, ode,
               plots)
from .connectivity import (AllToAll, Explicit, FixedInDegree, FixedProbability,
                           OneToOne)
from .data import digits
from .errors import ConfigError, SimulationError
from .export_neo import to_neo
from .export_nwb import export_nwb
from .learning import PES, STDP
from .network import Network
from .network_files import load_network
from .nef import (Choice, Gaussian, Population, QuasirandomHypersphere, Uniform,
                  UniformHypersphere)
from .neurons import (IAF, LIF, AdaptiveIAF, AdEx, Arctan, EquationNeuron,
                      HodgkinHuxley, Izhikevich, LIFRate, NeuronRun, NeuronType, ReLU,
                      Sigmoid, Softplus, Tanh, Threshold, TraubMiles, load_model,
                      rates, simulate)
from .ode import Event, solve
from .results import Report, Results, SpikeTrains
from .simulator import NetworkResults, Simulator
from .sweeps import sweep
from .synapses import (PSC, Conductance, Delta, ExponentialCurrent, filter_spikes,
                       weighted_input)

__version__ = "0.1.0"

__all__ = [
    # modules
    "ann", "connectivity", "data", "functions", "io", "learning", "nef", "neurons",
    "ode", "plots",
    # errors
    "ConfigError", "SimulationError",
    # ODE core
    "Event", "solve",
    # neurons and synapses
    "AdaptiveIAF", "AdEx", "Arctan", "EquationNeuron", "HodgkinHuxley", "IAF",
    "Izhikevich", "LIF", "LIFRate", "NeuronRun", "NeuronType",
    "ReLU", "Sigmoid", "Softplus", "Tanh", "Threshold", "TraubMiles", "load_model",
    "rates", "simulate",
    "Conductance", "Delta", "ExponentialCurrent", "PSC", "filter_spikes",
    "weighted_input",
    # populations
    "Choice", "Gaussian", "Population", "QuasirandomHypersphere", "Uniform",
    "UniformHypersphere",
    # networks
    "Network", "NetworkResults", "Simulator", "load_network",
    "AllToAll", "Explicit", "FixedInDegree", "FixedProbability", "OneToOne",
    # learning
    "PES", "STDP",
    # results, export, sweeps
    "Report", "Results", "SpikeTrains", "export_nwb", "to_neo", "sweep", "digits",
    "__version__",
]
