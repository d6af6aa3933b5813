"""``simulate``: run one neuron or many independent ones under an input current."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import SimulationError
from ..results import Results
from ..validation import _show, as_array, as_choice, as_float, as_steps
from . import adaptive, equation_rk45, group_drive, hh_kernels, lif
from .base import NeuronType
from .equation_neuron import EquationNeuron
from .hh import HodgkinHuxley
from .lif import LIF


@dataclass
class NeuronRun:
    """What ``simulate`` returns.

    Attributes
    ----------
    neuron : NeuronType
    method : str
    dt : float, s
        Step (fixed-step methods) or sampling interval of the records (rk45).
    t : array (T,), s
        Times of the recorded states.
    states : dict of arrays (T, n)
        Recorded state variables (also reachable as attributes: ``run.v``).
    spike_times : list of arrays, s
        One array per neuron.
    """

    neuron: NeuronType
    method: str
    dt: float
    t: np.ndarray
    states: dict = field(default_factory=dict)
    spike_times: list = field(default_factory=list)

    def __getattr__(self, name):
        states = self.__dict__.get("states", {})
        if name in states:
            return states[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}; "
                             f"recorded states: {sorted(states)}")

    @property
    def n_neurons(self) -> int:
        """Number of neurons simulated."""
        return len(self.spike_times)

    def spikes(self) -> tuple[np.ndarray, np.ndarray]:
        """All spikes as events ``(times (s), neuron ids)``, sorted by time."""
        if not self.spike_times:
            return np.zeros(0), np.zeros(0, np.int64)
        times = np.concatenate(self.spike_times)
        ids = np.concatenate([np.full(len(s), i) for i, s in
                              enumerate(self.spike_times)]).astype(np.int64)
        order = np.lexsort((ids, times))
        return times[order], ids[order]

    def add_to(self, results: Results, population: str):
        """Put the spikes (SONATA), the potential (SONATA report) and the other
        recorded states (``/analysis/traces/<population>/<name>``) into ``results``."""
        units = self.neuron.state_units
        if self.neuron.spiking:
            times, ids = self.spikes()
            results.add_spikes(population, times, ids, n_neurons=self.n_neurons)
        for name, values in self.states.items():
            if name == self.neuron.state_names[0] and len(self.t) > 1:
                results.add_report(population, values, self.t[0], self.t[1] - self.t[0],
                                   units=units.get(name, "1"), variable=name)
            else:
                results.add(f"traces/{population}/{name}", values,
                            units=units.get(name, "1"))
        results.add(f"traces/{population}/t", self.t, units="s")


def _current_table(current, n_steps: int, dt: float):
    """The input as a table (rows per step, columns per neuron) and its row stride."""
    if callable(current):
        t = np.arange(n_steps) * dt
        try:
            values = np.asarray(current(t), dtype=np.float64)
        except Exception as exc:
            raise TypeError(f"current(t) failed on the time grid (an array of "
                            f"{n_steps} times in s): {exc}") from exc
        if values.ndim == 0:
            values = np.full(n_steps, float(values))
        if values.shape[0] != n_steps or values.ndim > 2:
            raise ValueError(f"current(t) must return shape ({n_steps},) or "
                             f"({n_steps}, n) for the {n_steps} step times, got "
                             f"{values.shape}")
        table = values.reshape(n_steps, -1)
        stride = 1
    else:
        values = as_array("current", current, finite=False)
        if values.ndim == 0:
            table, stride = values.reshape(1, 1), 0
        elif values.ndim == 1:
            table, stride = values.reshape(1, -1), 0
        elif values.ndim == 2:
            if values.shape[0] not in (n_steps, n_steps + 1):
                raise ValueError(f"a time-varying current must have one row per step: "
                                 f"shape ({n_steps}, n), got {values.shape} (a 1-D "
                                 "array is one constant per neuron)")
            table, stride = values[:n_steps], 1
        else:
            raise ValueError(f"current must be a scalar, (n,), (T, n) or a callable, "
                             f"got shape {values.shape}")
    if table.shape[1] == 0:
        raise ValueError("current must drive at least one neuron")
    if not np.all(np.isfinite(table)):
        raise ValueError("current must be finite")
    return np.ascontiguousarray(table, dtype=np.float64), stride


def simulate(neuron: NeuronType, current, t_stop: float, dt: float | None = None,
             method: str | None = None, rtol: float = 1e-6, atol: float = 1e-9,
             record=None, record_every: float | None = None,
             initial_state: dict | None = None) -> NeuronRun:
    """Simulate independent neurons of one type driven by ``current``.

    Parameters
    ----------
    neuron : NeuronType
        ``LIF``, ``HodgkinHuxley``, a rate neuron, or a model of neuron groups
        (``IAF``, ``TraubMiles``, ``AdaptiveIAF``, ``AdEx``, ``Izhikevich``,
        ``EquationNeuron``: run by its own group step, without synapses).
    current : float, array (n,), array (T, n) or callable
        The input of each neuron (µA/cm² for HH, normalised for LIF, the model's
        current units for the group models: nA, pA, mV/ms, ...): a constant for
        one neuron, one constant per neuron, one row per time step, or a function of
        the step times ``t`` (array, s) returning (T,) or (T, n). It is held
        constant over each step (rk45 interpolates it linearly between samples).
    t_stop : float, s
        Duration (rounded up to whole steps).
    dt : float, s
        Step of the fixed-step methods, or the sampling interval of records and
        current for rk45. Default: the model's ``default_dt``.
    method : str
        One of ``neuron.methods`` (the first is the default).
    rtol, atol : float
        Tolerances of rk45.
    record : tuple of str, optional
        State variables to record (``()`` for spikes only); default: the first
        (``v``, or ``rate`` for rate neurons).
    record_every : float, s, optional
        Recording interval, a positive multiple of ``dt``; default every step.
    initial_state : dict, optional
        name -> array (n,); default: the model's resting state.

    Returns
    -------
    NeuronRun

    Raises
    ------
    SimulationError
        When a neuron's state goes non-finite: the message names the time, the
        neuron, the method and dt; ``error.partial`` is the run up to that step.
    """
    if not isinstance(neuron, NeuronType):
        raise TypeError(f"neuron must be a neuron type (LIF(), HodgkinHuxley(), ...), "
                        f"got {_show(neuron)}")
    t_stop = as_float("t_stop (s)", t_stop, positive=True)
    method = neuron.methods[0] if method is None else as_choice("method", method,
                                                                set(neuron.methods))
    dt = neuron.default_dt if dt is None else as_float("dt (s)", dt, positive=True)
    if dt > t_stop:
        raise ValueError(f"dt must not exceed t_stop = {t_stop} s, got {dt}")
    record_every = 1 if record_every is None else as_steps(
        "record_every", as_float("record_every (s)", record_every, positive=True), dt,
        minimum=1)
    record = neuron.state_names[:1] if record is None else tuple(record)
    for name in record:
        if name not in neuron.state_names:
            raise ValueError(f"record: {type(neuron).__name__} has no state {name!r}; "
                             f"its states are {list(neuron.state_names)}")
    n_steps = math.ceil(t_stop / dt - 1e-9)
    table, stride = _current_table(current, n_steps, dt)
    n = table.shape[1]
    state = neuron.initial_state(n)
    for name, values in (initial_state or {}).items():
        if name not in state:
            raise ValueError(f"initial_state: unknown state {name!r}; states are "
                             f"{list(state)}")
        arr = np.array(np.broadcast_to(as_array(f"initial_state[{name!r}]", values),
                                       (n,)), dtype=np.float64)
        state[name] = arr
    t_rec = np.arange(0, n_steps + 1, record_every) * dt
    if not neuron.spiking:
        return _rate_run(neuron, method, dt, table, stride, n_steps, record,
                         record_every, t_rec)
    if method == "rk45":
        return _adaptive_run(neuron, dt, table, stride, t_stop, n_steps, record,
                             record_every, t_rec, state, rtol, atol)
    if isinstance(neuron, HodgkinHuxley):
        return _hh_run(neuron, method, dt, table, stride, n_steps, record,
                       record_every, t_rec, state)
    if isinstance(neuron, LIF):
        return _lif_run(neuron, method, dt, table, stride, n_steps, record,
                        record_every, t_rec, state)
    if hasattr(neuron, "group_step"):
        return _group_run(neuron, method, dt, table, stride, n_steps, record,
                          record_every, t_rec, state)
    raise TypeError(f"no simulator for {type(neuron).__name__}")


def _spike_capacity(t_stop: float) -> int:
    return int(t_stop / 2e-3) + 16


def _collect_spikes(spike_t, counts, scale):
    return [spike_t[i, :counts[i]] * scale for i in range(counts.size)]


def _hh_run(neuron, method, dt, table, stride, n_steps, record, record_every, t_rec,
            state):
    n = table.shape[1]
    dt_ms = dt * 1e3
    record_vars = np.array([neuron.state_names.index(r) for r in record], np.int64)
    rec = np.full((len(record), t_rec.size, n), np.nan)
    for r, name in enumerate(record):
        rec[r, 0] = state[name]
    cap = _spike_capacity(n_steps * dt)
    while True:
        spike_t = np.zeros((n, cap))
        counts = np.zeros(n, np.int64)
        fail = np.full(n, -1, np.int64)
        V, M, H, N = (state[name].copy() for name in neuron.state_names)
        hh_kernels.run(hh_kernels.METHOD_CODES[method], V, M, H, N, table, stride,
                       dt_ms, n_steps, neuron.packed(), record_vars, record_every,
                       rec, spike_t, counts, fail)
        if counts.max(initial=0) <= cap:
            break
        cap = int(counts.max())
    run = NeuronRun(neuron, method, dt, t_rec,
                    {name: rec[r] for r, name in enumerate(record)},
                    _collect_spikes(spike_t, counts, 1e-3))
    failed = np.flatnonzero(fail >= 0)
    if failed.size:
        step = int(fail[failed].min())
        who = int(failed[np.argmin(fail[failed])])
        current = table[min(step, table.shape[0] - 1) * stride, who]
        if method == "exp_euler" and dt <= 1e-5:
            hint = (f"its input current is {current:.4g} uA/cm^2; currents this far "
                    "from the physiological range drive the model out of its domain")
        else:
            hint = (f"its input current is {current:.4g} uA/cm^2; try a smaller dt "
                    "(e.g. 0.01 ms), or method='exp_euler' or 'rk45'")
        _raise_divergence(run, who, step, dt, method, hint)
    return run


def _lif_run(neuron, method, dt, table, stride, n_steps, record, record_every, t_rec,
             state):
    n = table.shape[1]
    rec = np.full((1, t_rec.size if record else 0, n), np.nan)
    if record:
        rec[0, 0] = state["v"]
    cap = _spike_capacity(n_steps * dt) if neuron.tau_ref > 0 else \
        max(16, int(n_steps * 2))
    while True:
        v = state["v"].copy()
        ref = np.zeros(n)
        spike_t = np.zeros((n, cap))
        counts = np.zeros(n, np.int64)
        lif.run(lif.METHOD_CODES[method], v, ref, table, stride, dt, n_steps,
                neuron.packed(), record_every, rec, spike_t, counts)
        if counts.max(initial=0) <= cap:
            break
        cap = int(counts.max())
    return NeuronRun(neuron, method, dt, t_rec, {"v": rec[0]} if record else {},
                     _collect_spikes(spike_t, counts, 1.0))


def _group_run(neuron, method, dt, table, stride, n_steps, record, record_every,
               t_rec, state):
    """A group model's own step, neuron by neuron, without synaptic channels."""
    n = table.shape[1]
    block = np.array([np.broadcast_to(np.asarray(state[name], np.float64), (n,))
                      for name in neuron.state_names])
    rows = np.array([neuron.state_names.index(r) for r in record], np.int64)
    rec = np.full((len(record), t_rec.size, n), np.nan)
    rec[:, 0] = block[rows]
    step = group_drive.CompiledStep(neuron.group_step())
    par = np.asarray(neuron.packed(), dtype=np.float64)
    cap = _spike_capacity(n_steps * dt)
    while True:
        spike_t = np.zeros((n, cap))
        counts = np.zeros(n, np.int64)
        failed, who = group_drive.drive(step, block.copy(), table, stride, dt, n_steps,
                                        par, rows, record_every, rec, spike_t, counts)
        if counts.max(initial=0) <= cap:
            break
        cap = int(counts.max())
    run = NeuronRun(neuron, method, dt, t_rec,
                    {name: rec[r] for r, name in enumerate(record)},
                    _collect_spikes(spike_t, counts, 1.0))
    if failed >= 0:
        current = table[min(failed, table.shape[0] - 1) * stride, who]
        _raise_divergence(run, who, failed, dt, method,
                          f"its input current is {current:.4g} "
                          f"{neuron.state_units.get('current', '')}; try a smaller dt")
    return run


