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
    spiking: ClassVar[bool] = False
    methods: ClassVar[tuple[str, ...]] = ()
    default_dt: ClassVar[float] = 1e-3

    def rates(self, J) -> np.ndarray:
        """Steady-state firing rate (Hz) for constant input ``J`` (any shape)."""
        raise NotImplementedError

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        """State of ``n`` neurons at rest: name -> array (n,)."""
        raise NotImplementedError

    def parameters(self) -> dict:
        """The model's parameters as a plain dict."""
        return dataclasses.asdict(self)

    def key(self) -> str:
        """A content hash of the model type and parameters (for caches)."""
        text = json.dumps([type(self).__name__, self.parameters()], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]
