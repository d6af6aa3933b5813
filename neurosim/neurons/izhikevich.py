"""The Izhikevich (2003) neuron, for neuron groups, in the paper's units.

    dv/dt = 0.04 v² + 5 v + 140 − u + I
    du/dt = a (b v − u)                   at v >= v_peak (30 mV): spike, v = c, u += d

v in mV, t in ms; u and I in mV/ms (the paper's dimensionless current units), a in
1/ms, b dimensionless (mV/ms of u per mV of v), c in mV, d in mV/ms. I is the
external current plus the synaptic channels (``group_inputs``: currents in mV/ms,
conductances g in 1/ms adding g (E − v), delta channels moving v by their weight
in mV).

Stepping (``group_step``): classic RK4 in (v, u) with the channels' exact decay at
the stages; the stages see v no higher than v_peak, so the quadratic cannot run
away within a step. A spike is placed where v, linearly interpolated within the
step, reaches v_peak; u at the spike comes from an RK4 step from the step's start
to the spike, and the rest of the step is integrated from (c, u + d).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from ..validation import as_float
from .base import GROUP_STEP_SIGNATURE, NeuronType
from .group_inputs import (channel_sums, channel_sums_numpy, decay_channels,
                           decay_channels_numpy, decays, decays_numpy, delta_jump,
                           delta_jump_numpy, stage_inputs, step_decays)
from .rate_table import TabulatedRates

_FINITE = 1e300

#: Izhikevich (2003), IEEE Trans. Neural Netw. 14:1569, Fig. 2: regular spiking,
#: intrinsically bursting, chattering, fast spiking, low-threshold spiking.
PRESETS = {
    "RS": dict(a=0.02, b=0.2, c=-65.0, d=8.0),
    "IB": dict(a=0.02, b=0.2, c=-55.0, d=4.0),
    "CH": dict(a=0.02, b=0.2, c=-50.0, d=2.0),
    "FS": dict(a=0.1, b=0.2, c=-65.0, d=2.0),
    "LTS": dict(a=0.02, b=0.25, c=-65.0, d=2.0),
}
#: The model as equations (``Izhikevich.equations_twin``).
EQUATIONS = """
    dv/dt = 0.04*v*v + 5*v + 140 - u + I
    du/dt = a*(b*v - u)
