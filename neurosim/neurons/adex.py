"""The adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005), for
neuron groups.

    C dV/dt = −g_L (V − E_L) + g_L Δ_T e^((V − V_T)/Δ_T) − w + I
    τ_w dw/dt = a (V − E_L) − w           at V = V_peak: spike, V = V_r, w += b

V in mV, t in ms, C in pF, conductances in nS, currents (w, I) in pA. I is the
external current plus the synaptic channels (``group_inputs``: currents in pA,
conductances g in nS adding g (E − V), delta channels moving V by their weight).

Stepping (``group_step``): classic RK4 in z = e^(−(V − V_T)/Δ_T) and w,

    dz/dt = −g_L/C − z (−g_L (V − E_L) − w + I) / (Δ_T C),   V = V_T − Δ_T ln z,

with the channels' exact decay at the stages. V blows up in finite time at a
spike; z instead falls smoothly (dz/dt → −g_L/C) through
z_peak = e^(−(V_peak − V_T)/Δ_T), so no exponential can overflow: the stages see z
no lower than z_peak (V no higher than V_peak, as NEST's aeif models clamp V), and
e^x saturates at x = 709. Far below rest the z form is stiffer than the V form
(rate ≈ g_L (E_L − V)/(Δ_T C)): RK4 stays stable while that rate times dt is
below 2.78, V above about −500 mV at dt = 0.1 ms with the defaults. A spike is
placed where z, linearly interpolated within the step, reaches z_peak; w at the
spike comes from an RK4 step from the step's start to the spike, and the rest of
the step is integrated from (V_r, w + b).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from ..validation import as_float
from ..vecmath import vexp, vlog
from .base import GROUP_STEP_SIGNATURE, NeuronType
from .group_inputs import (channel_sums, channel_sums_numpy, decay_channels,
                           decay_channels_numpy, decays, decays_numpy, delta_jump,
                           delta_jump_numpy, stage_inputs, step_decays)
from .rate_table import TabulatedRates

_FINITE = 1e300

#: Naud, Marcille, Clopath & Gerstner (2008), Biol. Cybern. 99:335, Table 1 (the
#: values as Brian2's example ``frompapers/Naud_et_al_2008_adex_firing_patterns``
#: tabulates them), V_peak = 0 mV, the cut-off used there. Units as ``AdEx``.
PRESETS = {
    "tonic": dict(C=200.0, g_L=10.0, E_L=-70.0, V_T=-50.0, Delta_T=2.0, a=2.0,
                  tau_w=30.0, b=0.0, V_r=-58.0, V_peak=0.0),
    "adapting": dict(C=200.0, g_L=12.0, E_L=-70.0, V_T=-50.0, Delta_T=2.0, a=2.0,
                     tau_w=300.0, b=60.0, V_r=-58.0, V_peak=0.0),
    "initial_burst": dict(C=130.0, g_L=18.0, E_L=-58.0, V_T=-50.0, Delta_T=2.0,
                          a=4.0, tau_w=150.0, b=120.0, V_r=-50.0, V_peak=0.0),
    "regular_bursting": dict(C=200.0, g_L=10.0, E_L=-58.0, V_T=-50.0, Delta_T=2.0,
                             a=2.0, tau_w=120.0, b=100.0, V_r=-46.0, V_peak=0.0),
    "irregular": dict(C=100.0, g_L=12.0, E_L=-60.0, V_T=-50.0, Delta_T=2.0, a=-11.0,
                      tau_w=130.0, b=30.0, V_r=-48.0, V_peak=0.0),
}
#: The model as equations (``AdEx.equations_twin``), and the units of its parameters.
EQUATIONS = """
    dv/dt = (-g_L*(v - E_L) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w + I)/C : mV
    dw/dt = (a*(v - E_L) - w)/tau_w : pA
"""
#: The same in z = exp((V_T − v)/Delta_T) (``AdEx.rk45_twin``): smooth through the
#: upstroke, where v's own rate grows as exp((v − V_T)/Delta_T).
EQUATIONS_Z = """
    dz/dt = -z*(-g_L*(V_T - Delta_T*log(z) - E_L) - w + I)/(C*Delta_T) - g_L/C : 1
    dw/dt = (a*(V_T - Delta_T*log(z) - E_L) - w)/tau_w : pA
