"""LIF rate activations: the leaky integrate-and-fire steady-state rate and its smooth
(soft-LIF) version for training networks that later run with spiking LIF neurons.

The input ``J`` is the membrane current normalised so that the firing threshold is
``J = 1``; rates are in Hz times ``amplitude``.
"""

from __future__ import annotations

import numpy as np

from ..validation import as_float
from .activations import Activation


def _lif_constants(tau_rc, tau_ref, amplitude):
    return (as_float("tau_rc", tau_rc, positive=True),
            as_float("tau_ref", tau_ref, nonnegative=True),
            as_float("amplitude", amplitude, positive=True))


class LIFRate(Activation):
    """Steady-state LIF firing rate
    ``G(J) = amplitude / (tau_ref - tau_rc * ln(1 - 1/J))`` for J > 1, else 0.

    The derivative ``amplitude * tau_rc / (denominator**2 * J * (J - 1))`` is unbounded
    as J -> 1 from above, which is why training usually uses ``SoftLIFRate``.

    Parameters
    ----------
    tau_rc : float
        Membrane time constant in s, > 0.
    tau_ref : float
        Refractory period in s, >= 0.
    amplitude : float
        Scale applied to the rate (1 gives Hz), > 0.
    """

    def __init__(self, tau_rc=0.02, tau_ref=0.002, amplitude=1.0):
        super().__init__()
        self.tau_rc, self.tau_ref, self.amplitude = _lif_constants(tau_rc, tau_ref,
                                                                   amplitude)

    def _denominator(self, x):
        """(mask where J > 1, J - 1 made safe, tau_ref + tau_rc * ln(J / (J - 1)))."""
        firing = x > 1.0
        excess = np.where(firing, x - 1.0, 1.0)
        return firing, excess, self.tau_ref + self.tau_rc * np.log1p(1.0 / excess)

    def _value(self, x):
        firing, _, denominator = self._denominator(x)
        return np.where(firing, self.amplitude / denominator, 0.0)

    def _derivative(self, x, y):
        firing, excess, denominator = self._denominator(x)
        safe_x = np.where(firing, x, 2.0)
        slope = self.amplitude * self.tau_rc / denominator / denominator / excess / safe_x
        return np.where(firing, slope, 0.0)

    def get_config(self):
        return {"class": "LIFRate", "tau_rc": self.tau_rc, "tau_ref": self.tau_ref,
                "amplitude": self.amplitude}


class SoftLIFRate(Activation):
    """LIF rate with the threshold smoothed (Hunsberger & Eliasmith, 2015):
    ``j = sigma * log(1 + exp((J - 1) / sigma))`` replaces ``max(J - 1, 0)``, and
    ``rate = amplitude / (tau_ref + tau_rc * log(1 + 1/j))``.

    As sigma -> 0 this tends to ``LIFRate``; for every sigma > 0 it is smooth with a
    bounded derivative. Everything is computed from ``log j`` so that no step
    overflows or divides by zero far below threshold.

    Parameters
    ----------
    sigma : float
        Smoothing width, in units of the normalised current J, > 0.
    tau_rc : float
        Membrane time constant in s, > 0.
    tau_ref : float
        Refractory period in s, >= 0.
    amplitude : float
        Scale applied to the rate (1 gives Hz), > 0.
    """

    _LINEAR_BELOW = -30.0  # below this, log(softplus(z)) equals z to double precision

    def __init__(self, sigma=1.0, tau_rc=0.02, tau_ref=0.002, amplitude=1.0):
        super().__init__()
        self.sigma = as_float("sigma", sigma, positive=True)
        self.tau_rc, self.tau_ref, self.amplitude = _lif_constants(tau_rc, tau_ref,
                                                                   amplitude)

    def _terms(self, x):
        """(z, log j, j, tau_ref + tau_rc * log(1 + 1/j)) for input currents x."""
        z = (x - 1.0) / self.sigma
        log_softplus = np.where(
            z > self._LINEAR_BELOW,
            np.log(np.logaddexp(0.0, np.maximum(z, self._LINEAR_BELOW))), z)
        log_j = np.log(self.sigma) + log_softplus
        j = np.exp(log_j)
        log_one_plus_inverse = np.where(
            j >= 1.0, np.log1p(1.0 / np.maximum(j, 1.0)),
            np.log1p(np.minimum(j, 1.0)) - log_j)
        return z, log_j, j, self.tau_ref + self.tau_rc * log_one_plus_inverse

    def _value(self, x):
        return self.amplitude / self._terms(x)[3]

    def _derivative(self, x, y):
        z, log_j, j, denominator = self._terms(x)
        logistic_over_j = np.exp(-np.logaddexp(0.0, -z) - log_j)
        return (self.amplitude * self.tau_rc / denominator / denominator
                * logistic_over_j / (1.0 + j))

    def get_config(self):
        return {"class": "SoftLIFRate", "sigma": self.sigma, "tau_rc": self.tau_rc,
                "tau_ref": self.tau_ref, "amplitude": self.amplitude}
