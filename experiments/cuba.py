"""CUBA: 4000 current-based LIF neurons (Vogels & Abbott 2005), rates and ISI CVs.

The network of ``models/cuba.toml`` (Brette et al. 2007, benchmark 2; Brian2's
``examples/CUBA.py``): 3200 excitatory and 800 inhibitory integrate-and-fire
neurons (τ_m = 20 ms, V_t = −50 mV, V_r = −60 mV, E_l = −49 mV, 5 ms refractory)
joined at random with p = 0.02 through exponential currents (5 ms, +1.62 mV; 10 ms,
−9 mV), v(0) uniform in [V_r, V_t). Brian2 gives a mean rate of about 5.75 Hz and a
mean ISI CV of about 0.53 (1 s at 0.1 ms).

``n_neurons`` (4000) keeps the 4:1 split and each neuron's 80 expected synapses;
the run's seed draws the network and the initial potentials. Configuration,
metrics and figure (``cuba.png``): ``neurosim.random_networks``.
"""

from __future__ import annotations

from pathlib import Path

from neurosim.random_networks import RandomNetworkExperiment

MODEL = Path(__file__).resolve().parent.parent / "models" / "cuba.toml"
EXPERIMENT = RandomNetworkExperiment(
    "cuba", MODEL, "CUBA", "LIF",
    reference={"rate": 5.75, "cv": 0.53})  # Brian2, 1 s at 0.1 ms, 4000 neurons

CONFIG, check, build, run, plot = EXPERIMENT.entry_points()