"""
UNITS = {"C": "pF", "g_L": "nS", "E_L": "mV", "V_T": "mV", "Delta_T": "mV", "a": "nS",
         "tau_w": "ms", "b": "pA", "V_r": "mV", "V_peak": "mV"}
#: The step current (pA) Naud et al. (2008, Table 1) apply to each preset.
STEP_CURRENTS = {"tonic": 500.0, "adapting": 500.0, "initial_burst": 400.0,
                 "regular_bursting": 210.0, "irregular": 160.0}


#: The lowest potential (mV) an NEF population's AdEx neurons are driven to.
V_FLOOR = -500.0


@dataclass(frozen=True)
class AdEx(TabulatedRates, NeuronType):
    """Adaptive exponential integrate-and-fire neuron in mV, ms, pF, nS and pA.

    Defaults: the regular-spiking cell of Brette & Gerstner (2005), V_r = E_L,
    with V_peak = 0 mV. ``AdEx.preset(name)`` gives the sets of ``PRESETS``.

    Parameters
    ----------
    C : float, pF
        Capacitance (> 0).
    g_L : float, nS
        Leak conductance (> 0).
    E_L, V_T, V_r, V_peak : float, mV
        Leak reversal, threshold (rheobase) potential, reset (< V_peak) and spike
        cut-off (> V_T, at most 700 Δ_T above it).
    Delta_T : float, mV
        Slope factor (> 0).
    a : float, nS
        Subthreshold adaptation.
    tau_w : float, ms
        Adaptation time constant (> 0).
    b : float, pA
        Spike-triggered adaptation: w jumps by b at each spike.
    """

    C: float = 281.0
    g_L: float = 30.0
    E_L: float = -70.6
    V_T: float = -50.4
    Delta_T: float = 2.0
    a: float = 4.0
    tau_w: float = 144.0
    b: float = 80.5
    V_r: float = -70.6
    V_peak: float = 0.0

    state_names: ClassVar[tuple[str, ...]] = ("v", "w")
    state_units: ClassVar[dict[str, str]] = {"v": "mV", "w": "pA", "current": "pA",
                                             "conductance": "nS"}
    spiking: ClassVar[bool] = True
    methods: ClassVar[tuple[str, ...]] = ("rk4", "rk45")
    default_dt: ClassVar[float] = 1e-5
    current_scale = 100.0  # pA: where the rate table's range search starts
    takes_delta: ClassVar[bool] = True
    presets: ClassVar[dict[str, dict]] = PRESETS
    step_currents: ClassVar[dict[str, float]] = STEP_CURRENTS

    def __post_init__(self):
        for name, unit, positive in (("C", "pF", True), ("g_L", "nS", True),
                                     ("E_L", "mV", False), ("V_T", "mV", False),
                                     ("Delta_T", "mV", True), ("a", "nS", False),
                                     ("tau_w", "ms", True), ("b", "pA", False),
                                     ("V_r", "mV", False), ("V_peak", "mV", False)):
            object.__setattr__(self, name, as_float(f"{name} ({unit})",
                                                    getattr(self, name),
                                                    positive=positive))
        if not self.V_T < self.V_peak <= self.V_T + 700.0 * self.Delta_T:
            raise ValueError(f"V_peak must lie in (V_T, V_T + 700 Delta_T] = "
                             f"({self.V_T}, {self.V_T + 700.0 * self.Delta_T}] mV, got "
                             f"{self.V_peak} mV")
        if not self.V_r < self.V_peak:
            raise ValueError(f"V_r must be below V_peak = {self.V_peak} mV, got "
                             f"{self.V_r} mV")

    @property
    def input_floor(self) -> float:
        """The input (pA) that holds V at ``V_FLOOR`` (−500 mV, the z-form step's
        range) with the adaptation at its steady state, or without it where it
        deepens the hyperpolarisation (a < 0): what an NEF population's strongly
        inhibited neurons receive at least."""
        conductance = max(min(self.g_L, self.g_L + self.a), 1e-3 * self.g_L)
        return conductance * (V_FLOOR - self.E_L)

    def equations_twin(self):
        """The same model as an ``EquationNeuron`` in V (with units): what
        ``simulate(..., method="rk45")`` integrates, events at V_peak."""
        from .equation_neuron import EquationNeuron
        return EquationNeuron(EQUATIONS, threshold="v >= V_peak",
                              reset="v = V_r; w += b", namespace={
                                  k: (getattr(self, k), UNITS[k]) for k in UNITS},
                              initial={"v": self.E_L, "w": 0.0}, current_unit="pA")

    def rk45_twin(self):
        """What ``simulate(..., method="rk45")`` integrates: the model as an
        ``EquationNeuron`` in z = exp((V_T − v)/Delta_T) and w (in V the upstroke
        to V_peak is near-singular and stalls the adaptive step), events at
        z = exp((V_T − V_peak)/Delta_T); with the maps of the states (v, w) to
        (z, w) and back (arrays of any shape, the variable last)."""
        from .equation_neuron import EquationNeuron
        v_t, d_t = self.V_T, self.Delta_T
        names = {**{k: (getattr(self, k), UNITS[k]) for k in UNITS},
                 "z_peak": (math.exp((v_t - self.V_peak) / d_t), "1"),
                 "z_reset": (math.exp((v_t - self.V_r) / d_t), "1")}
        twin = EquationNeuron(EQUATIONS_Z, threshold="z <= z_peak",
                              reset="z = z_reset; w += b", namespace=names,
                              initial={"z": math.exp((v_t - self.E_L) / d_t),
                                       "w": 0.0}, current_unit="pA")

        def to_z(state):
            return {"z": np.exp((v_t - np.asarray(state["v"])) / d_t), "w": state["w"]}

        def to_v(y):
            out = np.array(y, dtype=float)
            out[..., 0] = v_t - d_t * np.log(out[..., 0])
            return out
        return twin, to_z, to_v

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        """At E_L with no adaptation current."""
        return {"v": np.full(n, self.E_L), "w": np.zeros(n)}

    def packed(self) -> np.ndarray:
        """[C, g_L, E_L, V_T, Delta_T, a, tau_w (ms), b, V_r, V_peak]."""
        return np.array([self.C, self.g_L, self.E_L, self.V_T, self.Delta_T, self.a,
                         self.tau_w, self.b, self.V_r, self.V_peak])

    @staticmethod
    def group_step():
        return adex_step


@njit(inline="always", cache=True, error_model="numpy")
def _rhs(z, w, drive, cur, g, ge, par, z_peak):
    """(dz/dt, dw/dt) per ms, the stage seeing z no lower than z_peak."""
    C, g_l, e_l, v_t, d_t, a, tau_w = (par[0], par[1], par[2], par[3], par[4], par[5],
                                       par[6])
    v = v_t - d_t * vlog(max(z, z_peak))
    f = g_l * (e_l - v) - w + drive + cur + ge - g * v
    return -g_l / C - z * f / (d_t * C), (a * (v - e_l) - w) / tau_w


@njit(inline="always", cache=True, error_model="numpy")
def _rk4(z, w, h, drive, in0, in1, in2, par, z_peak):
    """(z, w) after one RK4 step of h ms; in0, in1, in2: the channel sums (cur, g,
    ge) at the step's start, middle and end."""
    k1z, k1w = _rhs(z, w, drive, in0[0], in0[1], in0[2], par, z_peak)
    k2z, k2w = _rhs(z + 0.5 * h * k1z, w + 0.5 * h * k1w, drive, in1[0], in1[1], in1[2],
                    par, z_peak)
    k3z, k3w = _rhs(z + 0.5 * h * k2z, w + 0.5 * h * k2w, drive, in1[0], in1[1], in1[2],
                    par, z_peak)
    k4z, k4w = _rhs(z + h * k3z, w + h * k3w, drive, in2[0], in2[1], in2[2], par,
                    z_peak)
    return (z + h / 6.0 * (k1z + 2.0 * k2z + 2.0 * k3z + k4z),
            w + h / 6.0 * (k1w + 2.0 * k2w + 2.0 * k3w + k4w))


