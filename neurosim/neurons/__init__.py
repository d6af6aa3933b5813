"""Neuron models: Hodgkin–Huxley, LIF and rate neurons, the integrate-and-fire,
Traub–Miles, adaptive IAF, AdEx and Izhikevich neurons of neuron groups, neurons
written as equations, and how to run them."""

from .adaptive_iaf import AdaptiveIAF
from .adex import AdEx
from .base import NeuronType
from .equation_neuron import EquationNeuron
from .fi import rates, spike_rate
from .hh import HodgkinHuxley
from .iaf import IAF
from .izhikevich import Izhikevich
from .lif import LIF
from .models import load_model
from .rate import (Arctan, LIFRate, RateNeuron, ReLU, Sigmoid, Softplus, Tanh,
                   Threshold)
from .simulate import NeuronRun, simulate
from .traub import TraubMiles

__all__ = ["AdaptiveIAF", "AdEx", "Arctan", "EquationNeuron", "HodgkinHuxley", "IAF", "Izhikevich",
           "LIF", "LIFRate", "NeuronRun", "NeuronType",
           "RateNeuron", "ReLU", "Sigmoid", "Softplus", "Tanh", "Threshold",
           "TraubMiles", "load_model", "rates", "simulate", "spike_rate"]
