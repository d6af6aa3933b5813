"""COBAHH: 4000 Hodgkin–Huxley (Traub–Miles) neurons with conductance synapses.

The network of ``models/cobahh.toml`` (Brette et al. 2007, benchmark 3; Brian2's
``examples/COBAHH.py``): 3200 excitatory and 800 inhibitory Hodgkin–Huxley neurons
with Traub & Miles kinetics (``TraubMiles`` defaults: C = 200 pF, g_L = 10 nS,
E_L = −60 mV, spikes counted at −20 mV) joined at random with p = 0.02 through
exponential conductances (5 ms, 6 nS, E = 0 mV; 10 ms, 67 nS, E = −80 mV), from
v ~ N(−65, 5) mV, ge ~ N(40, 15) nS, gi ~ N(200, 120) nS, stepped by exponential
Euler as Brian2 does. Brian2 gives a mean rate of about 37.8 Hz and a mean ISI CV
of about 2.0 (1 s at 0.1 ms).

``n_neurons`` (4000) keeps the 4:1 split and each neuron's 80 expected synapses;
the run's seed draws the network and the initial potentials and conductances.
Configuration, metrics and figure (``cobahh.png``): ``neurosim.random_networks``.
"""

from __future__ import annotations

from pathlib import Path

from neurosim.random_networks import RandomNetworkExperiment

MODEL = Path(__file__).resolve().parent.parent / "models" / "cobahh.toml"
EXPERIMENT = RandomNetworkExperiment(
    "cobahh", MODEL, "COBAHH", "Traub–Miles",
    reference={"rate": 37.8, "cv": 2.0})  # Brian2, 1 s at 0.1 ms, 4000 neurons

CONFIG, check, build, run, plot = EXPERIMENT.entry_points()