@njit(GROUP_STEP_SIGNATURE, cache=True, error_model="numpy")
def adex_step(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, spiked, after,
              work, flags):
    """One RK4 step of ``AdEx`` neurons (``GROUP_STEP_SIGNATURE``; module docstring),
    neuron by neuron."""
    v_t, d_t, b, v_r = par[3], par[4], par[7], par[8]
    z_peak = vexp((v_t - par[9]) / d_t)
    z_reset = vexp((v_t - v_r) / d_t)
    h = dt * 1e3
    d = step_decays(syn_tau, dt)
    e = np.empty((3, syn.shape[0]))
    count = 0
    for i in range(state.shape[1]):
        v = state[0, i] + delta_jump(syn, syn_kind, i)
        w = state[1, i]
        drive = i_ext[i]
        z = vexp((v_t - v) / d_t)
        in0, in1, in2 = stage_inputs(syn, syn_rev, syn_kind, i, d)
        ze, we = _rk4(z, w, h, drive, in0, in1, in2, par, z_peak)
        if ze <= z_peak:
            frac = (z - z_peak) / (z - ze) if z > z_peak else 0.0
            s = frac * dt
            decays(syn_tau, 0.5 * s, e[1])
            decays(syn_tau, s, e[2])
            at_spike = channel_sums(syn, syn_rev, syn_kind, i, e[2])
            w_spike = _rk4(z, w, s * 1e3, drive, in0,
                           channel_sums(syn, syn_rev, syn_kind, i, e[1]), at_spike,
                           par, z_peak)[1]
            decays(syn_tau, 0.5 * (s + dt), e[1])
            ze, we = _rk4(z_reset, w_spike + b, (dt - s) * 1e3, drive, at_spike,
                          channel_sums(syn, syn_rev, syn_kind, i, e[1]), in2, par,
                          z_peak)
            spiked[count] = i
            after[count] = dt - s
            count += 1
        if not (abs(ze) < _FINITE and abs(we) < _FINITE):
            return -1 - i
        state[0, i] = v_t - d_t * vlog(max(ze, z_peak))
        state[1, i] = we
    decay_channels(syn, syn_tau, syn_kind, dt)
    return count


