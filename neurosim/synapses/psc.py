"""Post-synaptic current (PSC) filters and the weighted input they make.

A PSC of order ``n`` and time constant ``tau`` has the unit-area impulse response

    h(t) = t^n exp(-t/tau) / (n! tau^(n+1))   for t >= 0,   0 for t < 0,

the (n+1)-fold convolution of the exponential (1/tau) exp(-t/tau) with itself. It is
therefore the output of a cascade of n+1 identical first-order sections
``tau ds_j/dt = -s_j + s_(j-1)`` (``s_(-1)`` the input), and every filter here works on
that cascade:

* ``PSC.filter(x, dt, method="exact")`` filters a signal sampled every ``dt`` with
  the impulse-invariant discretisation: the output equals the convolution of the input
  with h sampled on the same grid, ``y[k] = sum_j h((k - j) dt) x[j] dt``, computed
  recursively in O(T) as a short FIR numerator followed by n+1 one-pole sections.
* ``PSC.filter(x, dt, method="euler")`` applies forward Euler to the same cascade (for
  n = 0 the update of the course notes, ``s_k = s_(k-1) (1 - dt/tau) + x_k dt/tau``).
* ``filter_spikes`` filters spike trains given as events, exactly at any spike time,
  by propagating the cascade state in closed form between events and samples.
* ``weighted_input`` forms the currents ``z = W s + b`` of a post-synaptic population.

Each compiled kernel has a plain-numpy twin (``*_numpy``); ``tests/test_synapses.py``
holds the two equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange
from scipy.special import gammaln

from ..validation import _show, as_array, as_choice, as_float, as_int

METHODS = ("exact", "euler")


@dataclass(frozen=True)
class PSC:
    """A post-synaptic current filter ``h(t) = t^n e^(-t/tau) / (n! tau^(n+1))``.

    Parameters
    ----------
    tau : float, s
        Synaptic time constant, finite and > 0.
    n : int, optional
        Order, >= 0: 0 is the exponential PSC, 1 the alpha function. The peak of
        ``h`` lies at ``t = n tau``.
    """

    tau: float
    n: int = 0

    def __post_init__(self):
        object.__setattr__(self, "tau", as_float("tau", self.tau, positive=True))
        object.__setattr__(self, "n", as_int("n", self.n, minimum=0))

    def impulse_response(self, t) -> np.ndarray:
        """The impulse response ``h(t)``, evaluated in logs so large ``n`` or ``t``
        neither overflow nor produce NaN.

        Parameters
        ----------
        t : array_like, any shape, s
            Times (finite).

        Returns
        -------
        h : ndarray, shape of ``t``, 1/s
            ``h(t)``; 0 for ``t < 0``. At ``t = 0`` it is ``1/tau`` for n = 0 and 0
            otherwise.
        """
        t = as_array("t", t).reshape(np.shape(t))
        r = t / self.tau
        positive = r > 0
        safe = np.where(positive, r, 1.0)
        log_h = self.n * np.log(safe) - safe - gammaln(self.n + 1) - math.log(self.tau)
        h = np.where(positive, np.exp(log_h), 0.0)
        if self.n == 0:
            h = np.where(r == 0, 1.0 / self.tau, h)
        return h

    def state_space(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Continuous-time state-space form ``ds/dt = A s + B x``, ``y = C s``.

        The state is the cascade ``s_j`` (j = 0..n), ``s_j`` the input filtered by
        ``t^j e^(-t/tau) / (j! tau^(j+1))``; the output is ``s_n``.

        Returns
        -------
        A : ndarray, shape (n+1, n+1), 1/s
            ``-1/tau`` on the diagonal, ``1/tau`` on the first sub-diagonal.
        B : ndarray, shape (n+1,), 1/s
            ``1/tau`` in the first entry, 0 elsewhere.
        C : ndarray, shape (n+1,), 1
            1 in the last entry, 0 elsewhere.
        """
        m = self.n + 1
        A = (np.eye(m, k=-1) - np.eye(m)) / self.tau
        B = np.zeros(m)
        B[0] = 1.0 / self.tau
        C = np.zeros(m)
        C[-1] = 1.0
        return A, B, C

    def transition(self, delta: float) -> np.ndarray:
        """The exact state transition ``exp(A delta)`` over an interval ``delta``.

        Entry ``(j, i)`` is ``(delta/tau)^(j-i) / (j-i)! e^(-delta/tau)`` for
        ``i <= j``, 0 above the diagonal.

        Parameters
        ----------
        delta : float, s
            Interval, >= 0.

        Returns
        -------
        Phi : ndarray, shape (n+1, n+1), 1
            Lower-triangular Toeplitz transition matrix.
        """
        delta = as_float("delta", delta, nonnegative=True)
        coef = _propagation_coefficients(delta / self.tau, self.n)
        m = self.n + 1
        lag = np.arange(m)[:, None] - np.arange(m)[None, :]
        return np.where(lag >= 0, coef[np.clip(lag, 0, None)], 0.0)

    def filter(self, x, dt: float, axis: int = 0, method: str = "exact") -> np.ndarray:
        """Filter a signal sampled every ``dt`` along ``axis``.

        A spike on the grid is an impulse of area 1: the value ``1/dt`` in one sample.

        Parameters
        ----------
        x : array_like, shape (..., T, ...), any unit u
            Input samples (finite), time along ``axis``; the filter starts at rest.
        dt : float, s
            Sampling interval, > 0.
        axis : int, optional
            Axis of ``x`` holding time.
        method : {"exact", "euler"}, optional
            ``"exact"``: the impulse-invariant discretisation, equal to the discrete
            convolution ``y[k] = sum_j h((k-j) dt) x[j] dt``. ``"euler"``: forward
            Euler on the cascade of sections (first-order accurate in ``dt``; stable
            only for ``dt < 2 tau``).

        Returns
        -------
        y : ndarray, shape of ``x``, float64, u
            The filtered signal.
        """
        if np.ndim(x) == 0:
            raise ValueError(f"x must have at least one dimension (time), got the "
                             f"scalar {_show(x)}")
        x = as_array("x", x)
        dt = as_float("dt", dt, positive=True)
        method = as_choice("method", method, METHODS)
        axis = as_int("axis", axis)
        if not -x.ndim <= axis < x.ndim:
            raise ValueError(f"axis must be in [{-x.ndim}, {x.ndim - 1}] for x of "
                             f"shape {x.shape}, got {axis}")
        moved = np.moveaxis(x, axis, 0)
        channels = math.prod(moved.shape[1:])
        samples = np.ascontiguousarray(moved.reshape(moved.shape[0], channels))
        if method == "exact":
            y = exact_cascade(samples, self.numerator(dt), math.exp(-dt / self.tau),
                              self.n)
        else:
            y = euler_cascade(samples, dt / self.tau, self.n)
        return np.moveaxis(y.reshape(moved.shape), 0, axis)

    def numerator(self, dt: float) -> np.ndarray:
        """FIR numerator of the impulse-invariant discretisation.

        The sampled response ``h(k dt) dt = c k^n a^k`` (``a = e^(-dt/tau)``,
        ``c = (dt/tau)^(n+1) / n!``) has the z-transform
        ``c P(a z^-1) / (1 - a z^-1)^(n+1)`` with ``P`` the Eulerian polynomial of
        degree <= n; this returns the coefficients of ``c P(a z^-1)``.

        Parameters
        ----------
        dt : float, s
            Sampling interval, > 0.

        Returns
        -------
        b : ndarray, shape (n+1,), 1
            ``b[m]`` multiplies the input delayed by ``m`` samples.
        """
        dt = as_float("dt", dt, positive=True)
        n = self.n
        r = dt / self.tau
        log_scale = (n + 1) * math.log(r) - math.lgamma(n + 1)
        return np.array([math.exp(math.log(p) + log_scale - m * r) if p else 0.0
                         for m, p in enumerate(eulerian_numerator(n))])


