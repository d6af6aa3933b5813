"""``NeuronType``: what every neuron model provides.

A neuron type is a frozen dataclass of parameters (a description: no state, no
randomness). It names its state variables and their units, gives its steady-state
rate curve ``rates(J)`` (Hz) and initial state, and runs a population through
``neurosim.simulate``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import ClassVar

import numpy as np
from numba import types

#: ``step(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, spiked, after,
#: work, flags) -> n_spikes``: one step of a group of neurons in a network
#: (``group_step()``). state (n_state, n) in ``state_names`` order, potential first,
#: in place; i_ext (n,) held over the step; syn (n_channels, n) synaptic channels at
#: the start of the step, each decaying as exp(−s/syn_tau[k]) within it, which the
#: step leaves decayed to the step's end (delta channels: consumed, 0); syn_rev (mV)
#: and syn_kind (``synapses.models``: current, conductance, delta) per channel; dt
#: (s); par the model's ``packed()``; spiked/after (≥ n) out: the neurons that
#: spiked, ascending, and the time from each spike to the end of the step (s);
#: work/flags (≥ n) scratch. Returns the number of spikes, or −1 − i when neuron i's
#: potential went non-finite (the state is then unspecified).
GROUP_STEP_SIGNATURE = types.int64(
    types.float64[:, ::1], types.float64[::1], types.float64[:, ::1],
    types.float64[::1], types.float64[::1], types.int64[::1], types.float64,
    types.float64[::1], types.int64[::1], types.float64[::1], types.float64[::1],
    types.boolean[::1])


class NeuronType:
    """Base class of the neuron models.

    Class attributes
    ----------------
    state_names : tuple of str
        State variables, in the order the kernels hold them.
    state_units : dict
        Units of each state variable (and of ``"current"``).
    spiking : bool
        Whether the model emits spikes (rate neurons do not).
    methods : tuple of str
        Integration methods ``simulate`` accepts; the first is the default.
    default_dt : float
        Default time step (s).
    """

    state_names: ClassVar[tuple[str, ...]] = ()
    state_units: ClassVar[dict[str, str]] = {}
    #: Published parameter sets by name (``preset``), where the model has them.
    presets: ClassVar[dict[str, dict]] = {}
    spiking: ClassVar[bool] = False
    methods: ClassVar[tuple[str, ...]] = ()
    default_dt: ClassVar[float] = 1e-3

    #: The least input an NEF population passes to the model (its input units):
    #: a network floors J there (−inf: no floor).
    input_floor: ClassVar[float] = -np.inf

    #: Input at which the rate curve leaves zero (for curves that never reach zero,
    #: the input that an intercept maps to).
    threshold_current: ClassVar[float] = 0.0

    @classmethod
    def preset(cls, name: str) -> "NeuronType":
        """The model with the published parameter set ``name`` (a key of
        ``presets``)."""
        if not cls.presets:
            raise ValueError(f"{cls.__name__} has no presets")
        if name not in cls.presets:
            raise ValueError(f"{cls.__name__} preset must be one of "
                             f"{sorted(cls.presets)}, got {name!r}")
        return cls(**cls.presets[name])

    def rates(self, J) -> np.ndarray:
        """Steady-state firing rate (Hz) for constant input ``J`` (any shape); the
        models without a closed form tabulate a simulated one
        (``rate_table.TabulatedRates``)."""
        raise NotImplementedError(f"{type(self).__name__} has no closed-form rate "
                                  "curve; neurosim.rates(neuron, currents) simulates "
                                  "one")

    def max_rate(self) -> float:
        """The highest rate the model reaches (Hz; ``inf`` if unbounded)."""
        return np.inf

    def min_rate(self) -> float:
        """The rate at the threshold input (Hz): what a neuron fires at its intercept
        (0 for LIF or ReLU; the onset rate of a class II model; half the amplitude
        of a sigmoid). ``max_rates`` must exceed it."""
        return float(self.rates(np.array(self.threshold_current)))

    def inverse_rates(self, rates) -> np.ndarray:
        """The input giving each rate in ``rates`` (Hz, between ``min_rate()`` and
        ``max_rate()``), by bisection on the monotone rate curve above threshold."""
        rates = np.asarray(rates, dtype=np.float64)
        lo = np.full(rates.shape, float(self.threshold_current))
        span = 1.0
        hi = lo + span
        while np.any(self.rates(hi) < rates):
            span *= 2.0
            if span > 1e12:
                raise ValueError(f"{type(self).__name__} does not reach rates up to "
                                 f"{rates.max():g} Hz")
            hi = np.where(self.rates(hi) < rates, lo + span, hi)
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            below = self.rates(mid) < rates
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return 0.5 * (lo + hi)

    def gain_bias(self, max_rates, intercepts):
        """Gain and bias of neurons that start firing at ``intercepts`` and fire at
        ``max_rates`` (Hz) at the top of the range (normalised input 1).

        ``J(x) = gain * x + bias`` with ``J(intercept) = threshold_current`` and
        ``rates(J(1)) = max_rate``.
        """
        max_rates = np.asarray(max_rates, dtype=np.float64)
        intercepts = np.asarray(intercepts, dtype=np.float64)
        name = type(self).__name__
        if np.any(intercepts >= 1.0):
            raise ValueError(f"intercepts must be < 1 (the top of the represented "
                             f"range), got {intercepts.max():g}")
        low, high = self.min_rate(), self.max_rate()
        bad = (max_rates <= low) | (max_rates >= high)
        if np.any(bad):
            raise ValueError(f"max_rates must lie strictly between {low:g} and "
                             f"{high:g} Hz for {name}, got {max_rates[bad][0]:g} Hz")
        j_max = self.inverse_rates(max_rates)
        gain = (j_max - self.threshold_current) / (1.0 - intercepts)
        return gain, self.threshold_current - gain * intercepts

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        """State of ``n`` neurons at rest: name -> array (n,)."""
        raise NotImplementedError

    def initial_block(self, n: int) -> np.ndarray:
        """``initial_state`` as one (len(state_names), n) array, rows in the order
        of ``state_names`` (the group steps' state)."""
        state = self.initial_state(n)
        return np.array([np.broadcast_to(np.asarray(state[name], float), (n,))
                         for name in self.state_names]).reshape(-1, n)

    def parameters(self) -> dict:
        """The model's parameters as a plain dict."""
        return dataclasses.asdict(self)

    def key(self) -> str:
        """A content hash of the model type and parameters (for caches)."""
        text = json.dumps([type(self).__name__, self.parameters()], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]
