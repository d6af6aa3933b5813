"""An ``EquationNeuron`` on the adaptive ODE core (``simulate(..., method="rk45")``):
its equations as a right-hand side for ``solve_batch`` (Dormand–Prince, dense
output), its threshold as an event whose reset applies the reset statements, so
spike times are exact to the solver's tolerance.

Time runs in the model's time unit. With a refractory period the state gains a
clock and the end of the refractory period, as the LIF of ``adaptive`` does: the
potential is held while clock < end, a second event restarts integration exactly
at the kink. The input current is the ``simulate`` table, linearly interpolated
(``adaptive.current_at``). The stages see the threshold variable no further than
its bound, as the fixed-step kernel does (``equation_neuron``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..ode import Event, solve_batch
from .adaptive import current_at
from .equation_neuron import _clamp, _render

_COMPILED: dict[str, tuple] = {}


def rk45_source(model, parameters, values, refractory: float) -> str:
    """Source of ``rhs``, ``over``, ``reset`` (and, with a refractory period,
    ``ref_end``, ``release``) for ``solve_batch``; ``values`` and ``refractory``
    (time units) are written into the reset as constants."""
    m = len(model.states)
    par = {p: f"par[{j}]" for j, p in enumerate(parameters)}
    names = {**par, **{s: f"y[{k}]" for k, s in enumerate(model.states)}, "I": "I_in"}
    clamped = dict(names)
    lines = ["def rhs(t, y, row, par, t0, dt_table, table):",
             f"    out = np.zeros({m + 2 if refractory else m})",
             "    I_in = current_at(t, row, t0, dt_table, table)"]
    clamp = _clamp(model)
    if clamp is not None:
        k, bound, how = clamp
        lines.append(f"    c{k} = {how}(y[{k}], {_render(bound, par)})")
        clamped[model.states[k]] = f"c{k}"
    for k, expr in enumerate(model.derivatives):
        lines.append(f"    out[{k}] = {_render(expr, clamped, expand_input=False)}")
    if refractory:
        lines += [f"    out[{m}] = 1.0",
                  f"    if y[{m}] < y[{m + 1}]:",
                  "        out[0] = 0.0"]
    lines += ["    return out", "",
              "def over(t, y, row, par, t0, dt_table, table):"]
    lhs, op, rhs = model.threshold
    sign = "" if op in (">", ">=") else "-"
    lines += [f"    return {sign}(({_render(lhs, names)}) - ({_render(rhs, names)}))",
              "", "def reset(y):", "    out = y.copy()"]
    constants = {p: repr(float(v)) for p, v in zip(parameters, values)}
    current = {**constants, **{s: f"out[{k}]" for k, s in enumerate(model.states)}}
    for name, how, value in model.resets:
        k = model.states.index(name)
        text = _render(value, current)
        lines.append(f"    out[{k}] = {text}" if how == "=" else
                     f"    out[{k}] = out[{k}] {how[0]} ({text})")
    if refractory:
        lines += [f"    out[{m + 1}] = out[{m}] + {refractory!r}", "    return out", "",
                  "def ref_end(t, y, row, par, t0, dt_table, table):",
                  f"    return y[{m}] - y[{m + 1}]", "",
                  "def release(y):", "    out = y.copy()", f"    out[{m + 1}] = y[{m}]"]
    lines += ["    return out", ""]
    return "\n".join(lines)


def _compile(source: str) -> dict:
    namespace = {"np": np, "math": math, "current_at": current_at}
    exec(compile(source, "<equation neuron, rk45>", "exec"), namespace)  # our own
    return {name: njit(error_model="numpy")(namespace[name])
            for name in ("rhs", "over", "reset", "ref_end", "release")
            if name in namespace}


def run_equations(neuron, state, table, dt_table, t_stop, t_eval, rtol, atol):
    """Integrate ``EquationNeuron`` neurons (times in the model's time unit);
    returns (states (n, T, n_states), spike times per neuron)."""
    model, values = neuron._model, list(neuron._values.values())
    refractory = neuron.refractory
    source = rk45_source(model, list(neuron._values), values, refractory)
    if source not in _COMPILED:
        _COMPILED[source] = _compile(source)
    f = _COMPILED[source]
    n = table.shape[1]
    m = len(model.states)
    columns = [state[s] for s in model.states]
    if refractory:
        columns += [np.zeros(n), np.full(n, -1.0)]
    events = [Event(f["over"], direction=1, reset=f["reset"])]
    if refractory:
        events.append(Event(f["ref_end"], direction=1, reset=f["release"]))
    out = solve_batch(f["rhs"], (0.0, t_stop), np.column_stack(columns),
                      params=np.arange(n, dtype=np.float64)[:, None],
                      args=(np.asarray(values + [0.0]), 0.0, dt_table, table),
                      t_eval=t_eval, events=events, rtol=rtol, atol=atol)
    return out.y[:, :, :m], out.t_events[0]