"""
#: The step current of the paper's Fig. 2 (mV/ms): I = 10 for every type.
STEP_CURRENTS = {name: 10.0 for name in PRESETS}


@dataclass(frozen=True)
class Izhikevich(TabulatedRates, NeuronType):
    """Izhikevich (2003) neuron in mV, ms and mV/ms; defaults: regular spiking.

    ``Izhikevich.preset(name)`` gives the sets of ``PRESETS``.

    Parameters
    ----------
    a : float, 1/ms
        Recovery rate of u (> 0).
    b : float
        Sensitivity of u to v (u' = a (b v − u)).
    c : float, mV
        Reset of v (< v_peak).
    d : float, mV/ms
        Jump of u at a spike.
    v_peak : float, mV
        Spike cut-off (30).
    v_init : float, mV
        Initial v (−65, as the paper's code; u starts at b v_init).
    """

    a: float = 0.02
    b: float = 0.2
    c: float = -65.0
    d: float = 8.0
    v_peak: float = 30.0
    v_init: float = -65.0

    state_names: ClassVar[tuple[str, ...]] = ("v", "u")
    state_units: ClassVar[dict[str, str]] = {"v": "mV", "u": "mV/ms",
                                             "current": "mV/ms", "conductance": "1/ms"}
    spiking: ClassVar[bool] = True
    methods: ClassVar[tuple[str, ...]] = ("rk4", "rk45")
    default_dt: ClassVar[float] = 1e-5
    takes_delta: ClassVar[bool] = True
    presets: ClassVar[dict[str, dict]] = PRESETS
    step_currents: ClassVar[dict[str, float]] = STEP_CURRENTS

    def __post_init__(self):
        object.__setattr__(self, "a", as_float("a (1/ms)", self.a, positive=True))
        for name, unit in (("b", "1"), ("c", "mV"), ("d", "mV/ms"), ("v_peak", "mV"),
                           ("v_init", "mV")):
            object.__setattr__(self, name, as_float(f"{name} ({unit})",
                                                    getattr(self, name)))
        if not self.c < self.v_peak:
            raise ValueError(f"c must be below v_peak = {self.v_peak} mV, got "
                             f"{self.c} mV")

    def equations_twin(self):
        """The same model as an ``EquationNeuron``: its group step gives these
        spikes bit for bit; ``simulate(..., method="rk45")`` integrates it."""
        from .equation_neuron import EquationNeuron
        return EquationNeuron(EQUATIONS, threshold="v >= v_peak",
                              reset="v = c; u += d",
                              namespace={k: getattr(self, k) for k in
                                         ("a", "b", "c", "d", "v_peak")},
                              initial={"v": self.v_init, "u": self.b * self.v_init})

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        """v = v_init, u = b v_init."""
        return {"v": np.full(n, self.v_init), "u": np.full(n, self.b * self.v_init)}

    def packed(self) -> np.ndarray:
        """[a, b, c, d, v_peak]."""
        return np.array([self.a, self.b, self.c, self.d, self.v_peak])

    @staticmethod
    def group_step():
        return izhikevich_step


@njit(inline="always", cache=True, error_model="numpy")
def _rhs(v, u, drive, cur, g, ge, par):
    """(dv/dt, du/dt) per ms, the stage seeing v no higher than v_peak."""
    vc = min(v, par[4])
    return (0.04 * vc * vc + 5.0 * vc + 140.0 - u + drive + cur + ge - g * vc,
            par[0] * (par[1] * vc - u))


@njit(inline="always", cache=True, error_model="numpy")
def _rk4(v, u, h, drive, in0, in1, in2, par):
    """(v, u) after one RK4 step of h ms; in0, in1, in2: the channel sums (cur, g,
    ge) at the step's start, middle and end."""
    k1v, k1u = _rhs(v, u, drive, in0[0], in0[1], in0[2], par)
    k2v, k2u = _rhs(v + 0.5 * h * k1v, u + 0.5 * h * k1u, drive, in1[0], in1[1], in1[2],
                    par)
    k3v, k3u = _rhs(v + 0.5 * h * k2v, u + 0.5 * h * k2u, drive, in1[0], in1[1], in1[2],
                    par)
    k4v, k4u = _rhs(v + h * k3v, u + h * k3u, drive, in2[0], in2[1], in2[2], par)
    return (v + h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v),
            u + h / 6.0 * (k1u + 2.0 * k2u + 2.0 * k3u + k4u))


@njit(GROUP_STEP_SIGNATURE, cache=True, error_model="numpy")
def izhikevich_step(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, spiked,
                    after, work, flags):
    """One RK4 step of ``Izhikevich`` neurons (``GROUP_STEP_SIGNATURE``; module
    docstring), neuron by neuron."""
    c, d_jump, v_peak = par[2], par[3], par[4]
    h = dt * 1e3
    d = step_decays(syn_tau, dt)
    e = np.empty((3, syn.shape[0]))
    count = 0
    for i in range(state.shape[1]):
        v = state[0, i] + delta_jump(syn, syn_kind, i)
        u = state[1, i]
        drive = i_ext[i]
        in0, in1, in2 = stage_inputs(syn, syn_rev, syn_kind, i, d)
        ve, ue = _rk4(v, u, h, drive, in0, in1, in2, par)
        if ve >= v_peak:
            frac = (v_peak - v) / (ve - v) if v < v_peak else 0.0
            s = frac * dt
            decays(syn_tau, 0.5 * s, e[1])
            decays(syn_tau, s, e[2])
            at_spike = channel_sums(syn, syn_rev, syn_kind, i, e[2])
            u_spike = _rk4(v, u, s * 1e3, drive, in0,
                           channel_sums(syn, syn_rev, syn_kind, i, e[1]), at_spike,
                           par)[1]
            decays(syn_tau, 0.5 * (s + dt), e[1])
            ve, ue = _rk4(c, u_spike + d_jump, (dt - s) * 1e3, drive, at_spike,
                          channel_sums(syn, syn_rev, syn_kind, i, e[1]), in2, par)
            spiked[count] = i
            after[count] = dt - s
            count += 1
        if not (abs(ve) < _FINITE and abs(ue) < _FINITE):
            return -1 - i
        state[0, i] = ve
        state[1, i] = ue
    decay_channels(syn, syn_tau, syn_kind, dt)
    return count


def _rhs_numpy(v, u, drive, cur, g, ge, par):
    a, b, v_peak = float(par[0]), float(par[1]), float(par[4])
    vc = np.minimum(v, v_peak)
    return (0.04 * vc * vc + 5.0 * vc + 140.0 - u + drive + cur + ge - g * vc,
            a * (b * vc - u))


def _rk4_numpy(v, u, h, drive, in0, in1, in2, par):
    k1v, k1u = _rhs_numpy(v, u, drive, *in0, par)
    k2v, k2u = _rhs_numpy(v + 0.5 * h * k1v, u + 0.5 * h * k1u, drive, *in1, par)
    k3v, k3u = _rhs_numpy(v + 0.5 * h * k2v, u + 0.5 * h * k2u, drive, *in1, par)
    k4v, k4u = _rhs_numpy(v + h * k3v, u + h * k3u, drive, *in2, par)
    return (v + h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v),
            u + h / 6.0 * (k1u + 2.0 * k2u + 2.0 * k3u + k4u))


