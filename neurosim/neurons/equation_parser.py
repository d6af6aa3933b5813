"""Neuron models written as text: parsed with Python's ``ast`` and checked, never
evaluated.

The text is one ``dX/dt = expression`` per line (``#`` starts a comment), with an
optional unit after a colon, as in Brian2: ``dv/dt = (E_L - v + R*I)/tau_m : mV``.
Expressions may use numbers, ``+ - * / **``, parentheses, the state variables,
the named parameters, the input ``I`` (the external current plus the synaptic
channels, in the model's current units) and the functions of ``FUNCTIONS``;
anything else — attributes, subscripts, comparisons, other calls, unknown names —
is an error naming the line and the symbol. The threshold is one comparison
(``v >= V_peak``); the reset is statements ``X = e``, ``X += e``, ``X -= e`` or
``X *= e`` on state variables, separated by ``;`` or new lines.

With units (every state, every parameter and the current have one), each term of
a sum must agree in dimension and scale, a derivative must have its variable's
unit per time unit, a function's argument must be dimensionless, and a reset
must keep its variable's unit (``equation_units``). A bare number is
dimensionless, except 0, which fits any unit: give other constants with units as
parameters.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .equation_units import ONE, Unit, _number, parse_unit

#: The functions an expression may call, and what they compile to.
FUNCTIONS = {"exp": "math.exp", "expm1": "math.expm1", "log": "math.log",
             "log1p": "math.log1p", "sqrt": "math.sqrt", "tanh": "math.tanh",
             "sinh": "math.sinh", "cosh": "math.cosh", "sin": "math.sin",
             "cos": "math.cos", "abs": "abs", "min": "min", "max": "max"}
#: The reserved name of the input current.
INPUT = "I"
_DERIVATIVE = re.compile(r"^d\s*([A-Za-z_]\w*)\s*/\s*dt\s*=\s*(.+)$")
_COMPARISONS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}
_AUGMENTED = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*="}


@dataclass(frozen=True)
class ParsedModel:
    """A checked model: states (the potential first) with their derivative
    expressions, the threshold ``lhs op rhs`` and the resets ``(state, op,
    expression)``, all as ``ast`` nodes of the whitelisted kinds."""

    states: tuple
    derivatives: tuple
    state_units: tuple
    threshold: tuple
    resets: tuple


def parse_model(equations: str, threshold: str, reset: str, parameters,
                units: dict | None) -> ParsedModel:
    """Parse and check a model. ``parameters``: the parameter names; ``units``:
    name -> unit text for every parameter, ``I`` and ``t`` (the time unit), or None
    for a model without units (then no ``: unit`` may appear)."""
    if not isinstance(equations, str):
        raise TypeError(f"equations must be a string of 'dX/dt = ...' lines, got "
                        f"{type(equations).__name__}")
    states, exprs, state_units, lines = [], [], [], []
    for number, raw in enumerate(equations.splitlines(), 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        where = f"equations line {number} ({text!r})"
        match = _DERIVATIVE.match(text)
        if match is None:
            raise ValueError(f"{where}: expected 'dX/dt = expression' (an optional "
                             "': unit' after it)")
        name, rhs = match.group(1), match.group(2)
        unit = None
        if ":" in rhs:
            rhs, unit = (part.strip() for part in rhs.rsplit(":", 1))
        if name in states:
            raise ValueError(f"{where}: a second equation for {name!r}")
        if name in parameters or name in (INPUT, *FUNCTIONS):
            raise ValueError(f"{where}: {name!r} is a parameter, the input or a "
                             "function, not a state variable")
        states.append(name)
        exprs.append(_expression(rhs, where))
        state_units.append(unit)
        lines.append(where)
    if not states:
        raise ValueError("equations: no 'dX/dt = ...' line")
    known = {*states, *parameters, INPUT}
    for expr, where in zip(exprs, lines):
        _check_names(expr, known, where)
    thr = _threshold(threshold, states, known)
    resets = _resets(reset, states, known)
    model = ParsedModel(tuple(states), tuple(exprs), tuple(state_units), thr, resets)
    given = [u for u in state_units if u is not None]
    if units is None and given:
        raise ValueError(f"equations: units are given for {len(given)} state "
                         "variable(s) but not for the parameters and the current; "
                         "give units everywhere or nowhere")
    if units is not None:
        _check_units(model, lines, units)
    return model


def _expression(text: str, where: str) -> ast.expr:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"{where}: not an expression ({exc.msg})") from None
    _check_nodes(tree, where)
    return tree


def _check_nodes(tree, where):
    """Refuse every node outside the arithmetic grammar of the module docstring."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Name, ast.Load)):
            if isinstance(node, ast.BinOp) and not isinstance(
                    node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
                raise ValueError(f"{where}: operator {type(node.op).__name__} is not "
                                 "allowed (only + - * / **)")
            if isinstance(node, ast.UnaryOp) and not isinstance(
                    node.op, (ast.USub, ast.UAdd)):
                raise ValueError(f"{where}: operator {type(node.op).__name__} is not "
                                 "allowed")
            continue
        if isinstance(node, (ast.operator, ast.unaryop)):
            continue
        if isinstance(node, ast.Constant):
            if _number(node) is None:
                raise ValueError(f"{where}: {node.value!r} is not a number")
            continue
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in FUNCTIONS or node.keywords:
                raise ValueError(f"{where}: call of {ast.unparse(node.func)!r} is not "
                                 f"allowed; functions: {', '.join(FUNCTIONS)}")
            arity = 2 if name in ("min", "max") else 1
            if len(node.args) != arity:
                raise ValueError(f"{where}: {name} takes {arity} argument(s), got "
                                 f"{len(node.args)}")
            continue
        raise ValueError(f"{where}: {ast.unparse(node)!r} ({type(node).__name__}) is "
                         "not allowed in an expression")


def _names(tree):
    """The variable and parameter names an expression reads (not function names)."""
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
            and id(n) not in calls]


