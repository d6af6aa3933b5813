"""``solve`` and ``solve_batch``: the scipy-like front of the integration core.

Arguments are checked here; the work happens in the compiled kernel when ``f`` (and
every event) is a numba function, and in the numpy twin otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import SimulationError
from ..validation import _show, as_array, as_choice, as_float
from . import kernels, reference
from .adapters import event_adapter, pack_args, reset_adapter, rhs_adapter
from .events import as_events, event_arrays, is_compiled
from .tableau import METHODS, ButcherTableau
from .trajectory import MESSAGES, BatchTrajectory, DenseOutput, Trajectory

_EMPTY1 = np.empty(0)
_EVENT_CAPACITY = 64


def _tableau(method) -> ButcherTableau:
    if isinstance(method, ButcherTableau):
        return method
    return METHODS[as_choice("method", method, METHODS)]


class _Problem:
    """Validated arguments shared by ``solve`` and ``solve_batch``."""

    def __init__(self, f, t_span, method, dt, rtol, atol, first_step, max_step,
                 t_eval, events, args, controller, n):
        if not callable(f):
            raise TypeError(f"f must be callable f(t, y, *args), got {_show(f)}")
        self.f = f
        self.tableau = _tableau(method)
        try:
            t0, t1 = t_span
        except (TypeError, ValueError):
            raise ValueError(f"t_span must be a pair (t0, t1), got {_show(t_span)}") \
                from None
        self.t0 = as_float("t_span[0]", t0)
        self.t1 = as_float("t_span[1]", t1)
        if not self.t1 > self.t0:
            raise ValueError(f"t_span must be increasing (t0 < t1), got "
                             f"({self.t0}, {self.t1})")
        if not isinstance(args, tuple):
            raise TypeError(f"args must be a tuple, got {_show(args)}")
        self.args = args
        self.pi_control = as_choice("controller", controller, {"standard", "pi"}) == "pi"
        if self.tableau.adaptive:
            if dt is not None:
                raise ValueError(f"dt={dt!r} is for fixed-step methods; method "
                                 f"{self.tableau.name!r} adapts its step to rtol/atol "
                                 "(see first_step and max_step)")
            self.dt = 0.0
            self.rtol = as_float("rtol", rtol, positive=True)
            if self.rtol < 100 * np.finfo(float).eps:
                warnings.warn(f"rtol={self.rtol} is below 100 * machine epsilon; "
                              f"using {100 * np.finfo(float).eps:.3g}", stacklevel=3)
                self.rtol = 100 * np.finfo(float).eps
            atol_arr = as_array("atol", atol)
            if atol_arr.ndim > 1 or atol_arr.size not in (1, n):
                raise ValueError(f"atol must be a scalar or have shape ({n},), got "
                                 f"shape {atol_arr.shape}")
            if np.any(atol_arr <= 0):
                raise ValueError(f"atol must be > 0, got {atol!r}")
            self.atol = np.array(np.broadcast_to(atol_arr, (n,)), dtype=np.float64)
            self.first_step = 0.0 if first_step is None else as_float(
                "first_step", first_step, positive=True)
            if self.first_step > self.t1 - self.t0:
                raise ValueError(f"first_step must not exceed t1 - t0 = "
                                 f"{self.t1 - self.t0}, got {self.first_step}")
            self.max_step = as_float("max_step", max_step, positive=True, finite=False)
        else:
            if dt is None:
                raise ValueError(f"method {self.tableau.name!r} takes a fixed step: "
                                 "pass dt > 0")
            self.dt = as_float("dt", dt, positive=True)
            if first_step is not None:
                raise ValueError(f"first_step is for adaptive methods; method "
                                 f"{self.tableau.name!r} uses dt")
            self.rtol, self.atol = 0.0, np.zeros(n)
            self.first_step, self.max_step = 0.0, np.inf
        if t_eval is None:
            self.t_eval = None
        else:
            te = as_array("t_eval", t_eval, ndim=1)
            if te.size == 0:
                raise ValueError("t_eval must hold at least one time")
            if np.any(np.diff(te) <= 0):
                raise ValueError("t_eval must be strictly increasing")
            if te[0] < self.t0 or te[-1] > self.t1:
                raise ValueError(f"t_eval must lie within t_span = ({self.t0}, "
                                 f"{self.t1}), got values in [{te[0]}, {te[-1]}]")
            self.t_eval = te
        self.events = as_events(events)
        self.packed = pack_args(args)
        self.compiled = (is_compiled(f) and all(e.compiled for e in self.events)
                         and self.packed is not None)
        if is_compiled(f) and not self.compiled:
            why = ("an event or reset is a plain Python function"
                   if self.packed is not None else
                   "args holds a value that cannot be passed to compiled code "
                   "(only numbers and numeric arrays can)")
            warnings.warn(f"f is compiled but {why}; integrating with the (slower) "
                          "numpy loop", stacklevel=3)

    def compiled_functions(self, batch: bool):
        """Adapters for f, the events and the resets, and the packed arguments."""
        layout, p = self.packed
        with kernels.quiet_numba():
            return (rhs_adapter(self.f, layout, batch),
                    event_adapter(tuple(e.function for e in self.events), layout,
                                  batch),
                    reset_adapter(tuple(e.reset for e in self.events)), p)

    def check_rhs(self, y0, extra=()):
        """Call f once at the start to check it returns the right shape."""
        try:
            out = np.asarray(self.f(self.t0, y0, *extra, *self.args), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"calling f(t0, y0, *args) failed: {exc}") from exc
        if out.shape != y0.shape:
            raise ValueError(f"f(t, y) must return an array of shape {y0.shape}, got "
                             f"shape {out.shape}")

    def kernel_tableau(self):
        """The tableau as the kernels take it (writable contiguous copies)."""
        tb = self.tableau
        return (np.array(tb.A), np.array(tb.b), np.array(tb.c),
                np.array(tb.error) if tb.error is not None else np.zeros(0),
                np.array(tb.dense) if tb.dense is not None else np.zeros((0, 0)),
                tb.adaptive, tb.fsal, tb.error_order or 0)

    def kernel_controls(self):
        """Step controls as the kernels take them."""
        return (self.dt, self.rtol, self.atol, self.first_step, self.max_step,
                self.pi_control)

    def describe_step(self, h):
        if self.tableau.adaptive:
            return f"method {self.tableau.name!r} (rtol={self.rtol:g}, " \
                   f"atol={self.atol.max():g}, step h={h:.3g})"
        return f"method {self.tableau.name!r} (dt={self.dt:g})"


def _failure(problem, status, t, component, h, system=None):
    where = f"system {system}, " if system is not None else ""
    what = (f"the state went non-finite (component {component})"
            if status == kernels.STATUS_NONFINITE
            else "the step size fell below the smallest allowed step")
    hint = ("try a smaller dt or method='rk45'" if not problem.tableau.adaptive
            else "the problem may be stiff or diverging; check f or loosen rtol/atol")
    return (f"{where}{problem.describe_step(h)}: {what} in the step after "
            f"t={t:.10g}; integration stopped there ({hint})")


def solve(f, t_span, y0, method="rk45", dt=None, rtol=1e-6, atol=1e-9,
          first_step=None, max_step=np.inf, t_eval=None, events=None,
          dense_output=False, args=(), controller="standard") -> Trajectory:
    """Integrate ``dy/dt = f(t, y, *args)`` from ``t_span[0]`` to ``t_span[1]``.

    Parameters
    ----------
    f : callable ``f(t, y, *args) -> array (n,)``
        Right-hand side. When ``f`` is a numba ``@njit`` function (and so is every
        event), the whole loop runs compiled.
    t_span : (float, float)
        Start and end time, increasing.
    y0 : array (n,)
        Initial state, finite.
    method : {"rk45", "rk4", "heun", "euler"} or ButcherTableau
        ``rk45`` is Dormand–Prince 5(4) with adaptive steps; the others use ``dt``.
    dt : float
        Step of the fixed-step methods (the last step is shortened to end at t1).
    rtol, atol : float, and float or array (n,)
        Tolerances of ``rk45``: the local error per component stays below
        ``atol + rtol * |y|`` in the RMS sense.
    first_step, max_step : float
        First step (default: chosen from f) and largest step of ``rk45``.
    t_eval : array (T,), optional
        Times at which to store the solution (interpolated on the dense output);
        default: every step.
    events : callable, Event or list of them
        Zero crossings to locate; see ``neurosim.ode.events``.
    dense_output : bool
        Keep the interpolant so that ``trajectory(t)`` works.
    args : tuple
        Extra arguments for ``f`` and the events.
    controller : {"standard", "pi"}
        Step-size controller of ``rk45``: the classic one (as scipy) or a PI
        controller (smoother step sequences).

    Returns
    -------
    Trajectory

    Raises
    ------
    SimulationError
        When the state goes non-finite or the step size collapses; the message names
        the time, method and step, and ``error.partial`` holds the trajectory so far.
    """
    y0 = as_array("y0", y0, ndim=1)
    if y0.size == 0:
        raise ValueError("y0 must hold at least one component")
    problem = _Problem(f, t_span, method, dt, rtol, atol, first_step, max_step,
                       t_eval, events, args, controller, y0.size)
    problem.check_rhs(y0)
    t_eval_arr = problem.t_eval if problem.t_eval is not None else _EMPTY1
    record_steps = problem.t_eval is None
    if problem.compiled:
        f_c, ev_c, reset_c, p = problem.compiled_functions(batch=False)
        with kernels.quiet_numba():
            out = kernels.typed(kernels.integrate)(
                f_c, ev_c, reset_c, np.zeros(0), p, *event_arrays(problem.events),
                problem.t0, problem.t1, y0, *problem.kernel_tableau(),
                *problem.kernel_controls(), t_eval_arr, record_steps,
                bool(dense_output))
    else:
        out = reference.integrate(
            f, args, problem.events, problem.t0, problem.t1, y0, problem.tableau,
            problem.dt, problem.rtol, problem.atol, problem.first_step,
            problem.max_step, problem.pi_control, t_eval_arr, record_steps,
            bool(dense_output))
    return _trajectory(problem, out, bool(dense_output))


def _trajectory(problem, out, dense_output):
    (status, t_last, _y, nfev, nsteps, nrejected, fail_component, fail_h,
     n_rec, rec_t, rec_y, _nd, d_t, d_h, d_y, d_C, _ne, e_t, e_k, e_y,
     n_out, y_out) = out
    if problem.t_eval is None:
        t, y = rec_t[:n_rec].copy(), rec_y[:n_rec].copy()
    else:
        t, y = problem.t_eval[:n_out].copy(), y_out[:n_out].copy()
    n_events = len(problem.events)
    traj = Trajectory(
        t=t, y=y, nfev=int(nfev), nsteps=int(nsteps), nrejected=int(nrejected),
        t_events=[e_t[e_k == k].copy() for k in range(n_events)],
        y_events=[e_y[e_k == k].copy() for k in range(n_events)],
        status=int(status), message=MESSAGES[int(status)],
        method=problem.tableau.name,
        dense=DenseOutput(d_t, d_h, d_y, d_C, t_last) if dense_output else None)
    if status < 0:
        raise SimulationError(_failure(problem, status, t_last, fail_component, fail_h),
                              t=float(t_last), method=problem.tableau.name,
                              step=float(fail_h or problem.dt),
                              component=int(fail_component) if fail_component >= 0
                              else None, partial=traj)
    return traj


def solve_batch(f, t_span, Y0, params=None, method="rk45", dt=None, rtol=1e-6,
                atol=1e-9, first_step=None, max_step=np.inf, t_eval=None, events=None,
                args=(), controller="standard") -> BatchTrajectory:
    """Integrate ``m`` independent systems, each with its own adaptive step.

    Parameters
    ----------
    f : numba function ``f(t, y, p, *args) -> array (n,)``
        Right-hand side of one system; ``p = params[i]`` is that system's parameter
        row. A plain Python function also works (a slow loop over systems).
    t_span : (float, float)
    Y0 : array (m, n)
        Initial states, one row per system.
    params : array (m, k), optional
        Per-system parameters (default: an empty row each).
    t_eval : array (T,), optional
        Output times shared by all systems (default: ``t_span[1]`` only).
    events : callable, Event or list
        Event functions ``g(t, y, p, *args)``; resets and terminal events apply per
        system.

    Other parameters are as in ``solve``. Systems run in parallel over threads.

    Returns
    -------
    BatchTrajectory

    Raises
    ------
    SimulationError
        Naming the first failing system; ``error.partial`` holds the batch.
    """
    Y0 = as_array("Y0", Y0, ndim=2)
    m, n = Y0.shape
    if m == 0 or n == 0:
        raise ValueError(f"Y0 must have at least one system and one component, got "
                         f"shape {Y0.shape}")
    if params is None:
        params = np.zeros((m, 0))
    params = as_array("params", params, ndim=2)
    if params.shape[0] != m:
        raise ValueError(f"params must have one row per system ({m}), got shape "
                         f"{params.shape}")
    problem = _Problem(f, t_span, method, dt, rtol, atol, first_step, max_step,
                       t_eval, events, args, controller, n)
    t_eval_arr = problem.t_eval if problem.t_eval is not None else np.array(
        [problem.t1])
    problem.check_rhs(Y0[0], extra=(params[0],))
    n_events = len(problem.events)
    if problem.compiled:
        f_c, ev_c, reset_c, p = problem.compiled_functions(batch=True)
        kernel = kernels.typed(kernels.integrate_batch)

        def run(Y, P, cap):
            with kernels.quiet_numba():
                return kernel(f_c, ev_c, reset_c, P, p, *event_arrays(problem.events),
                              problem.t0, problem.t1, Y, *problem.kernel_tableau(),
                              *problem.kernel_controls(), t_eval_arr, cap)

        (status, t_stop, Y_out, _n_out, nfev, nsteps, nrejected, fail_component,
         fail_h, counts, ev_t, ev_k) = run(Y0, params, _EVENT_CAPACITY)
        rows = {i: (ev_t[i, :counts[i]], ev_k[i, :counts[i]]) for i in range(m)}
        overflowed = np.flatnonzero(counts > _EVENT_CAPACITY)
        if overflowed.size:
            # The kernel is deterministic: re-running these systems with room for
            # all their events reproduces them exactly.
            redo = run(np.ascontiguousarray(Y0[overflowed]),
                       np.ascontiguousarray(params[overflowed]), int(counts.max()))
            for j, i in enumerate(overflowed):
                rows[i] = (redo[10][j, :counts[i]], redo[11][j, :counts[i]])
        t_events = [[rows[i][0][rows[i][1] == k].copy() for i in range(m)]
                    for k in range(n_events)]
    else:
        status, t_stop, Y_out, nfev, nsteps, nrejected, fail_component, fail_h, \
            t_events = _batch_reference(problem, Y0, params, t_eval_arr)
    result = BatchTrajectory(t=t_eval_arr.copy(), y=Y_out, nfev=nfev, nsteps=nsteps,
                             nrejected=nrejected, status=status, t_stop=t_stop,
                             t_events=t_events, method=problem.tableau.name)
    failed = np.flatnonzero(status < 0)
    if failed.size:
        i = int(failed[0])
        raise SimulationError(
            _failure(problem, status[i], t_stop[i], fail_component[i], fail_h[i],
                     system=i),
            t=float(t_stop[i]), method=problem.tableau.name,
            step=float(fail_h[i] or problem.dt),
            component=int(fail_component[i]) if fail_component[i] >= 0 else None,
            system=i, partial=result)
    return result


def _batch_reference(problem, Y0, params, t_eval):
    """The numpy twin of ``integrate_batch``: one ``reference.integrate`` per system."""
    m, n = Y0.shape
    status = np.zeros(m, np.int64)
    t_stop = np.empty(m)
    Y_out = np.full((m, t_eval.size, n), np.nan)
    nfev, nsteps, nrejected = (np.zeros(m, np.int64) for _ in range(3))
    fail_component = np.full(m, -1, np.int64)
    fail_h = np.zeros(m)
    t_events = [[None] * m for _ in problem.events]
    for i in range(m):
        out = reference.integrate(
            problem.f, (params[i],) + problem.args, problem.events, problem.t0,
            problem.t1, Y0[i], problem.tableau, problem.dt, problem.rtol, problem.atol,
            problem.first_step, problem.max_step, problem.pi_control, t_eval, False,
            False)
        status[i], t_stop[i], _, nfev[i], nsteps[i], nrejected[i] = out[:6]
        fail_component[i], fail_h[i] = out[6], out[7]
        Y_out[i, :out[20]] = out[21][:out[20]]
        for k in range(len(problem.events)):
            t_events[k][i] = out[17][out[18] == k].copy()
    return status, t_stop, Y_out, nfev, nsteps, nrejected, fail_component, fail_h, \
        t_events
