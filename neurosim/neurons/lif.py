"""The leaky integrate-and-fire neuron, in normalised form.

    τ_rc dv/dt = J − v       while v < 1;  at v = 1: spike, v = v_reset, and v is held
                             there for τ_ref (refractory period)

Steady-state rate for constant J (time from v_reset to 1, plus τ_ref):

    G(J) = 1 / (τ_ref + τ_rc ln((J − v_reset) / (J − 1)))   for J > 1, else 0

which with v_reset = 0 is the course's 1 / (τ_ref − τ_rc ln(1 − 1/J)).

Dimensional form: τ_m dV/dt = −(V − V_rest) + R I with threshold V_th and reset
V_reset maps onto it by v = (V − V_rest)/(V_th − V_rest), J = R I/(V_th − V_rest),
τ_rc = τ_m = R C and v_reset = (V_reset − V_rest)/(V_th − V_rest)
(``LIF.from_dimensional``).

Methods: ``exact`` holds J constant over each step and advances v with the exact
exponential solution, places each spike at its exact crossing time inside the step
and carries the refractory period across steps — simulated rates equal G(J) to
rounding even at dt = 1 ms. ``euler`` is the naive forward-Euler scheme with spikes
on the grid (for comparison). ``rk45`` integrates on the adaptive ODE core with
spike events and resets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit, prange

from ..validation import as_float
from .base import NeuronType

EXACT, EULER = 0, 1
METHOD_CODES = {"exact": EXACT, "euler": EULER}


@dataclass(frozen=True)
class LIF(NeuronType):
    """Leaky integrate-and-fire neuron (normalised: threshold 1).

    Parameters
    ----------
    tau_rc : float, s
        Membrane time constant (> 0).
    tau_ref : float, s
        Refractory period (>= 0).
    v_reset : float
        Potential after a spike (< 1); 0 in the course's form.
    min_voltage : float
        Floor for v (``-inf``: none; Nengo's LIF uses 0).
    """

    tau_rc: float = 0.02
    tau_ref: float = 0.002
    v_reset: float = 0.0
    min_voltage: float = -math.inf

    state_names: ClassVar[tuple[str, ...]] = ("v",)
    state_units: ClassVar[dict[str, str]] = {"v": "1", "current": "1"}
    spiking: ClassVar[bool] = True
    methods: ClassVar[tuple[str, ...]] = ("exact", "euler", "rk45")
    default_dt: ClassVar[float] = 1e-3

    def __post_init__(self):
        object.__setattr__(self, "tau_rc", as_float("tau_rc (s)", self.tau_rc,
                                                    positive=True))
        object.__setattr__(self, "tau_ref", as_float("tau_ref (s)", self.tau_ref,
                                                     nonnegative=True))
        v_reset = as_float("v_reset", self.v_reset)
        if not v_reset < 1.0:
            raise ValueError(f"v_reset must be below the threshold 1, got {v_reset}")
        object.__setattr__(self, "v_reset", v_reset)
        floor = as_float("min_voltage", self.min_voltage, finite=False)
        if floor > v_reset or floor == math.inf:
            raise ValueError(f"min_voltage must be <= v_reset = {v_reset}, got {floor}")
        object.__setattr__(self, "min_voltage", floor)

    @classmethod
    def from_dimensional(cls, V_rest: float, V_th: float, V_reset: float, R: float,
                         tau_ref: float, C: float | None = None,
                         tau_m: float | None = None) -> "LIF":
        """The LIF with membrane potential in volts and input current in amperes.

        Give ``C`` (F, then τ_m = R C) or ``tau_m`` (s). The input of the returned
        normalised model is ``J = R I / (V_th − V_rest)`` (see ``input_scale``).
        """
        V_rest = as_float("V_rest", V_rest)
        V_th = as_float("V_th", V_th)
        R = as_float("R (ohm)", R, positive=True)
        if not V_th > V_rest:
            raise ValueError(f"V_th must be above V_rest = {V_rest}, got {V_th}")
        if (C is None) == (tau_m is None):
            raise ValueError("give exactly one of C (capacitance, F) and tau_m (s)")
        tau = R * as_float("C (F)", C, positive=True) if C is not None else \
            as_float("tau_m (s)", tau_m, positive=True)
        return cls(tau_rc=tau, tau_ref=tau_ref,
                   v_reset=(as_float("V_reset", V_reset) - V_rest) / (V_th - V_rest))

    @staticmethod
    def input_scale(R: float, V_rest: float, V_th: float) -> float:
        """Factor from a current I (A) to the normalised input J = R I/(V_th − V_rest)."""
        return R / (V_th - V_rest)

    def rates(self, J) -> np.ndarray:
        J = np.asarray(J, dtype=np.float64)
        out = np.zeros_like(J)
        above = J > 1.0
        Ja = J[above]
        out[above] = 1.0 / (self.tau_ref + self.tau_rc * np.log1p(
            (1.0 - self.v_reset) / (Ja - 1.0)))
        return out

    threshold_current: ClassVar[float] = 1.0

    def max_rate(self) -> float:
        return 1.0 / self.tau_ref if self.tau_ref > 0 else np.inf

    def inverse_rates(self, rates) -> np.ndarray:
        """Closed form: J = (z − v_reset)/(z − 1) with z = exp((1/r − τ_ref)/τ_rc)."""
        rates = np.asarray(rates, dtype=np.float64)
        z_minus_1 = np.expm1((1.0 / rates - self.tau_ref) / self.tau_rc)
        return 1.0 + (1.0 - self.v_reset) / z_minus_1

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        return {"v": np.zeros(n)}

    def packed(self) -> np.ndarray:
        """[tau_rc, tau_ref, v_reset, min_voltage] for the kernels."""
        return np.array([self.tau_rc, self.tau_ref, self.v_reset, self.min_voltage])


@njit(cache=True, error_model="numpy", inline="always")
def exact_step(v, ref, drive, dt, decay, tau, tau_ref, v_reset, v_min, spikes):
    """One exact step of one neuron with input ``drive`` held over ``dt``.

    ``decay`` is ``exp(-dt/tau)``. Spike times (s from the start of the step) go to
    ``spikes`` (as many as fit). Returns ``(v, ref, number of spikes)``.
    """
    n_spikes = 0
    remaining = dt
    while True:
        if ref >= remaining:
            ref -= remaining
            break
        span = remaining - ref
        start = dt - span
        ref = 0.0
        factor = decay if span == dt else math.exp(-span / tau)
        v_end = drive + (v - drive) * factor
        if v_end > 1.0 or v >= 1.0:
            s = 0.0 if v >= 1.0 else tau * math.log((drive - v) / (drive - 1.0))
            if n_spikes < spikes.shape[0]:
                spikes[n_spikes] = start + s
            n_spikes += 1
            v = v_reset
            ref = tau_ref
            remaining = span - s
            continue
        v = max(v_end, v_min)
        break
    return v, ref, n_spikes


@njit(cache=True, error_model="numpy")
def _advance_neuron(method, i, v, ref, J, j_stride, dt, n_steps, par, decay,
                    record_every, rec, spike_t, spike_count):
    tau, tau_ref, v_reset, v_min = par[0], par[1], par[2], par[3]
    cap = spike_t.shape[1]
    count = spike_count[i]
    in_step = np.empty(max(2, int(dt / tau_ref) + 2) if tau_ref > 0 else 64)
    for k in range(n_steps):
        drive = J[k * j_stride, i]
        if method == EULER:
            if ref > 0.5 * dt:  # refractory for round(tau_ref / dt) whole steps
                ref -= dt
            else:
                v += dt * (drive - v) / tau
                if v >= 1.0:
                    if count < cap:
                        spike_t[i, count] = (k + 1) * dt
                    count += 1
                    v = v_reset
                    ref = tau_ref
                v = max(v, v_min)
        else:
            v, ref, fired = exact_step(v, ref, drive, dt, decay, tau, tau_ref, v_reset,
                                       v_min, in_step)
            for f in range(min(fired, in_step.shape[0])):
                if count < cap:
                    spike_t[i, count] = k * dt + in_step[f]
                count += 1
        if (k + 1) % record_every == 0 and rec.shape[1] > 0:
            rec[0, (k + 1) // record_every, i] = v
    spike_count[i] = count
    return v, ref


@njit(cache=True, parallel=True, error_model="numpy")
def run(method, v, ref, J, j_stride, dt, n_steps, par, record_every, rec, spike_t,
        spike_count):
    """Advance every neuron ``n_steps`` steps of ``dt`` (s), in place.

    Parameters
    ----------
    method : int
        ``EXACT`` or ``EULER``.
    v, ref : arrays (n,)
        Potential and remaining refractory time (s), updated in place.
    J : array (T, n)
        Input per step (``j_stride = 1``) or one row for all steps (``j_stride = 0``).
    par : array (4,)
        ``LIF.packed()``.
    rec : array (1, 1 + n_steps // record_every, n) or (1, 0, n)
        Recorded v every ``record_every`` steps (row 0 filled by the caller).
    spike_t, spike_count : arrays (n, cap), (n,)
        Spike times (s from the start) per neuron and the count of all spikes.
    """
    decay = math.exp(-dt / par[0])
    for i in prange(v.shape[0]):
        v[i], ref[i] = _advance_neuron(method, i, v[i], ref[i], J, j_stride, dt,
                                       n_steps, par, decay, record_every, rec, spike_t,
                                       spike_count)


def run_numpy(method, v, ref, J, j_stride, dt, n_steps, par):
    """Plain-numpy twin of ``run`` (no recording), vectorised over neurons: returns
    final (v, ref) and the spike times (s) per neuron."""
    tau, tau_ref, v_reset, v_min = par
    v = np.array(v, dtype=np.float64)
    ref = np.array(ref, dtype=np.float64)
    spikes = [[] for _ in range(v.size)]
    for k in range(n_steps):
        drive = J[k * j_stride]
        if method == EULER:
            active = ref <= 0.5 * dt
            ref = np.where(active, ref, ref - dt)
            v = np.where(active, v + dt * (drive - v) / tau, v)
            fired = active & (v >= 1.0)
            for i in np.flatnonzero(fired):
                spikes[i].append((k + 1) * dt)
            v = np.maximum(np.where(fired, v_reset, v), v_min)
            ref = np.where(fired, tau_ref, ref)
            continue
        remaining = np.full(v.size, dt)
        todo = np.ones(v.size, bool)
        while todo.any():
            waiting = todo & (ref >= remaining)
            ref = np.where(waiting, ref - remaining, ref)
            todo &= ~waiting
            span = np.where(todo, remaining - ref, 0.0)
            start = dt - span
            ref = np.where(todo, 0.0, ref)
            v_end = drive + (v - drive) * np.exp(-span / tau)
            fire = todo & ((v_end > 1.0) | (v >= 1.0))
            with np.errstate(divide="ignore", invalid="ignore"):
                s = np.where(v >= 1.0, 0.0, tau * np.log((drive - v) / (drive - 1.0)))
            for i in np.flatnonzero(fire):
                spikes[i].append(k * dt + start[i] + s[i])
            settle = todo & ~fire
            v = np.where(settle, np.maximum(v_end, v_min), np.where(fire, v_reset, v))
            ref = np.where(fire, tau_ref, ref)
            remaining = np.where(fire, span - s, remaining)
            todo = fire
    return v, ref, [np.array(s) for s in spikes]