def _adaptive_run(neuron, dt, table, stride, t_stop, n_steps, record, record_every,
                  t_rec, state, rtol, atol):
    if stride == 0:
        samples = table
    else:  # one sample per step start, plus the last value held to the end
        samples = np.vstack([table, table[-1:]])
    t_end = n_steps * dt
    try:
        if isinstance(neuron, HodgkinHuxley):
            y, spikes = adaptive.run_hh(neuron, state, samples, dt * 1e3, t_end * 1e3,
                                        t_rec * 1e3, rtol, atol)
            spikes = [s * 1e-3 for s in spikes]
        elif isinstance(neuron, LIF):
            if neuron.min_voltage > -math.inf:
                raise ValueError("method 'rk45' does not support min_voltage; use "
                                 "method='exact'")
            y, spikes = adaptive.run_lif(neuron, state, samples, dt, t_end, t_rec,
                                         rtol, atol)
        elif hasattr(neuron, "equations_twin") or isinstance(neuron, EquationNeuron):
            if hasattr(neuron, "rk45_twin"):  # in other variables, mapped both ways
                twin, forth, back = neuron.rk45_twin()
                state = forth(state)
            else:
                twin, back = (neuron if isinstance(neuron, EquationNeuron) else
                              neuron.equations_twin()), None
            scale = 1e3 if twin.time_unit == "ms" else 1.0
            y, spikes = equation_rk45.run_equations(
                twin, {**state, **{k: v for k, v in twin.initial_state(
                    table.shape[1]).items() if k not in state}}, samples, dt * scale,
                t_end * scale, t_rec * scale, rtol, atol)
            y = y if back is None else back(y)
            spikes = [s / scale for s in spikes]
        else:
            raise TypeError(f"method 'rk45' is not available for "
                            f"{type(neuron).__name__}")
    except SimulationError as err:
        raise SimulationError(f"{type(neuron).__name__}: {err}", t=err.t,
                              method="rk45", step=err.step, component=err.component,
                              system=err.system, partial=err.partial) from err
    states = {name: np.ascontiguousarray(y[:, :, neuron.state_names.index(name)].T)
              for name in record}
    return NeuronRun(neuron, "rk45", dt, t_rec, states, list(spikes))


def _rate_run(neuron, method, dt, table, stride, n_steps, record, record_every, t_rec):
    steps = np.arange(0, n_steps + 1, record_every).clip(max=n_steps - 1)
    rates = neuron.rates(table[steps * stride])
    return NeuronRun(neuron, method, dt, t_rec, {"rate": rates} if record else {},
                     [np.zeros(0) for _ in range(table.shape[1])])


def _raise_divergence(run: NeuronRun, neuron_index: int, step: int, dt: float,
                      method: str, hint: str):
    t_fail = step * dt
    keep = run.t <= t_fail
    partial = NeuronRun(run.neuron, run.method, run.dt, run.t[keep],
                        {k: v[keep] for k, v in run.states.items()},
                        [s[s <= t_fail] for s in run.spike_times])
    raise SimulationError(
        f"{type(run.neuron).__name__}, method {method!r} (dt={dt * 1e3:g} ms): neuron "
        f"{neuron_index}'s state went non-finite in the step from t={t_fail:.6g} s "
        f"({t_fail * 1e3:.6g} ms); results up to then are kept in error.partial; {hint}",
        t=t_fail, method=method, step=dt, system=neuron_index, partial=partial)