def _check_names(tree, known, where):
    for name in _names(tree):
        if name not in known:
            raise ValueError(f"{where}: unknown name {name!r}; known: "
                             f"{', '.join(sorted(known))}")


def _threshold(text, states, known) -> tuple:
    where = f"threshold ({text!r})"
    if not isinstance(text, str):
        raise TypeError(f"threshold must be a string such as 'v >= V_th', got "
                        f"{type(text).__name__}")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"{where}: not a comparison ({exc.msg})") from None
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1
            and type(tree.ops[0]) in _COMPARISONS):
        raise ValueError(f"{where}: expected one comparison with >, >=, < or <=, "
                         "such as 'v >= V_th'")
    lhs, rhs = tree.left, tree.comparators[0]
    for side in (lhs, rhs):
        _check_nodes(side, where)
        _check_names(side, known, where)
    if not any(name in states for name in _names(lhs) + _names(rhs)):
        raise ValueError(f"{where}: the condition reads no state variable")
    return lhs, _COMPARISONS[type(tree.ops[0])], rhs


def _resets(text, states, known) -> tuple:
    if not isinstance(text, str):
        raise TypeError(f"reset must be a string such as 'v = V_r; w += b', got "
                        f"{type(text).__name__}")
    out = []
    for number, part in enumerate(re.split(r"[;\n]", text), 1):
        part = part.split("#", 1)[0].strip()
        if not part:
            continue
        where = f"reset statement {number} ({part!r})"
        try:
            tree = ast.parse(part).body
        except SyntaxError as exc:
            raise ValueError(f"{where}: not a statement X = e or X += e ({exc.msg})"
                             ) from None
        node = tree[0] if len(tree) == 1 else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, op, value = node.targets[0], "=", node.value
        elif isinstance(node, ast.AugAssign) and type(node.op) in _AUGMENTED:
            target, op, value = node.target, _AUGMENTED[type(node.op)], node.value
        else:
            raise ValueError(f"{where}: expected X = e, X += e, X -= e or X *= e")
        if not isinstance(target, ast.Name) or target.id not in states:
            raise ValueError(f"{where}: {ast.unparse(target)!r} is not a state variable "
                             f"({', '.join(states)}): a reset sets state variables")
        _check_nodes(value, where)
        _check_names(value, known, where)
        out.append((target.id, op, value))
    return tuple(out)


