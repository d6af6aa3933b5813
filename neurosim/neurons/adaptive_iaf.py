"""The leaky integrate-and-fire neuron with a spike-triggered adaptation current,
for neuron groups, in ``IAF``'s units (mV, ms, MΩ, nA).

    τ_m dV/dt = −(V − V_rest) + R (I − w)     while V < V_th;  at V_th: spike,
    τ_w dw/dt = −w                             V = V_reset held for τ_ref, w += b

I is the external current plus the synaptic channels (``group_inputs``: currents in
nA, conductances g in nS adding g (E − V) / 1000, delta channels moving V by their
weight, ignored while refractory, as ``IAF``).

Stepping (``group_step``): w decays exactly, w e^(−s/τ_w), so without conductances
V is linear with exponential inputs and each step is its exact solution,

    V(h) = V_∞ + (V_0 − V_∞) e^(−h/τ_m) + Σ_k R x_k κ(τ_k) − R w κ(τ_w),
    κ(τ) = τ/(τ − τ_m) (e^(−h/τ) − e^(−h/τ_m))   (h/τ_m e^(−h/τ_m) at τ = τ_m)

(V_∞ = V_rest + R I_ext); with conductances, classic RK4 with the exact time
courses of the channels and of w at the stages. A spike is placed at the linear
interpolation of the threshold crossing within the step; the refractory period
runs from there (as ``IAF``: a period shorter than the rest of the step ends with
the step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from ..synapses.models import CONDUCTANCE, DELTA
from ..validation import as_float
from .base import GROUP_STEP_SIGNATURE
from .group_inputs import decay_channels, decay_channels_numpy
from .iaf import IAF
from .rate_table import TabulatedRates

_FINITE = 1e300


@dataclass(frozen=True)
class AdaptiveIAF(TabulatedRates, IAF):
    """``IAF`` with a spike-triggered adaptation current w (nA).

    Parameters
    ----------
    V_rest, V_th, V_reset, tau_m, tau_ref, R
        As ``IAF`` (mV, ms, MΩ).
    tau_w : float, ms
        Decay time constant of w (> 0).
    b : float, nA
        Jump of w at each spike (>= 0).
    """

    tau_w: float = 100.0
    b: float = 0.1

    state_names: ClassVar[tuple[str, ...]] = ("v", "w", "ref")
    state_units: ClassVar[dict[str, str]] = {"v": "mV", "w": "nA", "ref": "s",
                                             "current": "nA", "conductance": "nS"}
    methods: ClassVar[tuple[str, ...]] = ("exact",)

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "tau_w", as_float("tau_w (ms)", self.tau_w,
                                                   positive=True))
        object.__setattr__(self, "b", as_float("b (nA)", self.b, nonnegative=True))

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        return {"v": np.full(n, self.V_rest), "w": np.zeros(n), "ref": np.zeros(n)}

    def packed(self) -> np.ndarray:
        """[V_rest, V_th, V_reset, tau_m (s), tau_ref (s), R, tau_w (s), b]."""
        return np.append(super().packed(), [self.tau_w * 1e-3, self.b])

    @staticmethod
    def group_step():
        return adaptive_iaf_step


@njit(inline="always", cache=True, error_model="numpy")
def _kappa(tk, tau, h, decay):
    """κ(τ_k) over h (s) given decay = e^(−h/τ_m)."""
    if abs(tk - tau) <= 1e-12 * tau:
        return h / tau * decay
    return tk / (tk - tau) * (math.exp(-h / tk) - decay)


@njit(cache=True, error_model="numpy")
def _rhs(v, s, s0, w0, drive, syn, syn_tau, syn_rev, syn_kind, i, par):
    """dV/dt (mV/s) at time s (s) into the step, w = w0 at s0."""
    rest, tau, R, tau_w = par[0], par[3], par[5], par[6]
    total = rest - v + R * (drive - w0 * math.exp(-(s - s0) / tau_w))
    for k in range(syn.shape[0]):
        kind = syn_kind[k]
        if kind == DELTA:
            continue
        x = syn[k, i] * math.exp(-s / syn_tau[k])
        total += R * x * (1e-3 * (syn_rev[k] - v) if kind == CONDUCTANCE else 1.0)
    return total / tau


@njit(cache=True, error_model="numpy")
def _free(v, w0, s0, drive, syn, syn_tau, syn_rev, syn_kind, i, par, conductive, dt):
    """V at the step's end from V = v, w = w0 at s0 (s) into it."""
    rest, tau, R, tau_w = par[0], par[3], par[5], par[6]
    h = dt - s0
    if conductive:
        k1 = _rhs(v, s0, s0, w0, drive, syn, syn_tau, syn_rev, syn_kind, i, par)
        k2 = _rhs(v + 0.5 * h * k1, s0 + 0.5 * h, s0, w0, drive, syn, syn_tau, syn_rev,
                  syn_kind, i, par)
        k3 = _rhs(v + 0.5 * h * k2, s0 + 0.5 * h, s0, w0, drive, syn, syn_tau, syn_rev,
                  syn_kind, i, par)
        k4 = _rhs(v + h * k3, dt, s0, w0, drive, syn, syn_tau, syn_rev, syn_kind, i,
                  par)
        return v + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    decay = math.exp(-h / tau)
    v_inf = rest + R * drive
    ve = v_inf + (v - v_inf) * decay - R * w0 * _kappa(tau_w, tau, h, decay)
    for k in range(syn.shape[0]):
        if syn_kind[k] != DELTA:
            ve += R * syn[k, i] * math.exp(-s0 / syn_tau[k]) * _kappa(syn_tau[k], tau,
                                                                      h, decay)
    return ve


