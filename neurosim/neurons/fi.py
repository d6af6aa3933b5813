"""f–I curves: the firing rate of a neuron for each of many constant currents."""

from __future__ import annotations

import hashlib

import numpy as np

from ..validation import as_array, as_float
from .base import NeuronType

_CACHE: dict[str, np.ndarray] = {}
_CACHE_SIZE = 64


def spike_rate(spike_times, t_from: float, t_to: float) -> float:
    """Rate (Hz) of one spike train in [t_from, t_to]: from the inter-spike intervals
    when at least two spikes fall inside, else the count over the window."""
    s = np.asarray(spike_times)
    s = s[(s >= t_from) & (s <= t_to)]
    if s.size >= 2:
        return (s.size - 1) / (s[-1] - s[0])
    return s.size / (t_to - t_from)


def rates(neuron: NeuronType, currents, t_stop: float = 1.0,
          transient: float = 0.5, **simulate_options) -> np.ndarray:
    """Steady-state firing rate (Hz) for each constant current.

    Analytic where the model has a rate curve in closed form (LIF, IAF, rate
    neurons); otherwise (Hodgkin–Huxley, and the group models without one:
    TraubMiles, AdaptiveIAF, AdEx, Izhikevich, EquationNeuron) all currents are
    simulated together as one batch (each model's default method and dt) for
    ``t_stop`` seconds and the rate is measured after the first ``transient``
    fraction of the run (see ``spike_rate``). Simulated curves are cached by a hash
    of the model, the currents and the options.

    Parameters
    ----------
    neuron : NeuronType
    currents : array (k,)
        Constant input per point (µA/cm² for HH).
    t_stop : float, s
    transient : float
        Fraction of ``t_stop`` discarded before measuring (0 <= transient < 1).
    **simulate_options
        Passed to ``simulate`` (``dt``, ``method``, ``rtol``, ``atol``).
    """
    from .rate_table import TabulatedRates
    from .simulate import simulate
    currents = as_array("currents", currents, ndim=1)
    if not isinstance(neuron, TabulatedRates):
        return neuron.rates(currents)
    t_stop = as_float("t_stop (s)", t_stop, positive=True)
    transient = as_float("transient", transient, nonnegative=True)
    if transient >= 1.0:
        raise ValueError(f"transient must be < 1 (a fraction of t_stop), got "
                         f"{transient}")
    key = hashlib.sha256(repr((neuron.key(), currents.tobytes(), t_stop, transient,
                               sorted(simulate_options.items()))).encode()).hexdigest()
    if key not in _CACHE:
        if currents.size == 0:
            return np.zeros(0)
        run = simulate(neuron, currents, t_stop, record=(), **simulate_options)
        found = np.array([spike_rate(s, transient * t_stop, t_stop)
                          for s in run.spike_times])
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = found
    return _CACHE[key].copy()