# -- units ------------------------------------------------------------------------------
def _check_units(model: ParsedModel, lines, units: dict):
    table = {}
    for name, text in units.items():
        table[name] = parse_unit(text, f"unit of {name!r}")
    for name, unit, where in zip(model.states, model.state_units, lines):
        if unit is None:
            raise ValueError(f"{where}: no unit (': unit' after the expression); "
                             "with units, every state variable needs one")
        table[name] = parse_unit(unit, where)
    time = table.pop("t")
    for name, expr, where in zip(model.states, model.derivatives, lines):
        got = _unit(expr, table, where)
        want = table[name] / time
        if got is not None and not got.same(want):
            raise ValueError(f"{where}: inconsistent units: d{name}/dt must be in "
                             f"{table[name]}/{time} ({want}), the expression is in "
                             f"{got}")
    lhs, op, rhs = model.threshold
    where = f"threshold ({ast.unparse(lhs)} {op} {ast.unparse(rhs)})"
    left, right = _unit(lhs, table, where), _unit(rhs, table, where)
    if left is not None and right is not None and not left.same(right):
        raise ValueError(f"{where}: inconsistent units: {left} {op} {right}")
    for name, op, value in model.resets:
        where = f"reset {name} {op} {ast.unparse(value)}"
        got = _unit(value, table, where)
        want = ONE if op == "*=" else table[name]
        if got is not None and not got.same(want):
            raise ValueError(f"{where}: inconsistent units: {name} is in "
                             f"{table[name]}, the value in {got}"
                             + (" (a factor must be dimensionless)" if op == "*="
                                else ""))


def _unit(node, table, where) -> Unit:
    """The unit of an expression; ValueError at the first disagreement."""
    if isinstance(node, ast.Constant):  # a bare number is dimensionless; 0 fits any
        return None if node.value == 0 else ONE
    if isinstance(node, ast.Name):
        return table[node.id]
    if isinstance(node, ast.UnaryOp):
        return _unit(node.operand, table, where)
    if isinstance(node, ast.Call):
        name = node.func.id
        args = [_unit(a, table, where) for a in node.args]
        if name in ("min", "max", "abs"):
            return _agree(args, node, where)
        if name == "sqrt":
            return None if args[0] is None else args[0] ** 0.5
        if args[0] is not None and not args[0].dimensionless:
            raise ValueError(f"{where}: inconsistent units: {name}() needs a "
                             f"dimensionless argument, {ast.unparse(node.args[0])!r} "
                             f"is in {args[0]}")
        return ONE
    left, right = _unit(node.left, table, where), _unit(node.right, table, where)
    if isinstance(node.op, (ast.Add, ast.Sub)):
        return _agree([left, right], node, where)
    if isinstance(node.op, ast.Pow):
        power = _number(node.right)
        if left is None or left.dimensionless:
            return left
        if power is None:
            raise ValueError(f"{where}: {ast.unparse(node)!r}: a quantity with units "
                             "may only be raised to a number")
        return left ** power
    if left is None or right is None:
        return right if left is None and isinstance(node.op, ast.Mult) else (
            left if right is None else ONE / right)
    return left * right if isinstance(node.op, ast.Mult) else left / right


def _agree(units, node, where):
    """The common unit of terms that are added, or compared."""
    known = [u for u in units if u is not None]
    for other in known[1:]:
        if not other.same(known[0]):
            raise ValueError(f"{where}: inconsistent units in {ast.unparse(node)!r}: "
                             f"{known[0]} and {other}")
    return known[0] if known else None