def eulerian_numerator(n: int) -> list[int]:
    """Coefficients ``p_m`` (exact integers) of ``P(w) = (1 - w)^(n+1) sum_k k^n w^k``.

    ``P`` is a polynomial of degree <= n (the Eulerian polynomial; ``P = 1`` for
    n = 0). Its coefficients come from multiplying the first n+1 terms of the series
    by the binomial expansion of ``(1 - w)^(n+1)``; higher terms cancel.

    Parameters
    ----------
    n : int
        Power of ``k``, >= 0.

    Returns
    -------
    p : list of int, length n+1
        ``p[m]`` is the coefficient of ``w^m``.
    """
    n = as_int("n", n, minimum=0)
    series = [k ** n for k in range(n + 1)]  # 0**0 == 1
    binomial = [(-1) ** j * math.comb(n + 1, j) for j in range(n + 2)]
    return [sum(series[k] * binomial[m - k] for k in range(m + 1))
            for m in range(n + 1)]


def _propagation_coefficients(r: float, n: int) -> np.ndarray:
    """``r^m / m! e^(-r)`` for m = 0..n, evaluated in logs (the coefficients the
    compiled ``_propagate`` computes in its first loop)."""
    m = np.arange(n + 1)
    if r == 0.0:
        return (m == 0).astype(np.float64)
    return np.exp(m * math.log(r) - gammaln(m + 1) - r)


