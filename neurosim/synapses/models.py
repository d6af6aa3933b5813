"""Synapse models of neuron-to-neuron connections (``Network.synapses``).

Each spike arriving at a synapse of weight w acts on its post-synaptic neuron
through one of the neuron's synaptic channels — one channel per synapse model and
time constant, shared by every connection that uses it:

* ``PSC(tau)`` (n = 0), **current-based exponential**: the channel is a current
  x(t) that jumps by w and decays as exp(−t/τ); it enters the membrane equation as
  a current (the neuron's ``current`` units: nA for ``IAF``, pA for
  ``TraubMiles``). Higher PSC orders are not channels (use them in NEF connections).
* ``Conductance(tau, E_rev)``, **conductance-based exponential**: the channel is a
  conductance g(t) that jumps by w ≥ 0 and decays as exp(−t/τ), adding the current
  g (E_rev − V); w and g in the neuron's ``conductance`` units (nS), E_rev in mV.
* ``Delta()``: the membrane potential jumps by w (mV) at arrival (Brunel 2000), for
  neurons that take it (``IAF``).

Excitatory or inhibitory is the sign of w for current and delta synapses, and the
reversal potential for conductances (whose weights are never negative).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from ..validation import _show, as_float
from .psc import PSC

CURRENT, CONDUCTANCE, DELTA = 0, 1, 2


class SynapseModel:
    """Base class: a channel kind (``CURRENT``, ``CONDUCTANCE``, ``DELTA``), its time
    constant ``tau`` (s) and reversal potential ``E_rev`` (mV; NaN if none)."""

    kind: int = CURRENT
    tau: float = 0.0
    E_rev: float = math.nan

    def channel_key(self) -> tuple:
        """What makes two synapses share a channel of the post-synaptic neuron."""
        return (self.kind, self.tau, self.E_rev)

    def units(self, neuron) -> str:
        """Units of this channel's weights and state on ``neuron``."""
        if self.kind == DELTA:
            return "mV"
        name = "conductance" if self.kind == CONDUCTANCE else "current"
        return neuron.state_units.get(name, "1")


@dataclass(frozen=True)
class ExponentialCurrent(SynapseModel):
    """A current that jumps by the weight and decays with ``tau`` (s): the PSC of
    order 0, as a channel (``as_synapse_model(PSC(tau))``)."""

    tau: float
    kind = CURRENT

    def __post_init__(self):
        object.__setattr__(self, "tau", as_float("tau (s)", self.tau, positive=True))


@dataclass(frozen=True)
class Conductance(SynapseModel):
    """Conductance-based exponential synapse.

    Parameters
    ----------
    tau : float, s
        Decay time constant of the conductance (> 0).
    E_rev : float, mV
        Reversal potential: the current is g (E_rev − V). Excitatory synapses have
        E_rev above threshold (0 mV), inhibitory ones near or below rest (−80 mV).
        Values outside [−200, 200] mV are refused as not in mV; volts inside that
        range cannot be told from millivolts, so a value within 1 mV of 0 (−0.08:
        −80 mV in volts?) only warns.
    """

    tau: float
    E_rev: float
    kind = CONDUCTANCE

    def __post_init__(self):
        object.__setattr__(self, "tau", as_float("tau (s)", self.tau, positive=True))
        E = as_float("E_rev (mV)", self.E_rev)
        if not -200.0 <= E <= 200.0:
            raise ValueError(f"E_rev is in mV and must lie in [-200, 200] mV, got {E!r} "
                             "(volts given instead of mV?)")
        if 0.0 < abs(E) < 1.0:
            warnings.warn(f"Conductance E_rev = {E!r} mV is within 1 mV of 0; E_rev "
                          f"is in mV — for {E * 1e3:g} mV give E_rev={E * 1e3:g}",
                          UserWarning, stacklevel=3)
        object.__setattr__(self, "E_rev", E)


@dataclass(frozen=True)
class Delta(SynapseModel):
    """The post-synaptic potential jumps by the weight (mV) when a spike arrives."""

    kind = DELTA


def as_synapse_model(synapse) -> SynapseModel:
    """``synapse`` as a channel model: a ``PSC`` of order 0 becomes an
    ``ExponentialCurrent``; ``Conductance`` and ``Delta`` pass through."""
    if isinstance(synapse, SynapseModel):
        return synapse
    if isinstance(synapse, PSC):
        if synapse.n != 0:
            raise ValueError(f"a neuron-to-neuron synapse takes PSC(tau, n=0) (an "
                             f"exponential current), got n={synapse.n}; higher orders "
                             "apply to decoded connections")
        return ExponentialCurrent(synapse.tau)
    raise TypeError(f"synapse must be a PSC (n=0), Conductance or Delta, got "
                    f"{_show(synapse)}")
