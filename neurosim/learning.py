"""Learning rules, as descriptions: what a connection learns, not how it is run.

``PES`` (prescribed error sensitivity) learns the decoders of a decoded
connection (``Network.connect(..., learning_rule=PES(...))``) from an error
signal connected to the rule (``net.connect(error, conn.learning_rule)``). Each
step ending at t_k, with e the error (the connection's output space,
``post.dimensions``: the sum of the error connections at t_k), a the activities
of the N pre-synaptic neurons filtered by ``pre_synapse`` (Hz) and κ the learning
rate, the decoders D (N, post.dimensions; the connection's transform folded in)
change by

    ΔD = −κ · dt / N · a eᵀ

— Nengo's convention, so a learning rate carries over from a Nengo model. The
error is "actual − target": a positive error lowers the output. The new decoders
act from the next step on.

``STDP`` is pair-based spike-timing-dependent plasticity on neuron-to-neuron
synapses (``Network.synapses(..., learning_rule=STDP(...))``); its update runs in
the compiled time loop (``simulator.sparse_kernel``). A rule holds parameters
only: no state, no random numbers.

The pair rule (Song, Miller & Abbott 2000; Brian2's STDP example), with all pairs
of spikes interacting through traces:

- each synapse has a pre-synaptic trace x (+1 at every pre-synaptic spike's
  arrival, decaying with ``tau_plus``) and each post-synaptic neuron a trace y
  (+1 at each of its spikes, decaying with ``tau_minus``), both decaying exactly;
- at a post-synaptic spike every incoming synapse is potentiated:
  w ← w + A_plus · f₊(w) · x;
- at a pre-synaptic spike's arrival its synapse is depressed:
  w ← w − A_minus · f₋(w) · y;
- after each update w is clipped to [0, w_max].

``rule="additive"``: f₊ = f₋ = 1 (Song et al. 2000: hard bounds, bimodal weights).
``rule="multiplicative"``: f₊(w) = 1 − w/w_max, f₋(w) = w/w_max (soft bounds, as
van Rossum et al. 2000 and Gütig et al. 2003 with μ = 1: unimodal weights).
A_plus and A_minus are in the weight's units (nS, nA, mV, as the channel) in both
rules: a pair changes the weight by at most A_plus or A_minus.

So one pre-synaptic arrival at t_pre and one post-synaptic spike at t_post,
Δt = t_post − t_pre, change a weight w (away from the bounds) by

    Δt > 0:  +A_plus  · f₊(w) · exp(−Δt / tau_plus)
    Δt ≤ 0:  −A_minus · f₋(w) · exp( Δt / tau_minus)

Times: t_post is the post-synaptic spike's exact (sub-step) time; t_pre is the
*arrival* of the pre-synaptic spike — the end of the step it was emitted in plus
the synapse's delay, the time from which its weight acts on the post-synaptic
neuron (when Brian2 runs ``on_pre``). A spike carries the weight its synapse had
when it was emitted; its depression is applied when it arrives. A post-synaptic
spike in the step that ends at an arrival comes before it (Δt ≤ 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .synapses import PSC
from .validation import _show, as_choice, as_float

ADDITIVE, MULTIPLICATIVE = 0, 1
_RULES = {"additive": ADDITIVE, "multiplicative": MULTIPLICATIVE}


class LearningRule:
    """Base class of the learning rules (descriptions)."""


@dataclass(frozen=True)
class PES(LearningRule):
    """Prescribed error sensitivity on a decoded connection (module docstring).

    Parameters
    ----------
    learning_rate : float, 1/s
        κ (>= 0) in ΔD = −κ dt / N · a eᵀ; Nengo's default 1e-4.
    pre_synapse : PSC or None
        The filter of the pre-synaptic activities a (Nengo's default: a 5 ms
        exponential); None uses the spikes as impulses (1/dt) or the rates as they
        are.
    """

    learning_rate: float = 1e-4
    pre_synapse: PSC | None = PSC(0.005)

    def __post_init__(self):
        object.__setattr__(self, "learning_rate",
                           as_float("PES learning_rate (1/s)", self.learning_rate,
                                    nonnegative=True))
        if self.pre_synapse is not None and not isinstance(self.pre_synapse, PSC):
            raise TypeError(f"PES pre_synapse must be a PSC or None, got "
                            f"{_show(self.pre_synapse)}")

    def update(self, decoders, activities, error, dt):
        """The decoders after one step: D − κ dt / N · a eᵀ, for ``decoders``
        (N, d), ``activities`` (N,) in Hz and ``error`` (d,), over ``dt`` s — the
        closed form the tests hold the compiled loop to."""
        D = np.asarray(decoders, dtype=np.float64)
        a = np.asarray(activities, dtype=np.float64)
        e = np.asarray(error, dtype=np.float64)
        return D - self.learning_rate * dt / D.shape[0] * np.outer(a, e)


@dataclass(frozen=True)
class STDP(LearningRule):
    """Pair-based STDP on neuron-to-neuron synapses (module docstring).

    Parameters
    ----------
    tau_plus, tau_minus : float, s
        Time constants (> 0) of the pre-synaptic trace (potentiation window) and
        of the post-synaptic trace (depression window). Defaults: Bi & Poo's
        16.8 ms and 33.7 ms (as fitted by van Rossum et al. 2000).
    A_plus, A_minus : float, the weight's units
        Amplitudes (>= 0) of potentiation and depression per pair of spikes.
    w_max : float, the weight's units
        Upper bound (> 0) of the weights; the lower bound is 0.
    rule : {"additive", "multiplicative"}
        Hard bounds, or soft bounds scaled by the distance to them.

    The synapses' weights must start in [0, w_max]: excitatory current or delta
    synapses, or conductances (always >= 0; inhibitory where their E_rev is low).
    Inhibitory current synapses (weights <= 0) are refused.
    """

    A_plus: float = 0.005
    A_minus: float = 0.00525
    w_max: float = 1.0
    tau_plus: float = 0.0168
    tau_minus: float = 0.0337
    rule: str = "additive"

    def __post_init__(self):
        for name in ("tau_plus", "tau_minus"):
            object.__setattr__(self, name, as_float(f"STDP {name} (s)",
                                                    getattr(self, name),
                                                    positive=True))
        for name in ("A_plus", "A_minus"):
            object.__setattr__(self, name, as_float(f"STDP {name}", getattr(self, name),
                                                    nonnegative=True))
        object.__setattr__(self, "w_max", as_float("STDP w_max", self.w_max,
                                                   positive=True))
        object.__setattr__(self, "rule", as_choice("STDP rule", self.rule,
                                                   set(_RULES)))

    @property
    def rule_code(self) -> int:
        """The compiled loop's code of ``rule``."""
        return _RULES[self.rule]

    def pair(self, delta_t, w=0.0):
        """The change of weight ``w`` by one pair at Δt = t_post − t_pre (s; array
        or number), without clipping: the closed form the tests hold the run to."""
        delta_t = np.asarray(delta_t, dtype=np.float64)
        up = 1.0 - w / self.w_max if self.rule == "multiplicative" else 1.0
        down = w / self.w_max if self.rule == "multiplicative" else 1.0
        lag = np.abs(delta_t)
        return np.where(delta_t > 0, self.A_plus * up * np.exp(-lag / self.tau_plus),
                        -self.A_minus * down * np.exp(-lag / self.tau_minus))


__all__ = ["LearningRule", "PES", "STDP"]