@njit(GROUP_STEP_SIGNATURE, cache=True, error_model="numpy")
def adaptive_iaf_step(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, spiked,
                      after, work, flags):
    """One step of ``AdaptiveIAF`` neurons (``GROUP_STEP_SIGNATURE``; module
    docstring), neuron by neuron."""
    v_th, v_reset, tau_ref, tau_w, b = par[1], par[2], par[4], par[6], par[7]
    conductive = False
    for k in range(syn.shape[0]):
        conductive |= syn_kind[k] == CONDUCTANCE
    keep_w = math.exp(-dt / tau_w)
    count = 0
    for i in range(state.shape[1]):
        v = state[0, i]
        w = state[1, i]
        ref = state[2, i]
        state[1, i] = w * keep_w
        if ref >= dt:
            state[2, i] = ref - dt
            continue
        s0 = 0.0
        if ref > 0.0:
            s0 = ref
        else:
            for k in range(syn.shape[0]):
                if syn_kind[k] == DELTA:
                    v += syn[k, i]
        ve = _free(v, w * math.exp(-s0 / tau_w), s0, i_ext[i], syn, syn_tau, syn_rev,
                   syn_kind, i, par, conductive, dt)
        if not abs(ve) < _FINITE:
            return -1 - i
        state[2, i] = 0.0
        if ve >= v_th:
            frac = (v_th - v) / (ve - v) if ve > v and v < v_th else 0.0
            end = (dt - s0) * (1.0 - frac)
            spiked[count] = i
            after[count] = end
            count += 1
            state[0, i] = v_reset
            state[1, i] += b * math.exp(-end / tau_w)
            state[2, i] = tau_ref - end
        else:
            state[0, i] = ve
    decay_channels(syn, syn_tau, syn_kind, dt)
    return count


def adaptive_iaf_step_numpy(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par):
    """Plain-numpy twin of ``adaptive_iaf_step``: the same operations in the same
    order (the free neurons' exact step vectorised, the rest one by one). Updates
    ``state`` and ``syn`` in place; returns (spiked, after)."""
    rest, v_th, v_reset, tau, tau_ref, R, tau_w, b = (float(p) for p in par[:8])
    conductive = bool(np.any(syn_kind == CONDUCTANCE))
    v, w, ref = state[0].copy(), state[1].copy(), state[2].copy()
    x = syn.copy()

    def rhs(u, s, s0, w0, drive, xi):
        total = rest - u + R * (drive - w0 * math.exp(-(s - s0) / tau_w))
        for k in range(xi.shape[0]):
            if syn_kind[k] == DELTA:
                continue
            xs = xi[k] * math.exp(-s / syn_tau[k])
            total = total + R * xs * (1e-3 * (syn_rev[k] - u)
                                      if syn_kind[k] == CONDUCTANCE else 1.0)
        return total / tau

    def kappa(tk, h, decay):
        if abs(tk - tau) <= 1e-12 * tau:
            return h / tau * decay
        return tk / (tk - tau) * (math.exp(-h / tk) - decay)

    def free(u, w0, s0, drive, xi):
        h = dt - s0
        if conductive:
            k1 = rhs(u, s0, s0, w0, drive, xi)
            k2 = rhs(u + 0.5 * h * k1, s0 + 0.5 * h, s0, w0, drive, xi)
            k3 = rhs(u + 0.5 * h * k2, s0 + 0.5 * h, s0, w0, drive, xi)
            k4 = rhs(u + h * k3, dt, s0, w0, drive, xi)
            return u + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        decay = math.exp(-h / tau)
        v_inf = rest + R * drive
        ve = v_inf + (u - v_inf) * decay - R * w0 * kappa(tau_w, h, decay)
        for k in range(xi.shape[0]):
            if syn_kind[k] != DELTA:
                ve = ve + R * xi[k] * math.exp(-s0 / syn_tau[k]) * kappa(syn_tau[k], h,
                                                                         decay)
        return ve

    state[1] = w * math.exp(-dt / tau_w)
    spiked, after = [], []
    for i in range(v.size):
        if ref[i] >= dt:
            state[2, i] = ref[i] - dt
            continue
        vi, s0 = v[i], 0.0
        if ref[i] > 0.0:
            s0 = ref[i]
        else:
            for k in range(x.shape[0]):
                if syn_kind[k] == DELTA:
                    vi = vi + x[k, i]
        ve = free(vi, w[i] * math.exp(-s0 / tau_w), s0, i_ext[i], x[:, i])
        state[2, i] = 0.0
        if ve >= v_th:
            frac = (v_th - vi) / (ve - vi) if ve > vi and vi < v_th else 0.0
            end = (dt - s0) * (1.0 - frac)
            spiked.append(i)
            after.append(end)
            state[0, i] = v_reset
            state[1, i] += b * math.exp(-end / tau_w)
            state[2, i] = tau_ref - end
        else:
            state[0, i] = ve
    decay_channels_numpy(syn, syn_tau, syn_kind, dt)
    return np.array(spiked, dtype=np.int64), np.array(after)
