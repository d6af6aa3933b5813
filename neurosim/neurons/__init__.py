"""Neuron models: Hodgkin–Huxley, LIF and rate neurons, and how to run them."""

from .base import NeuronType
from .fi import rates, spike_rate
from .hh import HodgkinHuxley
from .lif import LIF
from .models import load_model
from .rate import (Arctan, LIFRate, RateNeuron, ReLU, Sigmoid, Softplus, Tanh,
                   Threshold)
from .simulate import NeuronRun, simulate

__all__ = ["Arctan", "HodgkinHuxley", "LIF", "LIFRate", "NeuronRun", "NeuronType",
           "RateNeuron", "ReLU", "Sigmoid", "Softplus", "Tanh", "Threshold",
           "load_model", "rates", "simulate", "spike_rate"]
