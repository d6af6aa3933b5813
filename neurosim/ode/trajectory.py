"""What ``solve`` and ``solve_batch`` return: the solution, counters and dense output."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MESSAGES = {
    0: "The solver reached the end of the integration interval.",
    1: "A terminal event occurred.",
    -1: "The state went non-finite.",
    -2: "The step size fell below the smallest allowed step.",
}


class DenseOutput:
    """Piecewise polynomial through the accepted steps: ``y(t)`` anywhere in the span.

    Step ``i`` covers ``(t_i, t_i + h_i]`` (the first also covers its start) and holds
    ``y(t_i + θ h_i) = y_i + Σ_j θ^j C_i[j-1]``. At an event with a reset the state
    jumps; the value at the event time is the one before the reset.

    Parameters
    ----------
    t_start : array (k,)
        Start of each step.
    h : array (k,)
        Step sizes.
    y_start : array (k, n)
        State at each step's start.
    coeffs : array (k, 4, n)
        Polynomial coefficients per step.
    t_final : float
        End of the last step (it may be shorter than ``h`` after an event).
    """

    def __init__(self, t_start, h, y_start, coeffs, t_final):
        self.t_start = t_start
        self.h = h
        self.y_start = y_start
        self.coeffs = coeffs
        self.t_final = float(t_final)

    def __call__(self, t):
        """State at time(s) ``t``: shape (n,) for a scalar, (len(t), n) for an array."""
        t_arr = np.asarray(t, dtype=np.float64)
        flat = np.atleast_1d(t_arr)
        if self.t_start.size == 0:
            raise ValueError("the trajectory has no steps to interpolate")
        lo, hi = self.t_start[0], self.t_final
        if np.any(~np.isfinite(flat)) or np.any(flat < lo) or np.any(flat > hi):
            raise ValueError(f"t must lie within the integrated span [{lo}, {hi}], got "
                             f"values in [{flat.min()}, {flat.max()}]")
        idx = np.clip(np.searchsorted(self.t_start, flat, side="left") - 1, 0,
                      self.t_start.size - 1)
        theta = ((flat - self.t_start[idx]) / self.h[idx])[:, None]
        C = self.coeffs[idx]
        y = self.y_start[idx] + theta * (C[:, 0] + theta * (C[:, 1] + theta * (
            C[:, 2] + theta * C[:, 3])))
        return y[0] if t_arr.ndim == 0 else y


@dataclass
class Trajectory:
    """Solution of one initial-value problem.

    Attributes
    ----------
    t : array (T,)
        Output times: ``t_eval`` if given, else every accepted step (an event with a
        reset appears twice, before and after the reset).
    y : array (T, n)
        State at ``t``; note the layout is time-major, unlike scipy's ``(n, T)``.
    nfev, nsteps, nrejected : int
        Right-hand-side evaluations, accepted steps, rejected steps.
    t_events : list of arrays
        Times of each event's occurrences, one array per event.
    y_events : list of arrays (k_i, n)
        State at each occurrence, before any reset.
    status : int
        0 reached ``t_span[1]``, 1 stopped by a terminal event, < 0 failed.
    message : str
    method : str
    dense : DenseOutput or None
        Present with ``dense_output=True``; ``trajectory(t)`` evaluates it.
    """

    t: np.ndarray
    y: np.ndarray
    nfev: int
    nsteps: int
    nrejected: int
    t_events: list = field(default_factory=list)
    y_events: list = field(default_factory=list)
    status: int = 0
    message: str = MESSAGES[0]
    method: str = ""
    dense: DenseOutput | None = None

    @property
    def success(self) -> bool:
        """True unless integration failed."""
        return self.status >= 0

    def __call__(self, t):
        """Dense output at time(s) ``t`` (needs ``dense_output=True``)."""
        if self.dense is None:
            raise ValueError("this trajectory has no dense output; call solve(..., "
                             "dense_output=True)")
        return self.dense(t)


@dataclass
class BatchTrajectory:
    """Solutions of ``m`` independent systems integrated together.

    Attributes
    ----------
    t : array (T,)
        Output times shared by all systems.
    y : array (m, T, n)
        States; NaN after a system stopped at a terminal event.
    nfev, nsteps, nrejected, status : int arrays (m,)
    t_stop : array (m,)
        Time each system reached (``t_span[1]`` unless stopped early).
    t_events : list (per event) of lists (per system) of arrays
        ``t_events[k][i]``: times of event ``k`` in system ``i``.
    method : str
    """

    t: np.ndarray
    y: np.ndarray
    nfev: np.ndarray
    nsteps: np.ndarray
    nrejected: np.ndarray
    status: np.ndarray
    t_stop: np.ndarray
    t_events: list
    method: str = ""
