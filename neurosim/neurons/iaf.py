"""The leaky integrate-and-fire neuron in the textbook's units, for neuron groups.

    τ_m dV/dt = −(V − V_rest) + R I      while V < V_th;  at V_th: spike, V = V_reset,
                                          V held there for τ_ref

with V in mV, τ_m and τ_ref in ms, R in MΩ and I in nA (R I in mV). The input is the
external current plus the synaptic channels (``synapses.models``): currents x_k (nA)
decaying as exp(−s/τ_k), conductances g_k (nS) adding g_k (E_k − V), and delta
synapses that move V by their weight (mV) at arrival, ignored while refractory (as
in Brunel 2000). It is the course's dimensional LIF (``LIF.from_dimensional`` maps
it onto the normalised ``LIF``); with R = 1 MΩ a current in nA is numerically the
voltage it drives, as in Brian2's CUBA example.

Stepping (``group_step``): without conductance channels the equation is linear with
exponential inputs, and each step is its exact solution,

    V(s) = V_∞ + (V_0 − V_∞) e^(−s/τ_m) + Σ_k R x_k τ_k/(τ_k − τ_m) (e^(−s/τ_k) − e^(−s/τ_m))

(V_∞ = V_rest + R I_ext); with conductances, classic RK4 with the channels' exact
time course at the stages. A spike is placed at the linear interpolation of the
threshold crossing within the step; the refractory period runs from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from ..synapses.models import CONDUCTANCE, CURRENT, DELTA
from ..validation import as_float
from ..compaction import compact
from .base import GROUP_STEP_SIGNATURE, NeuronType

_FINITE = 1e300


@dataclass(frozen=True)
class IAF(NeuronType):
    """Leaky integrate-and-fire neuron in mV, ms, MΩ and nA.

    Parameters
    ----------
    V_rest, V_th, V_reset : float, mV
        Resting potential, threshold (> V_reset) and reset potential.
    tau_m : float, ms
        Membrane time constant R C (> 0).
    tau_ref : float, ms
        Refractory period (>= 0): V is held at V_reset.
    R : float, MΩ
        Membrane resistance: a current I (nA) drives R I (mV); conductances (nS)
        enter as g R / 1000.
    """

    V_rest: float = -65.0
    V_th: float = -50.0
    V_reset: float = -65.0
    tau_m: float = 20.0
    tau_ref: float = 2.0
    R: float = 1.0

    state_names: ClassVar[tuple[str, ...]] = ("v", "ref")
    state_units: ClassVar[dict[str, str]] = {"v": "mV", "ref": "s", "current": "nA",
                                             "conductance": "nS"}
    spiking: ClassVar[bool] = True
    methods: ClassVar[tuple[str, ...]] = ("exact",)
    default_dt: ClassVar[float] = 1e-4
    takes_delta: ClassVar[bool] = True

    def __post_init__(self):
        for name in ("V_rest", "V_th", "V_reset"):
            object.__setattr__(self, name, as_float(f"{name} (mV)", getattr(self, name)))
        if not self.V_th > self.V_reset:
            raise ValueError(f"V_th must be above V_reset = {self.V_reset} mV, got "
                             f"{self.V_th} mV")
        object.__setattr__(self, "tau_m", as_float("tau_m (ms)", self.tau_m,
                                                   positive=True))
        object.__setattr__(self, "tau_ref", as_float("tau_ref (ms)", self.tau_ref,
                                                     nonnegative=True))
        object.__setattr__(self, "R", as_float("R (MOhm)", self.R, positive=True))

    @property
    def threshold_current(self) -> float:
        """The current (nA) below which the neuron never fires."""
        return (self.V_th - self.V_rest) / self.R

    def rates(self, J) -> np.ndarray:
        """Firing rate (Hz) for constant currents ``J`` (nA, any shape):
        1 / (τ_ref + τ_m ln((R J − (V_reset − V_rest)) / (R J − (V_th − V_rest))))."""
        drive = self.R * np.asarray(J, dtype=np.float64)
        out = np.zeros_like(drive)
        above = drive > self.V_th - self.V_rest
        d = drive[above]
        period = self.tau_ref + self.tau_m * np.log(
            (d - (self.V_reset - self.V_rest)) / (d - (self.V_th - self.V_rest)))
        out[above] = 1e3 / period
        return out

    def max_rate(self) -> float:
        return 1e3 / self.tau_ref if self.tau_ref > 0 else np.inf

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        return {"v": np.full(n, self.V_rest), "ref": np.zeros(n)}

    def packed(self) -> np.ndarray:
        """[V_rest, V_th, V_reset, tau_m (s), tau_ref (s), R]."""
        return np.array([self.V_rest, self.V_th, self.V_reset, self.tau_m * 1e-3,
                         self.tau_ref * 1e-3, self.R])

    @staticmethod
    def group_step():
        return iaf_step


@njit(cache=True, error_model="numpy")
def _rhs(v, s, drive, syn, syn_tau, syn_rev, syn_kind, i, rest, tau, r_cond):
    """dV/dt (mV/s) at time s into the step, for neuron i."""
    total = rest - v + drive
    for k in range(syn.shape[0]):
        kind = syn_kind[k]
        if kind == DELTA:
            continue
        x = syn[k, i] * math.exp(-s / syn_tau[k])
        total += x * (r_cond * (syn_rev[k] - v) if kind == CONDUCTANCE else r_cond
                      * 1e3)
    return total / tau


@njit(cache=True, error_model="numpy")
def _rk4(v, s0, drive, syn, syn_tau, syn_rev, syn_kind, i, rest, tau, r_cond, dt):
    """V at the end of the step by one classic RK4 step from time s0 (s) into it."""
    h = dt - s0
    k1 = _rhs(v, s0, drive, syn, syn_tau, syn_rev, syn_kind, i, rest, tau, r_cond)
    k2 = _rhs(v + 0.5 * h * k1, s0 + 0.5 * h, drive, syn, syn_tau, syn_rev, syn_kind,
              i, rest, tau, r_cond)
    k3 = _rhs(v + 0.5 * h * k2, s0 + 0.5 * h, drive, syn, syn_tau, syn_rev, syn_kind,
              i, rest, tau, r_cond)
    k4 = _rhs(v + h * k3, dt, drive, syn, syn_tau, syn_rev, syn_kind, i, rest, tau,
              r_cond)
    return v + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


@njit(inline="always", cache=True, error_model="numpy")
def _channel(kind, tk, tau, R, dt, decay):
    """(weight of the channel's value at the step's start in V at its end, the
    channel's decay over the step) of a current or delta channel, by the exact
    solution (delta: a jump of V that decays with V, consumed)."""
    if kind == DELTA:
        return decay, 0.0
    dk = math.exp(-dt / tk)
    if abs(tk - tau) <= 1e-12 * tau:
        return R * dt / tau * decay, dk
    return R * tk / (tk - tau) * (dk - decay), dk


@njit(cache=True, error_model="numpy")
def _free_end(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, conductive, i):
    """V of neuron i at the end of the step as if free all step (channels at the
    step's start; with conductances by RK4, otherwise exactly)."""
    rest, tau, R = par[0], par[3], par[5]
    decay = math.exp(-dt / tau)
    v = state[0, i]
    if conductive:
        for k in range(syn.shape[0]):
            if syn_kind[k] == DELTA:
                v += syn[k, i]
        return _rk4(v, 0.0, R * i_ext[i], syn, syn_tau, syn_rev, syn_kind, i, rest,
                    tau, R * 1e-3, dt)
    drive = rest + R * i_ext[i]
    ve = drive + (v - drive) * decay
    for k in range(syn.shape[0]):
        ve += _channel(syn_kind[k], syn_tau[k], tau, R, dt, decay)[0] * syn[k, i]
    return ve


@njit(cache=True, error_model="numpy")
def _general_pass(state, syn, syn_tau, syn_kind, dt, par, v_end, flags):
    """``iaf_step``'s first pass given every V at the step's end as if free
    (``v_end``): flags, and the decay of the unflagged neurons' channels. Returns
    whether every V is finite."""
    v_th = par[1]
    bad = False
    for i in range(state.shape[1]):
        ve = v_end[i]
        ref = state[1, i]
        held = ref >= dt
        special = (not held) & ((ref > 0.0) | (ve >= v_th))
        state[0, i] = state[0, i] if held | special else ve
        state[1, i] = ref - dt if held else ref
        flags[i] = special
        bad |= not abs(ve) < _FINITE
    for k in range(syn.shape[0]):
        row = syn[k]
        keep = 0.0 if syn_kind[k] == DELTA else math.exp(-dt / syn_tau[k])
        for i in range(state.shape[1]):
            row[i] = row[i] if flags[i] else row[i] * keep
    return not bad


@njit(GROUP_STEP_SIGNATURE, cache=True, error_model="numpy")
def iaf_step(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, spiked, after,
             work, flags):
    """One step of a group of ``IAF`` neurons (``GROUP_STEP_SIGNATURE``).

    Every neuron's end-of-step potential as if it were free all step is computed
    with its channels' decay in one pass (with one or two current or delta channels
    a single branch-free loop that vectorises; otherwise ``_general_pass``); neurons
    refractory all step are held; the few that cross threshold or leave the
    refractory period within the step are flagged and redone one by one."""
    rest, v_th, v_reset, tau, tau_ref, R = par[0], par[1], par[2], par[3], par[4], \
        par[5]
    n = state.shape[1]
    n_ch = syn.shape[0]
    conductive = False
    for k in range(n_ch):
        conductive |= syn_kind[k] == CONDUCTANCE
    decay = math.exp(-dt / tau)
    if conductive or n_ch == 0 or n_ch > 2:
        for i in range(n):
            work[i] = _free_end(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par,
                                conductive, i)
        finite = _general_pass(state, syn, syn_tau, syn_kind, dt, par, work, flags)
    else:  # V_∞ + (V − V_∞) e^(−dt/τ_m) + Σ_k c_k x_k, x_k ← x_k d_k
        row0 = syn[0]
        c0, d0 = _channel(syn_kind[0], syn_tau[0], tau, R, dt, decay)
        row1, c1, d1 = row0, 0.0, 1.0
        if n_ch == 2:
            row1 = syn[1]
            c1, d1 = _channel(syn_kind[1], syn_tau[1], tau, R, dt, decay)
        bad = False
        v_now = state[0]
        ref_now = state[1]
        for i in range(n):
            v = v_now[i]
            ref = ref_now[i]
            x0 = row0[i]
            x1 = row1[i]
            drive = rest + R * i_ext[i]
            ve = drive + (v - drive) * decay + c0 * x0 + c1 * x1
            held = ref >= dt
            special = (not held) & ((ref > 0.0) | (ve >= v_th))
            v_now[i] = v if held | special else ve
            if held:  # rare: a masked store, no write for the others
                ref_now[i] = ref - dt
            # row1 first: with one channel it is row0, which must end decayed
            row1[i] = x1 if special else x1 * d1
            row0[i] = x0 if special else x0 * d0
            flags[i] = special
            bad |= not abs(ve) < _FINITE
        finite = not bad
    if not finite:
        for i in range(n):
            if not abs(_free_end(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par,
                                 conductive, i)) < _FINITE:
                return -1 - i
    n_special = compact(flags[:n], 0, spiked)
    count = 0
    for q in range(n_special):  # in order, so spiked[count] never overtakes q
        i = spiked[q]
        v = state[0, i]
        ref = state[1, i]
        if ref > 0.0:  # free from ref on: inputs before then are ignored
            ve = _rk4(v, ref, R * i_ext[i], syn, syn_tau, syn_rev, syn_kind, i, rest,
                      tau, R * 1e-3, dt)
            span = dt - ref
        else:
            ve = _free_end(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par,
                           conductive, i)
            for k in range(n_ch):
                if syn_kind[k] == DELTA:
                    v += syn[k, i]
            span = dt
        for k in range(n_ch):  # the channels' decay, left out of the first pass
            syn[k, i] *= 0.0 if syn_kind[k] == DELTA else math.exp(-dt / syn_tau[k])
        state[1, i] = 0.0
        if ve >= v_th:
            frac = (v_th - v) / (ve - v) if ve > v and v < v_th else 0.0
            end = span * (1.0 - frac)  # from the crossing to the end of the step
            spiked[count] = i
            after[count] = end
            count += 1
            state[0, i] = v_reset
            state[1, i] = tau_ref - end
        else:
            state[0, i] = ve
    return count


def iaf_step_numpy(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par):
    """Plain-numpy twin of ``iaf_step``: the same operations in the same order,
    vectorised over neurons (exponentials by ``math.exp``, as the kernel's). Updates
    ``state`` and ``syn`` in place; returns (spiked, after)."""
    rest, v_th, v_reset, tau, tau_ref, R = (float(p) for p in par[:6])
    n_ch = syn.shape[0]
    decay = math.exp(-dt / tau)
    conductive = bool(np.any(syn_kind == CONDUCTANCE))
    v, ref = state[0].copy(), state[1].copy()

    def free_end(v0, s0, x, drive):
        """V at the step's end from v0 at time s0 (s) into it, channels ``x``."""
        if not conductive and s0 is None:
            ve = (rest + drive) + (v0 - (rest + drive)) * decay
            for k in range(n_ch):
                ve = ve + _channel(syn_kind[k], syn_tau[k], tau, R, dt, decay)[0] * x[k]
            return ve
        s0 = 0.0 if s0 is None else s0
        h = dt - s0

        def rhs(u, s):
            total = rest - u + drive
            for k in range(n_ch):
                if syn_kind[k] == DELTA:
                    continue
                xs = x[k] * math.exp(-s / syn_tau[k])
                total = total + xs * (R * 1e-3 * (syn_rev[k] - u)
                                      if syn_kind[k] == CONDUCTANCE else R * 1e-3 * 1e3)
            return total / tau
        k1 = rhs(v0, s0)
        k2 = rhs(v0 + 0.5 * h * k1, s0 + 0.5 * h)
        k3 = rhs(v0 + 0.5 * h * k2, s0 + 0.5 * h)
        k4 = rhs(v0 + h * k3, dt)
        return v0 + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)

    jump = v.copy()
    if conductive:
        for k in range(n_ch):
            if syn_kind[k] == DELTA:
                jump = jump + syn[k]
    ve = free_end(jump if conductive else v, None, syn, R * i_ext)
    held = ref >= dt
    special = ~held & ((ref > 0.0) | (ve >= v_th))
    keep = np.array([0.0 if kind == DELTA else math.exp(-dt / tk)
                     for kind, tk in zip(syn_kind, syn_tau)])
    x_start = syn.copy()
    syn[:, ~special] *= keep[:, None]
    state[0] = np.where(held | special, v, ve)
    state[1] = np.where(held, ref - dt, ref)
    spiked, after = [], []
    for i in np.flatnonzero(special):
        x = x_start[:, i]
        drive = R * i_ext[i]
        vi = v[i]
        if ref[i] > 0.0:
            end_v = free_end(vi, ref[i], x, drive)
            span = dt - ref[i]
        else:
            for k in range(n_ch):
                if syn_kind[k] == DELTA:
                    vi = vi + x[k]
            end_v = ve[i]
            span = dt
        syn[:, i] = x * keep
        state[1, i] = 0.0
        if end_v >= v_th:
            frac = (v_th - vi) / (end_v - vi) if end_v > vi and vi < v_th else 0.0
            end = span * (1.0 - frac)
            spiked.append(i)
            after.append(end)
            state[0, i], state[1, i] = v_reset, tau_ref - end
        else:
            state[0, i] = end_v
    return np.array(spiked, dtype=np.int64), np.array(after)
