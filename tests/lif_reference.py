"""The LIF rate curve as the course writes it, G(J) = 1 / (τ_ref − τ_rc ln(1 − 1/J)) for
J > 1 and 0 otherwise: the closed form tests compare the library against."""

import numpy as np


def lif_rate(J, tau_rc=0.02, tau_ref=0.002):
    """G(J) in Hz, elementwise, for J of any shape (threshold 1, reset 0)."""
    J = np.asarray(J, dtype=float)
    out = np.zeros_like(J)
    above = J > 1.0
    out[above] = 1.0 / (tau_ref - tau_rc * np.log(1.0 - 1.0 / J[above]))
    return out