# -- compiled kernels and their numpy twins --------------------------------------------

@njit(cache=True)
def exact_cascade(x, b, a, n):
    """Impulse-invariant PSC filter: FIR numerator ``b`` then n+1 one-pole sections
    ``y_i[k] = a y_i[k-1] + y_(i-1)[k]``.

    Parameters
    ----------
    x : ndarray, shape (T, C), float64, u
        Input, time along rows, one channel per column.
    b : ndarray, shape (n+1,), 1
        FIR numerator (``PSC.numerator``).
    a : float, 1
        Pole ``e^(-dt/tau)``.
    n : int
        PSC order.

    Returns
    -------
    y : ndarray, shape (T, C), float64, u
    """
    T, C = x.shape
    y = np.empty((T, C))
    state = np.zeros((n + 1, C))
    for k in range(T):
        for c in range(C):
            v = 0.0
            for m in range(min(k, b.shape[0] - 1) + 1):
                v += b[m] * x[k - m, c]
            for i in range(n + 1):
                v = a * state[i, c] + v
                state[i, c] = v
            y[k, c] = v
    return y


def exact_cascade_numpy(x, b, a, n):
    """Numpy twin of ``exact_cascade`` (same arguments, same arithmetic)."""
    T, C = x.shape
    y = np.empty((T, C))
    state = np.zeros((n + 1, C))
    for k in range(T):
        v = np.zeros(C)
        for m in range(min(k, b.shape[0] - 1) + 1):
            v = v + b[m] * x[k - m]
        for i in range(n + 1):
            v = a * state[i] + v
            state[i] = v
        y[k] = v
    return y


@njit(cache=True)
def euler_cascade(x, r, n):
    """Forward-Euler PSC filter on the cascade ``tau ds_j/dt = -s_j + s_(j-1)``.

    Every section steps from the previous state; the input sample enters the first
    section as ``s_0 += x[k] dt/tau`` (a spike ``x = 1/dt`` adds ``1/tau``).

    Parameters
    ----------
    x : ndarray, shape (T, C), float64, u
        Input, time along rows, one channel per column.
    r : float, 1
        ``dt / tau``.
    n : int
        PSC order.

    Returns
    -------
    y : ndarray, shape (T, C), float64, u
        The last section, ``s_n``.
    """
    T, C = x.shape
    y = np.empty((T, C))
    state = np.zeros((n + 1, C))
    keep = 1.0 - r
    for k in range(T):
        for c in range(C):
            for j in range(n, 0, -1):
                state[j, c] = keep * state[j, c] + r * state[j - 1, c]
            state[0, c] = keep * state[0, c] + r * x[k, c]
            y[k, c] = state[n, c]
    return y


