"""``EquationNeuron``: a neuron model written as equations, compiled with numba into
a group step of the same signature as the built-in models' (``GROUP_STEP_SIGNATURE``).

    ns.EquationNeuron('''
        dv/dt = 0.04*v*v + 5*v + 140 - u + I
        du/dt = a*(b*v - u)
    ''', threshold="v >= 30", reset="v = c; u += d",
        namespace={"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0},
        initial={"v": -65.0, "u": -13.0})

The text is parsed and checked by ``equation_parser`` (never evaluated); the
compiled step is generated from the checked syntax tree. The first state variable
is the membrane potential: conductance channels act on it, delta channels move it,
the refractory period holds it. ``I`` is the external current plus the synaptic
channels (``group_inputs``): current channels add x_k, conductance channels
g_k (E_k − v), in the model's current units.

Stepping, per neuron: classic RK4 over the step with the channels' exact decay at
the stages (forward Euler with ``method="euler"``; linear equations step exactly by
default, ``linear_step``). When the threshold is ``X >= bound`` (or ``>``; ``<``,
``<=`` likewise from below) for a state variable X, the stages see X no further than
the bound, so a runaway term (AdEx's exponential, Izhikevich's square) cannot
overflow within a step. A spike is placed where the threshold function, linearly
interpolated within the step, crosses zero; the state at the spike comes from an RK4
step from the step's start to it, the reset is applied there, and the rest of the
step is integrated from the reset state, with the potential held while refractory.
(Exact steps place it where the exact trajectory crosses, ``_crossing``.) At most
one spike per neuron per step. Divergence (a non-finite state) returns −1 − i, as
the signature says.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from numba import njit

from ..validation import as_float
from .base import GROUP_STEP_SIGNATURE, NeuronType
from .equation_parser import FUNCTIONS, INPUT, parse_model
from .group_inputs import (channel_sums, decay_channels, decays, delta_jump,
                           stage_inputs, step_decays)
from .linear_step import expm, linear_structure, propagator
from .rate_table import TabulatedRates

#: The hidden state that counts a neuron's refractory time left (s).
REFRACTORY = "refractory_left"
_TIME_UNITS = {"ms": 1e3, "s": 1.0}
_COMPILED: dict[str, object] = {}


@dataclass(frozen=True, eq=False)
class EquationNeuron(TabulatedRates, NeuronType):
    """A neuron model given as text (module docstring).

    Parameters
    ----------
    equations : str
        ``dX/dt = expression`` lines (optionally ``: unit``); the first X is the
        membrane potential.
    threshold : str
        One comparison, e.g. ``"v >= V_th"``.
    reset : str
        Statements applied at a spike, e.g. ``"v = V_r; w += b"``.
    namespace : dict
        The parameters (as Brian2 names them): name -> number, or name ->
        (number, "unit") for a model with units.
    initial : dict, optional
        name -> initial value of a state variable (default 0).
    refractory : float
        Time the potential is held after a spike, in ``time_unit`` (default 0).
    time_unit : str
        ``"ms"`` (default) or ``"s"``: what the derivatives are per.
    current_unit : str, optional
        The unit of ``I``; with units, required (conductances are then in it per
        the potential's unit, e.g. nS for pA and mV).
    method : {"exact", "rk4", "euler"}, optional
        The group step: ``"exact"`` (the default where the equations are linear in
        the state and ``I``, ``linear_step``), RK4 (the default otherwise) or
        forward Euler.
    """

    equations: str
    threshold: str
    reset: str = ""
    namespace: dict = field(default_factory=dict)
    initial: dict = field(default_factory=dict)
    refractory: float = 0.0
    time_unit: str = "ms"
    current_unit: str | None = None
    method: str | None = None

    spiking: ClassVar[bool] = True
    default_dt: ClassVar[float] = 1e-4
    takes_delta: ClassVar[bool] = True

    def __post_init__(self):
        if self.time_unit not in _TIME_UNITS:
            raise ValueError(f"time_unit must be one of {sorted(_TIME_UNITS)}, got "
                             f"{self.time_unit!r}")
        if not isinstance(self.namespace, dict) or not isinstance(self.initial, dict):
            raise TypeError("namespace and initial must be dicts of name: value")
        values, units = {}, {}
        for name, value in self.namespace.items():
            if not (isinstance(name, str) and name.isidentifier()) or name in (
                    INPUT, *FUNCTIONS):
                raise ValueError(f"parameter name {name!r}: expected an identifier "
                                 f"other than {INPUT!r} and the function names")
            if isinstance(value, (tuple, list)):
                if len(value) != 2 or not isinstance(value[1], str):
                    raise ValueError(f"parameter {name!r} = {value!r}: expected a "
                                     "number or (number, 'unit')")
                value, units[name] = value
            values[name] = as_float(f"parameter {name!r}", value)
        if units and len(units) != len(values):
            missing = sorted(set(values) - set(units))
            raise ValueError(f"parameters {missing} have no unit while others do: "
                             "give units everywhere or nowhere")
        if units and self.current_unit is None:
            raise ValueError("a model with units needs current_unit (the unit of I, "
                             "e.g. 'pA')")
        table = ({**units, INPUT: self.current_unit, "t": self.time_unit}
                 if units else None)
        model = parse_model(self.equations, self.threshold, self.reset,
                            list(values), table)
        if REFRACTORY in model.states:
            raise ValueError(f"{REFRACTORY!r} is reserved for the refractory clock")
        for name in self.initial:
            if name not in model.states:
                raise ValueError(f"initial: {name!r} is not a state variable "
                                 f"({', '.join(model.states)})")
        refractory = as_float(f"refractory ({self.time_unit})", self.refractory,
                              nonnegative=True)
        object.__setattr__(self, "refractory", refractory)
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_values", values)
        linear = _linear_structure(model, values, self.initial)
        if self.method not in (None, "exact", "rk4", "euler"):
            raise ValueError(f"method must be 'exact', 'rk4', 'euler' or None, got "
                             f"{self.method!r}")
        if self.method == "exact" and linear is None:
            raise ValueError("method 'exact' needs equations linear in the state "
                             "variables and I (dX/dt = A x + g I + f); these are not: "
                             "use method='rk4'")
        step = self.method or ("exact" if linear is not None else "rk4")
        object.__setattr__(self, "methods", (step, "rk45"))
        states = model.states + ((REFRACTORY,) if refractory > 0 else ())
        object.__setattr__(self, "state_names", states)
        v_unit = model.state_units[0] or "1"
        current = self.current_unit or "1"
        object.__setattr__(self, "state_units", {
            **{s: u or "1" for s, u in zip(model.states, model.state_units)},
            REFRACTORY: "s", "current": current,
            "conductance": f"{current}/{v_unit}" if units else "1"})

    def __eq__(self, other):
        return isinstance(other, EquationNeuron) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def parameters(self) -> dict:
        """The model's text, parameter values and settings."""
        return {"equations": self.equations, "threshold": self.threshold,
                "reset": self.reset, "namespace": dict(self._values),
                "initial": dict(self.initial), "refractory": self.refractory,
                "time_unit": self.time_unit, "current_unit": self.current_unit,
                "method": self.methods[0]}

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        """Each state at its ``initial`` value (0 where none is given)."""
        state = {s: np.full(n, float(self.initial.get(s, 0.0)))
                 for s in self._model.states}
        if self.refractory > 0:
            state[REFRACTORY] = np.zeros(n)
        return state

    def packed(self) -> np.ndarray:
        """The parameters in the order given, then the refractory period (s)."""
        return np.array([*self._values.values(),
                         self.refractory / _TIME_UNITS[self.time_unit]])

    def group_step(self):
        """The compiled step (one compilation per distinct model text)."""
        source = step_source(self._model, list(self._values), self.refractory > 0,
                             _TIME_UNITS[self.time_unit], self.methods[0])
        if source not in _COMPILED:
            _COMPILED[source] = _compile(source)
        return _COMPILED[source]


class _Render(ast.NodeTransformer):
    """Names to the generated code's variables; functions to ``math``."""

    def __init__(self, names: dict, expand_input: bool = True):
        self.names = names
        self.expand_input = expand_input

    def visit_Call(self, node):
        node.args = [self.visit(a) for a in node.args]
        node.func = ast.Name(FUNCTIONS[node.func.id], ast.Load())
        return node

    def visit_Name(self, node):
        return ast.copy_location(ast.parse(self.names[node.id], mode="eval").body, node)

    def visit_BinOp(self, node):
        """``X + I`` as ``X + drive + cur + ge - g * x0``, term by term (the sum the
        built-in models write), where I is the input; elsewhere I is one value."""
        if (self.expand_input and isinstance(node.op, ast.Add)
                and isinstance(node.right, ast.Name) and node.right.id == INPUT):
            chain = self.visit(node.left)
            for term in ("drive", "cur", "ge"):
                chain = ast.BinOp(chain, ast.Add(), ast.Name(term, ast.Load()))
            return ast.BinOp(chain, ast.Sub(), ast.parse("g * x0", mode="eval").body)
        return self.generic_visit(node)


def _render(tree, names, expand_input: bool = True) -> str:
    """``tree`` as source with ``names`` mapped (``_Render``)."""
    copy = ast.parse(ast.unparse(tree), mode="eval").body
    return ast.unparse(_Render(names, expand_input).visit(copy))


def _clamp(model):
    """(state index, bound expression, "min"/"max") when the threshold is ``X op
    bound`` for a state X and a bound free of states; else None."""
    lhs, op, rhs = model.threshold
    if isinstance(lhs, ast.Name) and lhs.id in model.states and not any(
            isinstance(n, ast.Name) and n.id in model.states for n in ast.walk(rhs)):
        return model.states.index(lhs.id), rhs, "min" if op in (">", ">=") else "max"
    return None


def _linear_structure(model, values: dict, initial: dict):
    """``linear_step.linear_structure`` of the model's derivatives at the parameter
    ``values`` (None: not linear)."""
    m = len(model.states)
    names = {**{p: f"par[{j}]" for j, p in enumerate(values)},
             **{x: f"x[{k}]" for k, x in enumerate(model.states)}, INPUT: "I_in"}
    body = ", ".join(_render(expr, names, expand_input=False)
                     for expr in model.derivatives)
    namespace = {"math": math}
    exec(f"def rhs(x, I_in, par):\n    return [{body}]", namespace)  # our own source
    par = np.array(list(values.values()))
    scale = np.array([abs(float(initial.get(x, 0.0))) + 10.0 for x in model.states])
    return linear_structure(lambda x, current: namespace["rhs"](x, current, par), m,
                            scale)


def step_source(model, parameters, refractory: bool, scale: float,
                method: str = "rk4") -> str:
    """Python source of the group step of ``model`` (module docstring) by
    ``method``: "rk4", "euler", or "exact" (``linear_step``; for linear equations,
    RK4 in sub-steps with conductance input)."""
    exact = method == "exact"
    m = len(model.states)
    xs = [f"x{k}" for k in range(m)]
    par = {p: f"par[{j}]" for j, p in enumerate(parameters)}
    plain = {**par, **dict(zip(model.states, xs)), INPUT: "I_in"}
    clamp = None if exact else _clamp(model)
    seen = dict(plain)
    lines = [f"def _rhs({', '.join(xs)}, drive, cur, g, ge, frozen, par):"]
    if clamp is not None:
        k, bound, how = clamp
        lines.append(f"    x{k} = {how}(x{k}, {_render(bound, par)})")
    lines.append(f"    I_in = drive + cur + ge - g * x0")
    for k, expr in enumerate(model.derivatives):
        text = _render(expr, seen)
        lines.append(f"    d{k} = 0.0 if frozen else {text}" if k == 0 else
                     f"    d{k} = {text}")
    lines.append(f"    return ({', '.join(f'd{k}' for k in range(m))},)")
    args = ", ".join(xs)
    lines += [
        "",
        f"def _rk4({args}, hs, drive, a, b, c, frozen, par):",
        f"    k1 = _rhs({args}, drive, a[0], a[1], a[2], frozen, par)",
        "    k2 = _rhs(" + ", ".join(f"x{k} + 0.5 * hs * k1[{k}]" for k in range(m))
        + ", drive, b[0], b[1], b[2], frozen, par)",
        "    k3 = _rhs(" + ", ".join(f"x{k} + 0.5 * hs * k2[{k}]" for k in range(m))
        + ", drive, b[0], b[1], b[2], frozen, par)",
        "    k4 = _rhs(" + ", ".join(f"x{k} + hs * k3[{k}]" for k in range(m))
        + ", drive, c[0], c[1], c[2], frozen, par)",
        "    return (" + ", ".join(
            f"x{k} + hs / 6.0 * (k1[{k}] + 2.0 * k2[{k}] + 2.0 * k3[{k}] + k4[{k}])"
            for k in range(m)) + ",)",
        "",
    ]
    if exact:
        row = [" + ".join([*(f"P[{r}, {k}] * x{k}" for k in range(m)),
                           f"P[{r}, {m}] * I0", f"P[{r}, {m + 1}] * u1",
                           f"P[{r}, {m + 2}] * u2", f"P[{r}, {m + 3}]"])
               for r in range(m)]
        lines += [
            "def _input(hs, drive, a, b, c):",
            "    # (linear, I, dI/dt, d²I/dt²) at the start of the sub-step, of the",
            "    # quadratic through the input at its start, middle and end; not linear",
            "    # where a conductance acts",
            "    if a[1] != 0.0 or b[1] != 0.0 or c[1] != 0.0 or hs <= 0.0:",
            "        return False, 0.0, 0.0, 0.0",
            "    I0 = drive + a[0] + a[2]",
            "    Im = drive + b[0] + b[2]",
            "    Ih = drive + c[0] + c[2]",
            "    return (True, I0, (-3.0 * I0 + 4.0 * Im - Ih) / hs,",
            "            4.0 * (I0 - 2.0 * Im + Ih) / (hs * hs))",
            "",
            f"def _sub({args}, hs, drive, a, b, c, frozen, par, lin):",
            "    linear, I0, u1, u2 = _input(hs, drive, a, b, c)",
            "    if not linear:",
            f"        return _rk4({args}, hs, drive, a, b, c, frozen, par)",
            "    M, Mf, E, Ef, h_full = lin",
            "    if hs == h_full:",
            "        P = Ef if frozen else E",
            "    else:",
            "        P = expm(Mf if frozen else M, hs)",
            "    return (" + "".join(f"{r}, " for r in row) + ")",
            "",
            "def _linear(h, par):",
            f"    A = np.empty(({m}, {m}))",
            f"    f = _rhs({', '.join(['0.0'] * m)}, 0.0, 0.0, 0.0, 0.0, False, par)",
            f"    one = _rhs({', '.join(['0.0'] * m)}, 1.0, 0.0, 0.0, 0.0, False, par)",
            f"    g = np.array([one[k] - f[k] for k in range({m})])",
            f"    fv = np.array([f[k] for k in range({m})])",
        ]
        for j in range(m):
            unit = ", ".join("1.0" if k == j else "0.0" for k in range(m))
            lines += [f"    col = _rhs({unit}, 0.0, 0.0, 0.0, 0.0, False, par)",
                      f"    for k in range({m}):",
                      f"        A[k, {j}] = col[k] - f[k]"]
        lines += [
            "    M = propagator(A, g, fv, False)",
            "    Mf = propagator(A, g, fv, True)",
            "    return M, Mf, expm(M, h), expm(Mf, h), h",
            "",
            *_crossing_source(m, args),
        ]
    else:
        call = (f"_rk4({args}, hs, drive, a, b, c, frozen, par)" if method == "rk4"
                else f"_euler({args}, hs, drive, a, frozen, par)")
        lines += [
            f"def _euler({args}, hs, drive, a, frozen, par):",
            f"    k1 = _rhs({args}, drive, a[0], a[1], a[2], frozen, par)",
            "    return (" + ", ".join(f"x{k} + hs * k1[{k}]" for k in range(m)) + ",)",
            "",
            f"def _sub({args}, hs, drive, a, b, c, frozen, par, lin):",
            f"    return {call}",
            "",
            "def _linear(h, par):",
            "    z = np.zeros((1, 1))",
            "    return z, z, z, z, h",
            "",
        ]
    lhs, op, rhs = model.threshold
    sign = "" if op in (">", ">=") else "-"
    lines += [f"def _over({args}, par):",
              f"    return {sign}(({_render(lhs, plain)}) - ({_render(rhs, plain)}))",
              "",
              f"def _reset({args}, par):"]
    for name, how, value in model.resets:
        k = model.states.index(name)
        text = _render(value, plain)
        lines.append(f"    x{k} = {text}" if how == "=" else
                     f"    x{k} = x{k} {how[0]} ({text})")
    lines += [f"    return ({args},)", ""]
    fires = ">= 0.0" if op in (">=", "<=") else "> 0.0"
    if clamp is not None:  # the crossing of X itself, as the built-in models place it
        k, bound, how = clamp
        b = _render(bound, par)
        frac = (f"({b} - y[{k}]) / (e[{k}] - y[{k}])" if how == "min" else
                f"(y[{k}] - {b}) / (y[{k}] - e[{k}])")
    else:
        frac = "f0 / (f0 - f1)"
    unpack = ", ".join(f"state[{k}, i]" for k in range(m))
    lines += [
        "def step(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, spiked, after,",
        "         work, flags):",
        f"    S = {scale!r}",
        f"    t_ref = par[{len(parameters)}]",
        "    n_ch = syn.shape[0]",
        "    d = step_decays(syn_tau, dt)",
        "    lin = _linear(dt * S, par)",
        "    ea = np.empty(n_ch)",
        "    eb = np.empty(n_ch)",
        "    count = 0",
        "    for i in range(state.shape[1]):",
        f"        y = ({unpack},)",
        f"        left = state[{m}, i]" if refractory else "        left = 0.0",
        "        drive = i_ext[i]",
        "        in0, in1, in2 = stage_inputs(syn, syn_rev, syn_kind, i, d)",
        "        s0 = 0.0",
        "        start = in0",
        "        if left >= dt:  # refractory all step: the potential held",
        "            e = _sub(YS, dt * S, drive, in0, in1, in2, True, par, lin)",
        "            left -= dt",
        "        else:",
        "            if left > 0.0:  # held until left, free from there",
        "                decays(syn_tau, 0.5 * left, ea)",
        "                decays(syn_tau, left, eb)",
        "                start = channel_sums(syn, syn_rev, syn_kind, i, eb)",
        "                y = _sub(YS, left * S, drive, in0,",
        "                         channel_sums(syn, syn_rev, syn_kind, i, ea), start, True,",
        "                         par, lin)",
        "                s0 = left",
        "                left = 0.0",
        "            else:",
        "                y = (y[0] + delta_jump(syn, syn_kind, i)," + "".join(
            f" y[{k}]," for k in range(1, m)) + ")",
        "            if s0 == 0.0:",
        "                e = _sub(YS, dt * S, drive, in0, in1, in2, False, par, lin)",
        "            else:",
        "                decays(syn_tau, 0.5 * (s0 + dt), ea)",
        "                e = _sub(YS, (dt - s0) * S, drive, start,",
        "                         channel_sums(syn, syn_rev, syn_kind, i, ea), in2, False,",
        "                         par, lin)",
        "            f1 = _over(ES, par)",
        f"            if f1 {fires}:",
        "                f0 = _over(YS, par)",
        f"                frac = {frac} if f0 < 0.0 else 0.0",
        *(_refine() if exact else []),
        "                s = s0 + frac * (dt - s0)",
        "                decays(syn_tau, 0.5 * (s0 + s), ea)",
        "                decays(syn_tau, s, eb)",
        "                at = channel_sums(syn, syn_rev, syn_kind, i, eb)",
        *(["                y = yhi"] if exact else [
            "                y = _sub(YS, (s - s0) * S, drive, start,",
            "                         channel_sums(syn, syn_rev, syn_kind, i, ea), at, "
            "False,",
            "                         par, lin)"]),
        "                y = _reset(YS, par)",
        "                spiked[count] = i",
        "                after[count] = dt - s",
        "                count += 1",
        "                hold = min(t_ref, dt - s)",
        "                free = dt - s - hold",
        "                if hold > 0.0:",
        "                    decays(syn_tau, s + 0.5 * hold, ea)",
        "                    decays(syn_tau, s + hold, eb)",
        "                    mid = channel_sums(syn, syn_rev, syn_kind, i, eb)",
        "                    y = _sub(YS, hold * S, drive, at,",
        "                             channel_sums(syn, syn_rev, syn_kind, i, ea), mid,",
        "                             True, par, lin)",
        "                    at = mid",
        "                    left = t_ref - hold",
        "                if free > 0.0:",
        "                    decays(syn_tau, dt - 0.5 * free, ea)",
        "                    e = _sub(YS, free * S, drive, at,",
        "                             channel_sums(syn, syn_rev, syn_kind, i, ea), in2,",
        "                             False, par, lin)",
        "                else:",
        "                    e = y",
        "        if not (" + " and ".join(f"abs(e[{k}]) < 1e300" for k in range(m))
        + "):",
        "                return -1 - i",
    ]
    lines += [f"        state[{k}, i] = e[{k}]" for k in range(m)]
    if refractory:
        lines.append(f"        state[{m}, i] = left")
    lines += ["    decay_channels(syn, syn_tau, syn_kind, dt)", "    return count", ""]
    ys = ", ".join(f"y[{k}]" for k in range(m))
    es = ", ".join(f"e[{k}]" for k in range(m))
    ws = ", ".join(f"w[{k}]" for k in range(m))
    return "\n".join(lines).replace("(YS,", f"({ys},").replace("(ES,", f"({es},") \
        .replace("(WS,", f"({ws},")


def _refine() -> list[str]:
    """Lines of the exact step that move a spike's fraction ``frac`` of the free
    interval from the linear guess to the threshold crossing of the exact
    trajectory (``_crossing``), ``yhi`` the state there."""
    return [
        "                yhi = y",
        "                if f0 < 0.0:",
        "                    if s0 == 0.0:  # the inputs e was stepped with",
        "                        mid = in1",
        "                    else:",
        "                        decays(syn_tau, 0.5 * (s0 + dt), ea)",
        "                        mid = channel_sums(syn, syn_rev, syn_kind, i, ea)",
        "                    frac, yhi = _crossing(YS, (dt - s0) * S, drive, start, mid,",
        "                                          in2, par, lin, frac, e)",
    ]


def _crossing_source(m: int, args: str) -> list[str]:
    """Source of ``_crossing``: Newton's method on the threshold function along the
    exact trajectory y(σ) = expm(M σ) y0 of the free interval (dy/dσ = M y, the
    threshold's derivative along it by central differences), kept within the
    bracket [0, 1] of the fraction, from the linear guess until a step is 1e-13;
    with conductance input (not linear) the guess stays."""
    ys = ", ".join(f"y[{k}]" for k in range(m))
    return [
        f"def _crossing({args}, hs, drive, a, b, c, par, lin, frac, end):",
        "    linear, I0, u1, u2 = _input(hs, drive, a, b, c)",
        "    if not linear:",
        "        return frac, end",
        "    M = lin[0]",
        "    n = M.shape[0]",
        "    y0 = np.empty(n)",
        *[f"    y0[{k}] = x{k}" for k in range(m)],
        f"    y0[{m}], y0[{m + 1}], y0[{m + 2}] = I0, u1, u2",
        f"    y0[{m + 3}] = 1.0",
        "    lo, hi = 0.0, 1.0",
        "    y = y0.copy()",
        "    for _ in range(30):  # y is the state at frac after each pass",
        "        P = expm(M, frac * hs)",
        "        for r in range(n):",
        "            acc = 0.0",
        "            for k in range(n):",
        "                acc += P[r, k] * y0[k]",
        "            y[r] = acc",
        f"        f = _over({ys}, par)",
        "        if f < 0.0:",
        "            lo = frac",
        "        else:",
        "            hi = frac",
        "        d = np.zeros(n)",
        "        scale = 0.0",
        f"        for r in range({m}):",
        "            for k in range(n):",
        "                d[r] += M[r, k] * y[k] * hs",
        "            scale = max(scale, abs(d[r]), abs(y[r]))",
        "        eps = 1e-6 * scale / max(1e-300, max(np.abs(d[:" + str(m) + "])))",
        "        up = _over(" + ", ".join(f"y[{k}] + eps * d[{k}]" for k in range(m))
        + ", par)",
        "        down = _over(" + ", ".join(f"y[{k}] - eps * d[{k}]" for k in range(m))
        + ", par)",
        "        slope = (up - down) / (2.0 * eps)",
        "        guess = frac - f / slope if slope > 0.0 else 0.5 * (lo + hi)",
        "        if not lo <= guess <= hi:",
        "            guess = 0.5 * (lo + hi)",
        "        if abs(guess - frac) <= 1e-13:",
        "            break",
        "        if _ < 29:",
        "            frac = guess",
        f"    return frac, ({''.join(f'y[{k}], ' for k in range(m))})",
        "",
    ]


def _compile(source: str):
    """The group step of generated ``source``, compiled."""
    namespace = {"np": np, "math": math, "decays": decays,
                 "channel_sums": channel_sums, "delta_jump": delta_jump,
                 "decay_channels": decay_channels, "stage_inputs": stage_inputs,
                 "step_decays": step_decays, "expm": expm, "propagator": propagator}
    exec(compile(source, "<equation neuron>", "exec"), namespace)  # our own source
    # called, not inlined: once per step and once per spike (compiles 2 s faster)
    called = ("_linear", "_crossing")
    for name in ("_rhs", "_rk4", "_euler", "_input", "_sub", "_linear", "_crossing",
                 "_over", "_reset"):
        if name in namespace:
            namespace[name] = njit(inline="never" if name in called else "always",
                                   error_model="numpy")(namespace[name])
    return njit(GROUP_STEP_SIGNATURE, error_model="numpy")(namespace["step"])
