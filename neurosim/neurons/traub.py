"""Hodgkin–Huxley with Traub & Miles (1991) kinetics: the neuron of the COBAHH
benchmark (Brette et al. 2007, benchmark 3), for neuron groups.

    C dV/dt = g_L (E_L − V) − g_Na m³h (V − E_Na) − g_K n⁴ (V − E_K) + I + I_syn

in absolute units for one cell (the benchmark's 20 000 µm² of membrane): V in mV,
C in pF, conductances in nS, currents in pA. With u = V − V_T (ms⁻¹):

    α_m = 0.32 (13 − u) / (e^((13 − u)/4) − 1)     β_m = 0.28 (u − 40) / (e^((u − 40)/5) − 1)
    α_h = 0.128 e^((17 − u)/18)                    β_h = 4 / (1 + e^((40 − u)/5))
    α_n = 0.032 (15 − u) / (e^((15 − u)/5) − 1)     β_n = 0.5 e^((10 − u)/40)

(the removable singularities at u = 13, 40, 15 take their limits 1.28, 1.4, 0.16).
A spike is an upward crossing of ``threshold`` outside the refractory period, which
only stops a second spike from being counted (V is not held).

Stepping (``group_step``): exponential Euler, as Brian2 runs the benchmark — each
gate relaxes exactly towards its steady state at the rates of the step's start, and
V exactly towards the potential where the conductances at the step's start balance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from ..synapses.models import CONDUCTANCE
from ..validation import as_float
from ..compaction import compact
from ..vecmath import vexp
from .base import GROUP_STEP_SIGNATURE, NeuronType
from .rate_table import TabulatedRates

_FINITE = 1e300


@dataclass(frozen=True)
class TraubMiles(TabulatedRates, NeuronType):
    """Traub–Miles Hodgkin–Huxley neuron, defaults of the COBAHH benchmark.

    Parameters
    ----------
    C : float, pF
        Capacitance (1 µF/cm² over 20 000 µm²: 200 pF).
    g_Na, g_K, g_L : float, nS
        Peak sodium (100 mS/cm²: 20 000 nS), delayed-rectifier potassium (30 mS/cm²:
        6000 nS) and leak (0.05 mS/cm²: 10 nS) conductances.
    E_Na, E_K, E_L : float, mV
        Reversal potentials (50, −90, −60).
    V_T : float, mV
        Shift of the rate functions (−63).
    threshold : float, mV
        Spike detection level (−20).
    tau_ref : float, ms
        Refractory period of the spike detector (3).
    """

    C: float = 200.0
    g_Na: float = 20000.0
    g_K: float = 6000.0
    g_L: float = 10.0
    E_Na: float = 50.0
    E_K: float = -90.0
    E_L: float = -60.0
    V_T: float = -63.0
    threshold: float = -20.0
    tau_ref: float = 3.0

    state_names: ClassVar[tuple[str, ...]] = ("v", "m", "h", "n", "ref")
    state_units: ClassVar[dict[str, str]] = {"v": "mV", "m": "1", "h": "1", "n": "1",
                                             "ref": "s", "current": "pA",
                                             "conductance": "nS"}
    spiking: ClassVar[bool] = True
    methods: ClassVar[tuple[str, ...]] = ("exp_euler",)
    default_dt: ClassVar[float] = 1e-4
    current_scale = 100.0  # pA: where the rate table's range search starts

    def __post_init__(self):
        object.__setattr__(self, "C", as_float("C (pF)", self.C, positive=True))
        for name in ("g_Na", "g_K", "g_L"):
            object.__setattr__(self, name, as_float(f"{name} (nS)", getattr(self, name),
                                                    nonnegative=True))
        for name in ("E_Na", "E_K", "E_L", "V_T", "threshold"):
            object.__setattr__(self, name, as_float(f"{name} (mV)", getattr(self, name)))
        object.__setattr__(self, "tau_ref", as_float("tau_ref (ms)", self.tau_ref,
                                                     nonnegative=True))

    def packed(self) -> np.ndarray:
        """[C, g_Na, g_K, g_L, E_Na, E_K, E_L, V_T, threshold, tau_ref (s)]."""
        return np.array([self.C, self.g_Na, self.g_K, self.g_L, self.E_Na, self.E_K,
                         self.E_L, self.V_T, self.threshold, self.tau_ref * 1e-3])

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        """At E_L with every gate at its steady state there."""
        a_m, b_m, a_h, b_h, a_n, b_n = traub_rates(self.E_L, self.V_T)
        return {"v": np.full(n, self.E_L), "m": np.full(n, a_m / (a_m + b_m)),
                "h": np.full(n, a_h / (a_h + b_h)), "n": np.full(n, a_n / (a_n + b_n)),
                "ref": np.zeros(n)}

    @staticmethod
    def group_step():
        return traub_step


@njit(inline="always", cache=True, error_model="numpy")
def _x_over_expm1(x, k):
    """x / (e^(x/k) − 1), branch-free (it vectorises): near x = 0, where the
    subtraction would cancel, the series k / (1 + y/2 + y²/6) (y = x/k, error
    below y³/24)."""
    y = x / k
    series = k / (1.0 + y * (0.5 + y * (1.0 / 6.0)))
    return series if abs(y) < 1e-5 else x / (vexp(y) - 1.0)


@njit(inline="always", cache=True, error_model="numpy")
def traub_rates(v, v_t):
    """(α_m, β_m, α_h, β_h, α_n, β_n) in 1/ms at ``v`` (mV)."""
    u = v - v_t
    return (0.32 * _x_over_expm1(13.0 - u, 4.0), 0.28 * _x_over_expm1(u - 40.0, 5.0),
            0.128 * vexp((17.0 - u) / 18.0), 4.0 / (1.0 + vexp((40.0 - u) / 5.0)),
            0.032 * _x_over_expm1(15.0 - u, 5.0), 0.5 * vexp((10.0 - u) / 40.0))


@njit(inline="always", cache=True, error_model="numpy")
def _relax(x, a, b, h):
    """x after h ms of dx/dt = a (1 − x) − b x at fixed rates."""
    total = a + b
    target = a / total
    return target + (x - target) * vexp(-total * h)


@njit(GROUP_STEP_SIGNATURE, cache=True, error_model="numpy")
def traub_step(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, spiked, after,
               work, flags):
    """One exponential-Euler step of ``TraubMiles`` neurons (``GROUP_STEP_SIGNATURE``)
    at the synaptic channels of the step's start (current channels add their
    value, in pA). The channels' conductance and
    driving terms are summed first, channel by channel; the neuron pass is then
    branch-free (it vectorises) and flags the spikes, listed afterwards."""
    C, g_na, g_k, g_l, e_na, e_k, e_l, v_t, threshold, tau_ref = (
        par[0], par[1], par[2], par[3], par[4], par[5], par[6], par[7], par[8], par[9])
    h = dt * 1e3  # ms
    n = state.shape[1]
    g_syn = work  # Σ conductances (nS); the driving terms go to after (pA)
    source = after
    for i in range(n):
        g_syn[i] = 0.0
        source[i] = i_ext[i]
    for k in range(syn.shape[0]):  # read the channels, and decay them over the step
        row = syn[k]
        keep = math.exp(-dt / syn_tau[k])
        if syn_kind[k] == CONDUCTANCE:
            rev = syn_rev[k]
            for i in range(n):
                g_syn[i] += row[i]
                source[i] += row[i] * rev
                row[i] *= keep
        else:
            for i in range(n):
                source[i] += row[i]
                row[i] *= keep
    bad = False
    for i in range(n):
        v = state[0, i]
        m = state[1, i]
        hh = state[2, i]
        gate = state[3, i]
        a_m, b_m, a_h, b_h, a_n, b_n = traub_rates(v, v_t)
        gna = g_na * m * m * m * hh
        n2 = gate * gate
        gk = g_k * n2 * n2
        g_total = g_l + gna + gk + g_syn[i]
        v_inf = (g_l * e_l + gna * e_na + gk * e_k + source[i]) / g_total
        v_new = v_inf + (v - v_inf) * vexp(-g_total / C * h)
        state[1, i] = _relax(m, a_m, b_m, h)
        state[2, i] = _relax(hh, a_h, b_h, h)
        state[3, i] = _relax(gate, a_n, b_n, h)
        ref = state[4, i] - dt
        fired = (v < threshold) & (threshold <= v_new) & (ref <= 0.0)
        flags[i] = fired
        # the crossing's time to the end of the step, kept in work for the listing
        work[i] = dt * (v_new - threshold) / (v_new - v) if fired else 0.0
        state[4, i] = tau_ref - work[i] if fired else max(ref, 0.0)
        state[0, i] = v_new
        bad |= not abs(v_new) < _FINITE
    if bad:
        for i in range(n):
            if not abs(state[0, i]) < _FINITE:
                return -1 - i
    count = compact(flags[:n], 0, spiked)
    for q in range(count):
        after[q] = work[spiked[q]]
    return count


def traub_step_numpy(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par):
    """Plain-numpy twin of ``traub_step``: the same operations in the same order,
    vectorised over neurons, with the kernel's ``vexp`` applied element by element
    (so the two agree to the bit). Updates ``state`` and ``syn`` in place; returns
    (spiked, after)."""
    C, g_na, g_k, g_l, e_na, e_k, e_l, v_t, threshold, tau_ref = (float(p)
                                                                  for p in par[:10])
    exp = np.frompyfunc(vexp, 1, 1)

    def vexp_all(x):
        return exp(np.asarray(x, dtype=np.float64)).astype(np.float64)

    def x_over_expm1(x, k):
        y = x / k
        series = k / (1.0 + y * (0.5 + y * (1.0 / 6.0)))
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0: the series' place
            return np.where(np.abs(y) < 1e-5, series, x / (vexp_all(y) - 1.0))

    def relax(x, a, b):
        total = a + b
        target = a / total
        return target + (x - target) * vexp_all(-total * h)

    h = dt * 1e3
    g_syn = np.zeros(state.shape[1])
    source = np.array(i_ext, dtype=np.float64)
    for k in range(syn.shape[0]):
        keep = math.exp(-dt / syn_tau[k])
        if syn_kind[k] == CONDUCTANCE:
            g_syn = g_syn + syn[k]
            source = source + syn[k] * syn_rev[k]
        else:
            source = source + syn[k]
        syn[k] *= keep
    v, m, hh, gate, ref = state
    u = v - v_t
    a_m, b_m = 0.32 * x_over_expm1(13.0 - u, 4.0), 0.28 * x_over_expm1(u - 40.0, 5.0)
    a_h = 0.128 * vexp_all((17.0 - u) / 18.0)
    b_h = 4.0 / (1.0 + vexp_all((40.0 - u) / 5.0))
    a_n, b_n = 0.032 * x_over_expm1(15.0 - u, 5.0), 0.5 * vexp_all((10.0 - u) / 40.0)
    gna = g_na * m * m * m * hh
    n2 = gate * gate
    gk = g_k * n2 * n2
    g_total = g_l + gna + gk + g_syn
    v_inf = (g_l * e_l + gna * e_na + gk * e_k + source) / g_total
    v_new = v_inf + (v - v_inf) * vexp_all(-g_total / C * h)
    ref_left = ref - dt
    fired = (v < threshold) & (threshold <= v_new) & (ref_left <= 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        after = np.where(fired, dt * (v_new - threshold) / (v_new - v), 0.0)
    state[1], state[2], state[3] = relax(m, a_m, b_m), relax(hh, a_h, b_h), \
        relax(gate, a_n, b_n)
    state[4] = np.where(fired, tau_ref - after, np.maximum(ref_left, 0.0))
    state[0] = v_new
    spiked = np.flatnonzero(fired)
    return spiked, after[spiked]
