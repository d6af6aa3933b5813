"""An independent Hodgkin–Huxley reference: the textbook equations in plain Python,
integrated by scipy's DOP853 at rtol = atol = 1e-12 with threshold events."""

import math
from functools import lru_cache

import numpy as np
from scipy.integrate import solve_ivp


def _ratio(x, scale):
    """scale * x / (1 - exp(-x / 10)) with its limit 10 * scale at x = 0."""
    return 10.0 * scale if x == 0.0 else scale * x / -math.expm1(-x / 10.0)


def rates(v):
    return (_ratio(v + 40.0, 0.1), 4.0 * math.exp(-(v + 65.0) / 18.0),
            0.07 * math.exp(-(v + 65.0) / 20.0), 1.0 / (1.0 + math.exp(-(v + 35.0) / 10.0)),
            _ratio(v + 55.0, 0.01), 0.125 * math.exp(-(v + 65.0) / 80.0))


def rhs(t, y, current):
    v, m, h, n = y
    a_m, b_m, a_h, b_h, a_n, b_n = rates(v)
    i_ion = 120.0 * m ** 3 * h * (v - 50.0) + 36.0 * n ** 4 * (v + 77.0) \
        + 0.3 * (v + 54.387)
    return [current - i_ion, a_m * (1 - m) - b_m * m, a_h * (1 - h) - b_h * h,
            a_n * (1 - n) - b_n * n]


def resting_state(v=-65.0):
    a_m, b_m, a_h, b_h, a_n, b_n = rates(v)
    return [v, a_m / (a_m + b_m), a_h / (a_h + b_h), a_n / (a_n + b_n)]


@lru_cache(maxsize=8)
def spike_times_ms(current: float, t_stop_ms: float) -> np.ndarray:
    """Upward crossings of 0 mV, located by DOP853's event finder."""
    def crossing(t, y, current):
        return y[0]
    crossing.direction = 1
    sol = solve_ivp(rhs, (0.0, t_stop_ms), resting_state(), method="DOP853",
                    rtol=1e-12, atol=1e-12, args=(current,), events=crossing)
    return sol.t_events[0]