def euler_cascade_numpy(x, r, n):
    """Numpy twin of ``euler_cascade`` (same arguments, same arithmetic)."""
    T, C = x.shape
    y = np.empty((T, C))
    state = np.zeros((n + 1, C))
    keep = 1.0 - r
    for k in range(T):
        state[1:] = keep * state[1:] + r * state[:-1]
        state[0] = keep * state[0] + r * x[k]
        y[k] = state[n]
    return y


@njit(cache=True)
def _propagate(z, coef, delta, tau):
    """Advance the cascade state ``z`` (n+1,) exactly by ``delta`` (s), in place."""
    if delta <= 0.0:
        return
    r = delta / tau
    log_r = math.log(r)
    for m in range(z.shape[0]):
        coef[m] = math.exp(m * log_r - math.lgamma(m + 1.0) - r)
    for j in range(z.shape[0] - 1, -1, -1):
        acc = 0.0
        for i in range(j + 1):
            acc += z[i] * coef[j - i]
        z[j] = acc


@njit(cache=True, parallel=True)
def spike_cascade(times, offsets, t, tau, n):
    """Spike trains (events) filtered by a PSC, sampled at the times ``t``.

    Parameters
    ----------
    times : ndarray, shape (k,), float64, s
        Spike times grouped by neuron, sorted within each neuron.
    offsets : ndarray, shape (N+1,), int64
        Neuron ``i``'s spikes are ``times[offsets[i]:offsets[i+1]]``.
    t : ndarray, shape (T,), float64, s
        Sample times, non-decreasing, T >= 1.
    tau : float, s
        PSC time constant.
    n : int
        PSC order.

    Returns
    -------
    y : ndarray, shape (T, N), float64, 1/s
        ``y[k, i] = sum over neuron i's spikes t_s <= t[k] of h(t[k] - t_s)``.
    """
    N = offsets.shape[0] - 1
    T = t.shape[0]
    y = np.empty((T, N))
    jump = 1.0 / tau
    for neuron in prange(N):
        z = np.zeros(n + 1)
        coef = np.empty(n + 1)
        s = offsets[neuron]
        end = offsets[neuron + 1]
        now = t[0]
        if s < end and times[s] < now:
            now = times[s]
        for k in range(T):
            while s < end and times[s] <= t[k]:
                _propagate(z, coef, times[s] - now, tau)
                z[0] += jump
                now = times[s]
                s += 1
            _propagate(z, coef, t[k] - now, tau)
            now = t[k]
            y[k, neuron] = z[n]
    return y


def spike_cascade_numpy(times, offsets, t, tau, n):
    """Numpy twin of ``spike_cascade`` (same arguments), propagating the state with
    the transition matrix ``PSC(tau, n).transition``."""
    psc = PSC(tau, n)
    N = offsets.shape[0] - 1
    y = np.empty((t.shape[0], N))
    for neuron in range(N):
        spikes = times[offsets[neuron]:offsets[neuron + 1]]
        z = np.zeros(n + 1)
        now = min(t[0], spikes[0]) if spikes.size else t[0]
        s = 0
        for k, tk in enumerate(t):
            while s < spikes.size and spikes[s] <= tk:
                z = psc.transition(spikes[s] - now) @ z
                z[0] += 1.0 / tau
                now = spikes[s]
                s += 1
            z = psc.transition(tk - now) @ z
            now = tk
            y[k, neuron] = z[n]
    return y


# -- public functions on spike trains --------------------------------------------------