def izhikevich_step_numpy(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par):
    """Plain-numpy twin of ``izhikevich_step``: the same operations in the same
    order, vectorised over neurons, the spiking ones redone one by one. Updates
    ``state`` and ``syn`` in place; returns (spiked, after)."""
    c, d_jump, v_peak = float(par[2]), float(par[3]), float(par[4])
    h = dt * 1e3
    d = [decays_numpy(syn_tau, s) for s in (0.0, 0.5 * dt, dt)]
    v = state[0] + delta_jump_numpy(syn, syn_kind)
    u = state[1].copy()
    ins = [channel_sums_numpy(syn, syn_rev, syn_kind, dk) for dk in d]
    ve, ue = _rk4_numpy(v, u, h, i_ext, *ins, par)
    spiked = np.flatnonzero(ve >= v_peak)
    after = np.empty(spiked.size)
    for q, i in enumerate(spiked):
        x = syn[:, i]
        frac = (v_peak - v[i]) / (ve[i] - v[i]) if v[i] < v_peak else 0.0
        s = frac * dt
        in0, in2 = (channel_sums_numpy(x, syn_rev, syn_kind, dk) for dk in (d[0], d[2]))
        mid, end = (channel_sums_numpy(x, syn_rev, syn_kind, decays_numpy(syn_tau, t))
                    for t in (0.5 * s, s))
        u_spike = _rk4_numpy(v[i], u[i], s * 1e3, i_ext[i], in0, mid, end, par)[1]
        mid = channel_sums_numpy(x, syn_rev, syn_kind, decays_numpy(syn_tau,
                                                                    0.5 * (s + dt)))
        ve[i], ue[i] = _rk4_numpy(c, u_spike + d_jump, (dt - s) * 1e3, i_ext[i], end,
                                  mid, in2, par)
        after[q] = dt - s
    state[0] = ve
    state[1] = ue
    decay_channels_numpy(syn, syn_tau, syn_kind, dt)
    return spiked, after
