"""Butcher tableaus of explicit Runge–Kutta methods, held as frozen, validated data."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction as F

import numpy as np

from .trees import continuous_order_residuals, order_residuals

_TOL = 1e-13


def _frozen(rows) -> np.ndarray:
    arr = np.array([[float(x) for x in r] for r in rows]) if np.ndim(rows[0]) \
        else np.array([float(x) for x in rows])
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class ButcherTableau:
    """An explicit Runge–Kutta method.

    Parameters
    ----------
    name : str
        Method name as accepted by ``solve(method=...)``.
    order : int
        Order of the propagated solution.
    A : array (s, s)
        Stage coefficients, strictly lower triangular.
    b : array (s,)
        Weights of the propagated solution.
    c : array (s,)
        Nodes; must equal the row sums of ``A``.
    error : array (s,) or None
        Weights of the local error estimate, ``b - b_hat`` for the embedded method.
    error_order : int or None
        Order of the embedded method; the step controller uses exponent
        ``-1 / (error_order + 1)``.
    fsal : bool
        First same as last: the last stage is ``f(t + h, y_new)`` and is reused as the
        first stage of the next step.
    dense : array (s, q) or None
        Continuous extension: ``y(t + θh) = y + h Σ_i b_i(θ) k_i`` with
        ``b_i(θ) = Σ_j dense[i, j] θ^(j+1)``.
    dense_order : int or None
        Order of the continuous extension.
    """

    name: str
    order: int
    A: np.ndarray
    b: np.ndarray
    c: np.ndarray
    error: np.ndarray | None = None
    error_order: int | None = None
    fsal: bool = False
    dense: np.ndarray | None = None
    dense_order: int | None = None

    def __post_init__(self):
        for field in ("A", "b", "c", "error", "dense"):
            value = getattr(self, field)
            if value is not None:
                arr = np.array(value, dtype=np.float64)
                arr.setflags(write=False)
                object.__setattr__(self, field, arr)
        s = self.stages
        if self.A.shape != (s, s) or self.c.shape != (s,):
            raise ValueError(f"{self.name}: A must be ({s}, {s}) and c ({s},), got "
                             f"{self.A.shape} and {self.c.shape}")
        if np.any(np.triu(self.A) != 0):
            raise ValueError(f"{self.name}: A must be strictly lower triangular "
                             "(explicit method)")
        if not np.allclose(self.A.sum(axis=1), self.c, rtol=0, atol=_TOL):
            raise ValueError(f"{self.name}: row sums of A must equal c")
        residuals = order_residuals(self.A, self.b, self.order)
        if max(residuals.values()) > _TOL:
            raise ValueError(f"{self.name}: order conditions fail up to order "
                             f"{self.order}: {residuals}")
        if (self.error is None) != (self.error_order is None):
            raise ValueError(f"{self.name}: error and error_order go together")
        if self.error is not None:
            if self.error.shape != (s,) or abs(self.error.sum()) > _TOL:
                raise ValueError(f"{self.name}: error weights must have shape ({s},) "
                                 "and sum to 0")
            embedded = order_residuals(self.A, self.b - self.error, self.error_order)
            if max(embedded.values()) > _TOL:
                raise ValueError(f"{self.name}: embedded method is not of order "
                                 f"{self.error_order}: {embedded}")
        if self.fsal and not (self.c[-1] == 1.0 and np.array_equal(self.A[-1], self.b)):
            raise ValueError(f"{self.name}: fsal needs c[-1] = 1 and A[-1] = b")
        if (self.dense is None) != (self.dense_order is None):
            raise ValueError(f"{self.name}: dense and dense_order go together")
        if self.dense is not None:
            if self.dense.shape[0] != s:
                raise ValueError(f"{self.name}: dense must have {s} rows")
            if not np.allclose(self.dense.sum(axis=1), self.b, rtol=0, atol=_TOL):
                raise ValueError(f"{self.name}: dense output at θ = 1 must equal b")
            cont = continuous_order_residuals(self.A, self.dense, self.dense_order)
            if max(cont.values()) > 1e-12:
                raise ValueError(f"{self.name}: continuous extension is not of order "
                                 f"{self.dense_order}: {cont}")

    @property
    def stages(self) -> int:
        """Number of stages s."""
        return self.b.shape[0]

    @property
    def adaptive(self) -> bool:
        """True when the method carries an error estimate for step-size control."""
        return self.error is not None


EULER = ButcherTableau("euler", 1, A=[[0.0]], b=[1.0], c=[0.0])

HEUN = ButcherTableau("heun", 2, A=[[0, 0], [1, 0]], b=[0.5, 0.5], c=[0, 1])

RK4 = ButcherTableau(
    "rk4", 4,
    A=[[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1, 0]],
    b=[1 / 6, 1 / 3, 1 / 3, 1 / 6],
    c=[0, 0.5, 0.5, 1],
)

# Dormand & Prince (1980), RK5(4)7M, with the 4th-order continuous extension
# given by Shampine (1986) / Hairer, Nørsett & Wanner, Solving ODEs I, §II.6.
_DP_A = [
    [0, 0, 0, 0, 0, 0, 0],
    [F(1, 5), 0, 0, 0, 0, 0, 0],
    [F(3, 40), F(9, 40), 0, 0, 0, 0, 0],
    [F(44, 45), F(-56, 15), F(32, 9), 0, 0, 0, 0],
    [F(19372, 6561), F(-25360, 2187), F(64448, 6561), F(-212, 729), 0, 0, 0],
    [F(9017, 3168), F(-355, 33), F(46732, 5247), F(49, 176), F(-5103, 18656), 0, 0],
    [F(35, 384), 0, F(500, 1113), F(125, 192), F(-2187, 6784), F(11, 84), 0],
]
_DP_B = _DP_A[-1]
_DP_B_HAT = [F(5179, 57600), 0, F(7571, 16695), F(393, 640), F(-92097, 339200),
             F(187, 2100), F(1, 40)]
_DP_DENSE = [
    [1, F(-8048581381, 2820520608), F(8663915743, 2820520608),
     F(-12715105075, 11282082432)],
    [0, 0, 0, 0],
    [0, F(131558114200, 32700410799), F(-68118460800, 10900136933),
     F(87487479700, 32700410799)],
    [0, F(-1754552775, 470086768), F(14199869525, 1410260304),
     F(-10690763975, 1880347072)],
    [0, F(127303824393, 49829197408), F(-318862633887, 49829197408),
     F(701980252875, 199316789632)],
    [0, F(-282668133, 205662961), F(2019193451, 616988883),
     F(-1453857185, 822651844)],
    [0, F(40617522, 29380423), F(-110615467, 29380423), F(69997945, 29380423)],
]

DOPRI5 = ButcherTableau(
    "rk45", 5,
    A=_frozen(_DP_A),
    b=_frozen(_DP_B),
    c=[0, 0.2, 0.3, 0.8, 8 / 9, 1, 1],
    error=_frozen([bi - bh for bi, bh in zip(_DP_B, _DP_B_HAT)]),
    error_order=4,
    fsal=True,
    dense=_frozen(_DP_DENSE),
    dense_order=4,
)

METHODS = {"euler": EULER, "heun": HEUN, "rk4": RK4, "rk45": DOPRI5, "dopri5": DOPRI5}
