"""Standard initial-value problems shared by the ODE tests (numba right-hand sides).

Squares are written as products: compiled, ``x ** 2`` is ``x * x``, but the
interpreted ``py_func`` (the twins' right-hand side) calls ``pow`` on numpy scalars,
which differs from ``x * x`` in the last bit for about 1 input in 1000.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def decay(t, y):
    """y' = -y; exact solution y0 exp(-t)."""
    return -y


@njit(cache=True)
def oscillator(t, y):
    """Harmonic oscillator x'' = -x as (x, v); exact (cos t, -sin t) from (1, 0)."""
    out = np.empty(2)
    out[0] = y[1]
    out[1] = -y[0]
    return out


@njit(cache=True)
def van_der_pol(t, y, mu):
    out = np.empty(2)
    out[0] = y[1]
    out[1] = mu * (1.0 - y[0] * y[0]) * y[1] - y[0]
    return out


@njit(cache=True)
def lorenz(t, y):
    out = np.empty(3)
    out[0] = 10.0 * (y[1] - y[0])
    out[1] = y[0] * (28.0 - y[2]) - y[1]
    out[2] = y[0] * y[1] - 8.0 / 3.0 * y[2]
    return out


ARENSTORF_MU = 0.012277471
ARENSTORF_PERIOD = 17.0652165601579625588917206249
ARENSTORF_Y0 = np.array([0.994, 0.0, 0.0, -2.00158510637908252240537862224])


@njit(cache=True)
def arenstorf(t, y):
    """Restricted three-body problem with a periodic (Arenstorf) orbit."""
    mu = ARENSTORF_MU
    mu2 = 1.0 - mu
    d1 = ((y[0] + mu) ** 2 + y[1] ** 2) ** 1.5
    d2 = ((y[0] - mu2) ** 2 + y[1] ** 2) ** 1.5
    out = np.empty(4)
    out[0] = y[2]
    out[1] = y[3]
    out[2] = y[0] + 2.0 * y[3] - mu2 * (y[0] + mu) / d1 - mu * (y[0] - mu2) / d2
    out[3] = y[1] - 2.0 * y[2] - mu2 * y[1] / d1 - mu * y[1] / d2
    return out


@njit(cache=True)
def lif(t, y, drive, tau):
    """Leaky integrator tau v' = J - v."""
    return (drive - y) / tau


@njit(cache=True)
def lif_threshold(t, y, drive, tau):
    return y[0] - 1.0


@njit(cache=True)
def lif_reset(y):
    return np.zeros_like(y)


@njit(cache=True)
def blow_up(t, y):
    """y' = y^2: from y(0) = 1 the solution 1 / (1 - t) leaves to infinity at t = 1."""
    return y * y


def fitted_slope(x, y):
    """Least-squares slope of log(y) against log(x)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
