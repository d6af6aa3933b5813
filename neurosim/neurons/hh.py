"""The Hodgkin–Huxley squid-axon model.

    C dV/dt = I − g_Na m³h (V − E_Na) − g_K n⁴ (V − E_K) − g_L (V − E_L)
    dx/dt   = α_x(V) (1 − x) − β_x(V) x          for x in m, h, n

with the standard rate functions (V in mV, rates in 1/ms)::

    α_m = 0.1 (V + 40) / (1 − exp(−(V + 40)/10))    β_m = 4 exp(−(V + 65)/18)
    α_h = 0.07 exp(−(V + 65)/20)                     β_h = 1 / (1 + exp(−(V + 35)/10))
    α_n = 0.01 (V + 55) / (1 − exp(−(V + 55)/10))   β_n = 0.125 exp(−(V + 65)/80)

The model keeps its textbook units (mV, ms, µA/cm², mS/cm², µF/cm²) inside; the API
takes time in seconds. α_m and α_n have removable singularities at V = −40 and −55 mV
(0/0); they are evaluated through u / (1 − e^(−u)) with its series near u = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from ..validation import as_float
from ..vecmath import vexp
from .base import NeuronType
from .rate_table import TabulatedRates

_EXP_MINUS_HALF = math.exp(-0.5)
_EXP_MINUS_TWO = math.exp(-2.0)
_SERIES_BELOW = 0.05


@dataclass(frozen=True)
class HodgkinHuxley(TabulatedRates, NeuronType):
    """Hodgkin–Huxley neuron with the classic squid-axon parameters.

    Parameters
    ----------
    C : float, µF/cm²
        Membrane capacitance (> 0).
    g_Na, g_K, g_L : float, mS/cm²
        Maximal sodium, potassium and leak conductances (>= 0).
    E_Na, E_K, E_L : float, mV
        Reversal potentials.
    V0 : float, mV
        Initial membrane potential; the gates start at their steady state there.
    threshold : float, mV
        Spikes are upward crossings of this potential.
    """

    C: float = 1.0
    g_Na: float = 120.0
    g_K: float = 36.0
    g_L: float = 0.3
    E_Na: float = 50.0
    E_K: float = -77.0
    E_L: float = -54.387
    V0: float = -65.0
    threshold: float = 0.0

    state_names: ClassVar[tuple[str, ...]] = ("v", "m", "h", "n")
    state_units: ClassVar[dict[str, str]] = {"v": "mV", "m": "1", "h": "1", "n": "1",
                                             "current": "uA/cm^2"}
    spiking: ClassVar[bool] = True
    methods: ClassVar[tuple[str, ...]] = ("exp_euler", "rk4", "euler", "rk45")
    default_dt: ClassVar[float] = 1e-5
    #: The rate table (``TabulatedRates``): 0..100 µA/cm² every 0.05.
    table_range = (100.0, 0.05)

    def __post_init__(self):
        object.__setattr__(self, "C", as_float("C (capacitance, uF/cm^2)", self.C,
                                               positive=True))
        for name in ("g_Na", "g_K", "g_L"):
            object.__setattr__(self, name, as_float(f"{name} (conductance, mS/cm^2)",
                                                    getattr(self, name),
                                                    nonnegative=True))
        for name in ("E_Na", "E_K", "E_L", "V0", "threshold"):
            object.__setattr__(self, name, as_float(f"{name} (mV)", getattr(self, name)))

    def packed(self) -> np.ndarray:
        """Parameters as the kernels take them: [C, g_Na, g_K, g_L, E_Na, E_K, E_L,
        threshold]."""
        return np.array([self.C, self.g_Na, self.g_K, self.g_L, self.E_Na, self.E_K,
                         self.E_L, self.threshold])

    def initial_state(self, n: int) -> dict[str, np.ndarray]:
        a_m, b_m, a_h, b_h, a_n, b_n = rates_numpy(np.array(self.V0))
        return {"v": np.full(n, self.V0), "m": np.full(n, a_m / (a_m + b_m)),
                "h": np.full(n, a_h / (a_h + b_h)), "n": np.full(n, a_n / (a_n + b_n))}


@njit(inline="always", cache=True, error_model="numpy")
def _u_over_one_minus_exp(u, exp_minus_u):
    """u / (1 − e^(−u)) given e^(−u); its Bernoulli series where |u| is small."""
    u2 = u * u
    series = 1.0 + 0.5 * u + u2 * (1.0 / 12.0 - u2 * (1.0 / 720.0 - u2 / 30240.0))
    near = abs(u) < _SERIES_BELOW
    direct = u / (1.0 if near else 1.0 - exp_minus_u)  # never divides by zero
    return series if near else direct


@njit(inline="always", cache=True, error_model="numpy")
def rates(v):
    """(α_m, β_m, α_h, β_h, α_n, β_n) in 1/ms at ``v`` (mV), from two exponentials.

    exp(−(V+40)/10) and exp(−(V+55)/10) are exp(−(V+35)/10) times constants;
    exp(−(V+65)/k) for k = 18, 20, 80 are powers of exp(−(V+65)/720).
    """
    e35 = vexp(-(v + 35.0) * 0.1)
    a_m = _u_over_one_minus_exp((v + 40.0) * 0.1, e35 * _EXP_MINUS_HALF)
    a_n = 0.1 * _u_over_one_minus_exp((v + 55.0) * 0.1, e35 * _EXP_MINUS_TWO)
    b_h = 1.0 / (1.0 + e35)
    w = vexp(-(v + 65.0) * (1.0 / 720.0))
    w2 = w * w
    w4 = w2 * w2
    w9 = w4 * w4 * w
    w18 = w9 * w9
    w36 = w18 * w18
    return a_m, 4.0 * w36 * w4, 0.07 * w36, b_h, a_n, 0.125 * w9


def rates_numpy(v):
    """Plain-numpy twin of ``rates``: each rate from its own formula (``expm1``
    for the singular ones, with their limits at the singular points)."""
    v = np.asarray(v, dtype=np.float64)
    x_m = -(v + 40.0) / 10.0
    x_n = -(v + 55.0) / 10.0
    with np.errstate(invalid="ignore", divide="ignore"):
        a_m = np.where(x_m == 0.0, 1.0, 0.1 * (v + 40.0) / -np.expm1(x_m))
        a_n = np.where(x_n == 0.0, 0.1, 0.01 * (v + 55.0) / -np.expm1(x_n))
    b_m = 4.0 * np.exp(-(v + 65.0) / 18.0)
    a_h = 0.07 * np.exp(-(v + 65.0) / 20.0)
    b_h = 1.0 / (1.0 + np.exp(-(v + 35.0) / 10.0))
    b_n = 0.125 * np.exp(-(v + 65.0) / 80.0)
    return a_m, b_m, a_h, b_h, a_n, b_n


@njit(inline="always", cache=True, error_model="numpy")
def derivatives(v, m, h, n, current, par):
    """(dV/dt, dm/dt, dh/dt, dn/dt) in mV/ms and 1/ms; ``par`` as ``packed()``."""
    a_m, b_m, a_h, b_h, a_n, b_n = rates(v)
    n2 = n * n
    i_ion = (par[1] * m * m * m * h * (v - par[4]) + par[2] * n2 * n2 * (v - par[5])
             + par[3] * (v - par[6]))
    return ((current - i_ion) / par[0], a_m * (1.0 - m) - b_m * m,
            a_h * (1.0 - h) - b_h * h, a_n * (1.0 - n) - b_n * n)
