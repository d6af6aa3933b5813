"""neurosim: biophysical spiking-neuron simulation on a compiled ODE core."""

from . import ann, data, io, nef, neurons, ode, plots
from .data import digits
from .errors import ConfigError, SimulationError
from .neurons import (LIF, Arctan, HodgkinHuxley, LIFRate, NeuronRun, NeuronType,
                      ReLU, Sigmoid, Softplus, Tanh, Threshold, load_model, rates,
                      simulate)
from .network import Network
from .nef import (Choice, Gaussian, Population, QuasirandomHypersphere, Uniform,
                  UniformHypersphere)
from .ode import Event, solve
from .results import Report, Results, SpikeTrains
from .simulator import NetworkResults, Simulator
from .synapses import PSC, filter_spikes, weighted_input

__version__ = "0.1.0"

__all__ = ["Network", "NetworkResults", "Simulator", "Arctan", "Choice", "ConfigError", "Gaussian", "Population",
           "QuasirandomHypersphere", "Uniform", "UniformHypersphere", "nef", "Event", "HodgkinHuxley", "LIF", "LIFRate", "PSC",
           "NeuronRun", "NeuronType", "ReLU", "Report", "Results", "Sigmoid",
           "SimulationError", "Softplus", "SpikeTrains", "Tanh", "Threshold", "ann",
           "data", "digits", "filter_spikes", "io", "load_model", "neurons", "ode", "plots", "rates",
           "simulate", "solve", "weighted_input", "__version__"]