def filter_spikes(psc: PSC, times, ids, n_neurons: int, t) -> np.ndarray:
    """Filter spike trains given as events, exactly, sampled at the times ``t``.

    Each spike is a Dirac impulse of area 1 at its exact (off-grid) time, so the result
    is the closed-form sum ``y[k, i] = sum_s h(t[k] - t_s)`` over neuron ``i``'s spikes
    (spikes at ``t[k]`` included; spikes after the last sample ignored).

    Parameters
    ----------
    psc : PSC
        The filter.
    times : array_like, shape (k,), s
        Spike times (finite, any order).
    ids : array_like of int, shape (k,)
        Neuron index of each spike, in ``[0, n_neurons)``.
    n_neurons : int
        Number of neurons (columns of the result), >= 0.
    t : array_like, shape (T,), s
        Sample times, finite and non-decreasing.

    Returns
    -------
    y : ndarray, shape (T, n_neurons), float64, 1/s
        The filtered trains (multiply by a weight to get a current).
    """
    if not isinstance(psc, PSC):
        raise TypeError(f"psc must be a PSC, got {_show(psc)}")
    times = as_array("times", times, ndim=1)
    ids_in = np.asarray(ids)
    if ids_in.size and ids_in.dtype.kind not in "iu":
        raise TypeError(f"ids must be integers, got an array of dtype {ids_in.dtype}")
    ids = as_array("ids", ids_in, ndim=1, dtype=np.int64)
    n_neurons = as_int("n_neurons", n_neurons, minimum=0)
    t = as_array("t", t, ndim=1)
    if times.shape != ids.shape:
        raise ValueError(f"times and ids must have the same length, got {times.size} "
                         f"and {ids.size}")
    if ids.size and (ids.min() < 0 or ids.max() >= n_neurons):
        bad = ids[(ids < 0) | (ids >= n_neurons)][0]
        raise ValueError(f"ids must lie in [0, n_neurons = {n_neurons}), got {bad}")
    if t.size > 1 and np.any(np.diff(t) < 0):
        k = int(np.flatnonzero(np.diff(t) < 0)[0])
        raise ValueError(f"t must be non-decreasing, got t[{k + 1}] = "
                         f"{float(t[k + 1])!r} < t[{k}] = {float(t[k])!r}")
    if t.size == 0:
        return np.zeros((0, n_neurons))
    order = np.lexsort((times, ids))
    offsets = np.searchsorted(ids[order], np.arange(n_neurons + 1)).astype(np.int64)
    return spike_cascade(np.ascontiguousarray(times[order]), offsets, t, psc.tau, psc.n)


def weighted_input(filtered, W, bias=None) -> np.ndarray:
    """Currents ``z = W s + b`` of a post-synaptic population at every time step.

    Parameters
    ----------
    filtered : array_like, shape (T, N), 1/s
        Filtered pre-synaptic spike trains (``filter_spikes`` or ``PSC.filter``).
    W : array_like, shape (M, N), current units × s
        Connection weights, ``W[i, j]`` from pre-synaptic ``j`` to post-synaptic
        ``i``; negative weights are inhibitory.
    bias : array_like, shape (M,), optional, current units
        Constant input of each post-synaptic neuron (0 when omitted).

    Returns
    -------
    z : ndarray, shape (T, M), float64, current units
        ``z[k] = W @ filtered[k] + bias``.
    """
    filtered = as_array("filtered", filtered, ndim=2)
    W = as_array("W", W, ndim=2)
    if W.shape[1] != filtered.shape[1]:
        raise ValueError(f"W must have one column per filtered train "
                         f"({filtered.shape[1]}), got shape {W.shape}")
    z = filtered @ W.T
    if bias is not None:
        bias = as_array("bias", bias, ndim=1)
        if bias.shape[0] != W.shape[0]:
            raise ValueError(f"bias must have one entry per row of W ({W.shape[0]}), "
                             f"got shape {bias.shape}")
        z += bias
    return z