def _rhs_numpy(z, w, drive, cur, g, ge, par, z_peak, log):
    C, g_l, e_l, v_t, d_t, a, tau_w = (float(p) for p in par[:7])
    v = v_t - d_t * log(np.maximum(z, z_peak))
    f = g_l * (e_l - v) - w + drive + cur + ge - g * v
    return -g_l / C - z * f / (d_t * C), (a * (v - e_l) - w) / tau_w


def _rk4_numpy(z, w, h, drive, in0, in1, in2, par, z_peak, log):
    k1z, k1w = _rhs_numpy(z, w, drive, *in0, par, z_peak, log)
    k2z, k2w = _rhs_numpy(z + 0.5 * h * k1z, w + 0.5 * h * k1w, drive, *in1, par,
                          z_peak, log)
    k3z, k3w = _rhs_numpy(z + 0.5 * h * k2z, w + 0.5 * h * k2w, drive, *in1, par,
                          z_peak, log)
    k4z, k4w = _rhs_numpy(z + h * k3z, w + h * k3w, drive, *in2, par, z_peak, log)
    return (z + h / 6.0 * (k1z + 2.0 * k2z + 2.0 * k3z + k4z),
            w + h / 6.0 * (k1w + 2.0 * k2w + 2.0 * k3w + k4w))


def adex_step_numpy(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par):
    """Plain-numpy twin of ``adex_step``: the same operations in the same order,
    vectorised over neurons, the spiking ones redone one by one (``vexp``/``vlog``
    element by element, as the kernel's). Updates ``state`` and ``syn`` in place;
    returns (spiked, after)."""
    ufunc_exp, ufunc_log = np.frompyfunc(vexp, 1, 1), np.frompyfunc(vlog, 1, 1)

    def exp(x):
        return ufunc_exp(np.asarray(x, dtype=np.float64)).astype(np.float64)

    def log(x):
        return ufunc_log(np.asarray(x, dtype=np.float64)).astype(np.float64)

    v_t, d_t, b, v_r = float(par[3]), float(par[4]), float(par[7]), float(par[8])
    z_peak, z_reset = vexp((v_t - float(par[9])) / d_t), vexp((v_t - v_r) / d_t)
    h = dt * 1e3
    d = [decays_numpy(syn_tau, s) for s in (0.0, 0.5 * dt, dt)]
    v = state[0] + delta_jump_numpy(syn, syn_kind)
    w = state[1].copy()
    z = exp((v_t - v) / d_t)
    ins = [channel_sums_numpy(syn, syn_rev, syn_kind, dk) for dk in d]
    ze, we = _rk4_numpy(z, w, h, i_ext, *ins, par, z_peak, log)
    spiked = np.flatnonzero(ze <= z_peak)
    after = np.empty(spiked.size)
    for q, i in enumerate(spiked):
        x = syn[:, i]
        frac = (z[i] - z_peak) / (z[i] - ze[i]) if z[i] > z_peak else 0.0
        s = frac * dt
        in0, in2 = (channel_sums_numpy(x, syn_rev, syn_kind, dk) for dk in (d[0], d[2]))
        mid, end = (channel_sums_numpy(x, syn_rev, syn_kind, decays_numpy(syn_tau, t))
                    for t in (0.5 * s, s))
        w_spike = _rk4_numpy(z[i], w[i], s * 1e3, i_ext[i], in0, mid, end, par, z_peak,
                             vlog)[1]
        mid = channel_sums_numpy(x, syn_rev, syn_kind, decays_numpy(syn_tau,
                                                                    0.5 * (s + dt)))
        ze[i], we[i] = _rk4_numpy(z_reset, w_spike + b, (dt - s) * 1e3, i_ext[i], end,
                                  mid, in2, par, z_peak, vlog)
        after[q] = dt - s
    state[0] = v_t - d_t * log(np.maximum(ze, z_peak))
    state[1] = we
    decay_channels_numpy(syn, syn_tau, syn_kind, dt)
    return spiked, after
