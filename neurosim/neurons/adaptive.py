"""Spiking models on the adaptive ODE core (``method="rk45"``).

Each neuron is one system of ``solve_batch`` with its own step size; spikes are
events located on the dense output. The input current is a table sampled every
``dt`` and interpolated linearly (a constant current is a one-row table).

LIF runs as the state (v, clock, refractory end): a spike event resets v and starts
the refractory period, a second event at its end restarts integration exactly at the
kink, so spike times are exact to the solver's tolerance.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import njit

from ..ode import Event, solve_batch
from .hh import derivatives


@njit(cache=True, error_model="numpy")
def current_at(t, row, t0, dt_table, table):
    """Input of neuron ``row[0]`` at time ``t`` from the table (T, n) sampled every
    ``dt_table`` from ``t0`` (linear interpolation; held at the ends)."""
    i = int(row[0])
    last = table.shape[0] - 1
    if last == 0:
        return table[0, i]
    x = (t - t0) / dt_table
    if x <= 0.0:
        return table[0, i]
    if x >= last:
        return table[last, i]
    k = int(math.floor(x))
    frac = x - k
    return table[k, i] + frac * (table[k + 1, i] - table[k, i])


@njit(cache=True, error_model="numpy")
def hh_rhs(t, y, row, par, t0, dt_table, table):
    """Hodgkin–Huxley right-hand side; t in ms."""
    dv, dm, dh, dn = derivatives(y[0], y[1], y[2], y[3],
                                 current_at(t, row, t0, dt_table, table), par)
    out = np.empty(4)
    out[0] = dv
    out[1] = dm
    out[2] = dh
    out[3] = dn
    return out


@njit(cache=True, error_model="numpy")
def hh_spike(t, y, row, par, t0, dt_table, table):
    """Zero when V reaches the spike threshold."""
    return y[0] - par[7]


@njit(cache=True, error_model="numpy")
def lif_rhs(t, y, row, par, t0, dt_table, table):
    """LIF as (v, clock, refractory end): v is held while clock < refractory end."""
    out = np.empty(3)
    if y[1] < y[2]:
        out[0] = 0.0
    else:
        out[0] = (current_at(t, row, t0, dt_table, table) - y[0]) / par[0]
    out[1] = 1.0
    out[2] = 0.0
    return out


@njit(cache=True, error_model="numpy")
def lif_threshold(t, y, row, par, t0, dt_table, table):
    return y[0] - 1.0


@njit(cache=True, error_model="numpy")
def lif_refractory_end(t, y, row, par, t0, dt_table, table):
    return y[1] - y[2]


@njit(cache=True, error_model="numpy")
def _end_refractory(y):
    out = y.copy()
    out[2] = y[1]
    return out


@lru_cache(maxsize=32)
def _lif_events(v_reset: float, tau_ref: float):
    @njit
    def spike_reset(y):
        out = np.empty(3)
        out[0] = v_reset
        out[1] = y[1]
        out[2] = y[1] + tau_ref
        return out
    return (Event(lif_threshold, direction=1, reset=spike_reset),
            Event(lif_refractory_end, direction=1, reset=_end_refractory))


def run_hh(neuron, state, table, dt_table_ms, t_stop_ms, t_eval_ms, rtol, atol):
    """Integrate HH neurons; returns (states (n, T, 4), spike times (ms) per neuron)."""
    n = table.shape[1]
    Y0 = np.column_stack([state[name] for name in neuron.state_names])
    out = solve_batch(hh_rhs, (0.0, t_stop_ms), Y0,
                      params=np.arange(n, dtype=np.float64)[:, None],
                      args=(neuron.packed(), 0.0, dt_table_ms, table),
                      t_eval=t_eval_ms, events=Event(hh_spike, direction=1),
                      rtol=rtol, atol=atol)
    return out.y, out.t_events[0]


def run_lif(neuron, state, table, dt_table, t_stop, t_eval, rtol, atol):
    """Integrate LIF neurons; returns (v (n, T, 1), spike times (s) per neuron)."""
    n = table.shape[1]
    Y0 = np.column_stack([state["v"], np.zeros(n), np.full(n, -1.0)])
    out = solve_batch(lif_rhs, (0.0, t_stop), Y0,
                      params=np.arange(n, dtype=np.float64)[:, None],
                      args=(neuron.packed(), 0.0, dt_table, table), t_eval=t_eval,
                      events=list(_lif_events(neuron.v_reset, neuron.tau_ref)),
                      rtol=rtol, atol=atol)
    return out.y[:, :, :1], out.t_events[0]
