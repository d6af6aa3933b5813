"""Physical units for equation-written neurons: parsing unit names such as
``mV/ms`` or ``1/ms`` and checking that an expression's terms agree.

A ``Unit`` is a scale and the exponents of the SI base dimensions (m, kg, s, A):
``mV`` is (1e-3, (2, 1, −3, −1)). Sums need the same dimensions *and* scale (mV
and V do not add: the equations would need a factor the text does not show);
products and quotients combine both; functions such as exp take a dimensionless
argument of scale 1.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

_PREFIXES = {"": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "k": 1e3,
             "M": 1e6, "G": 1e9}  # in the order units are named in messages
#: SI exponents of (m, kg, s, A) of the named units.
_BASE = {"V": (2, 1, -3, -1), "A": (0, 0, 0, 1), "S": (-2, -1, 3, 2),
         "F": (-2, -1, 4, 2), "Ohm": (2, 1, -3, -2), "s": (0, 0, 1, 0),
         "Hz": (0, 0, -1, 0), "C": (0, 0, 1, 1), "W": (2, 1, -3, 0)}
_NAMES = {p + b: (scale, dims) for b, dims in _BASE.items()
          for p, scale in _PREFIXES.items()}
_NAMES["1"] = (1.0, (0, 0, 0, 0))


@dataclass(frozen=True)
class Unit:
    """scale × m^d0 kg^d1 s^d2 A^d3."""

    scale: float
    dims: tuple

    def __mul__(self, other: "Unit") -> "Unit":
        return Unit(self.scale * other.scale,
                    tuple(a + b for a, b in zip(self.dims, other.dims)))

    def __truediv__(self, other: "Unit") -> "Unit":
        return Unit(self.scale / other.scale,
                    tuple(a - b for a, b in zip(self.dims, other.dims)))

    def __pow__(self, k: float) -> "Unit":
        return Unit(self.scale ** k, tuple(a * k for a in self.dims))

    def same(self, other: "Unit") -> bool:
        """Same dimensions and scale (to rounding)."""
        return (self.dims == other.dims
                and math.isclose(self.scale, other.scale, rel_tol=1e-9))

    @property
    def dimensionless(self) -> bool:
        return self.same(ONE)

    def __str__(self) -> str:
        for name, (scale, dims) in _NAMES.items():
            if self.same(Unit(scale, dims)):
                return name
        for name, (scale, dims) in _NAMES.items():  # a quotient of two names
            for under, (scale2, dims2) in _NAMES.items():
                if under != "1" and scale2 <= 1.0 and self.same(
                        Unit(scale, dims) / Unit(scale2, dims2)):
                    return f"{name}/{under}"
        names = ("m", "kg", "s", "A")
        dims = " ".join(f"{n}^{d:g}" for n, d in zip(names, self.dims) if d)
        return f"{self.scale:g} {dims}".strip()


ONE = Unit(1.0, (0, 0, 0, 0))


def parse_unit(text: str, where: str) -> Unit:
    """``text`` (e.g. ``"mV"``, ``"mV/ms"``, ``"1/ms"``, ``"nS*mV"``, ``"ms**-1"``)
    as a Unit; ValueError naming ``where`` and the offending part otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: unit {text!r}: expected a unit such as 'mV', "
                         "'mV/ms' or '1'")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ValueError(f"{where}: unit {text!r} is not a product of units such as "
                         "'nS*mV' or 'mV/ms'") from None
    return _unit_of(tree, text, where)


def _unit_of(node, text, where) -> Unit:
    if isinstance(node, ast.Name):
        if node.id not in _NAMES:
            raise ValueError(f"{where}: unit {text!r}: unknown unit {node.id!r}; known "
                             f"units are {', '.join(_BASE)} with prefixes "
                             f"{', '.join(p for p in _PREFIXES if p)}, and 1")
        return Unit(*_NAMES[node.id])
    if isinstance(node, ast.Constant) and node.value == 1:
        return ONE
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        left = _unit_of(node.left, text, where)
        right = _unit_of(node.right, text, where)
        return left * right if isinstance(node.op, ast.Mult) else left / right
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        power = _number(node.right)
        if power is not None:
            return _unit_of(node.left, text, where) ** power
    raise ValueError(f"{where}: unit {text!r}: expected unit names joined by *, / "
                     "and ** (a number)")


def _number(node):
    """The value of a numeric literal (possibly negated), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _number(node.operand)
        return None if value is None else -value
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return float(node.value)
    return None
