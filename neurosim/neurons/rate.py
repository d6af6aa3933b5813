"""Rate neurons: the output is a firing rate given by an activation function of J.

They fit wherever a neuron type does (populations, networks in rate mode,
``simulate``) but emit no spikes. ``amplitude`` scales the unit-free activation to
a rate in Hz.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..validation import as_float
from .base import NeuronType


@dataclass(frozen=True)
class RateNeuron(NeuronType):
    """Base of rate neurons: rate = amplitude * activation(J).

    Parameters
    ----------
    amplitude : float, Hz
        Rate for an activation of 1 (> 0).
    """

    amplitude: float = 1.0

    state_names: ClassVar[tuple[str, ...]] = ("rate",)
    state_units: ClassVar[dict[str, str]] = {"rate": "Hz", "current": "1"}
    spiking: ClassVar[bool] = False
    methods: ClassVar[tuple[str, ...]] = ("rate",)

    def __post_init__(self):
        object.__setattr__(self, "amplitude", as_float("amplitude (Hz)", self.amplitude,
                                                       positive=True))

    def activation(self, J: np.ndarray) -> np.ndarray:
        """The unit-free activation function."""
        raise NotImplementedError

    def rates(self, J) -> np.ndarray:
        return self.amplitude * self.activation(np.asarray(J, dtype=np.float64))

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        return {"rate": np.zeros(n)}


@dataclass(frozen=True)
class Sigmoid(RateNeuron):
    """Logistic activation 1 / (1 + e^(−J)); an intercept maps to J = 0 (half the
    amplitude)."""

    def max_rate(self):
        return self.amplitude

    def activation(self, J):
        return 0.5 * (1.0 + np.tanh(0.5 * J))  # the logistic, without overflow


@dataclass(frozen=True)
class Tanh(RateNeuron):
    """tanh(J) (negative for J < 0)."""

    def max_rate(self):
        return self.amplitude

    def activation(self, J):
        return np.tanh(J)


@dataclass(frozen=True)
class Arctan(RateNeuron):
    """arctan(J) (negative for J < 0)."""

    def max_rate(self):
        return self.amplitude * np.pi / 2

    def activation(self, J):
        return np.arctan(J)


@dataclass(frozen=True)
class Threshold(RateNeuron):
    """Heaviside step: 1 for J >= 0, else 0."""

    def gain_bias(self, max_rates, intercepts):
        raise TypeError("Threshold neurons fire at 0 or their amplitude only, so no "
                        "gain maps max_rates onto them; give gains and biases directly")

    def activation(self, J):
        return (J >= 0.0).astype(np.float64)


@dataclass(frozen=True)
class ReLU(RateNeuron):
    """max(J, 0)."""

    def activation(self, J):
        return np.maximum(J, 0.0)


@dataclass(frozen=True)
class Softplus(RateNeuron):
    """log(1 + e^J), computed without overflow."""

    def activation(self, J):
        return np.logaddexp(0.0, J)


@dataclass(frozen=True)
class LIFRate(NeuronType):
    """The LIF rate curve G(J) as a rate neuron (no spikes).

    Parameters are those of ``LIF`` (tau_rc, tau_ref, v_reset).
    """

    tau_rc: float = 0.02
    tau_ref: float = 0.002
    v_reset: float = 0.0

    state_names: ClassVar[tuple[str, ...]] = ("rate",)
    state_units: ClassVar[dict[str, str]] = {"rate": "Hz", "current": "1"}
    spiking: ClassVar[bool] = False
    methods: ClassVar[tuple[str, ...]] = ("rate",)

    threshold_current: ClassVar[float] = 1.0

    def __post_init__(self):
        self._lif()  # same checks as LIF

    def _lif(self):
        from .lif import LIF
        return LIF(self.tau_rc, self.tau_ref, self.v_reset)

    def rates(self, J) -> np.ndarray:
        return self._lif().rates(J)

    def max_rate(self) -> float:
        return self._lif().max_rate()

    def inverse_rates(self, rates) -> np.ndarray:
        return self._lif().inverse_rates(rates)

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        return {"rate": np.zeros(n)}
