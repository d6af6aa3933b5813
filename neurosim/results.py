"""``Results``: what a run produced — spikes, reports, analysis arrays and metrics.

A ``Results`` object is plain data: times are in seconds, every analysis array carries
its units. ``save`` writes the HDF5 layout of ``neurosim.io`` (SONATA spikes and
reports, in ms there) and ``Results.load`` reads it back, so figures can be redrawn
from a file alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .validation import _show, as_array, as_float

_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


def check_name(kind: str, name) -> str:
    """A population or analysis path segment: letters, digits, '_', '-', '.'."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{kind} must be a non-empty name of letters, digits, '_', "
                         f"'-' or '.', got {_show(name)}")
    return name


def check_path(path) -> str:
    """An analysis path such as ``"convergence/decay/euler/error"``."""
    if not isinstance(path, str):
        raise TypeError(f"analysis path must be a string, got {_show(path)}")
    parts = path.strip("/").split("/")
    for part in parts:
        check_name("each part of the analysis path", part)
    return "/".join(parts)


@dataclass
class SpikeTrains:
    """Spikes of one population as events.

    Attributes
    ----------
    times : array (k,), float64, s
        Spike times, sorted.
    ids : array (k,), int64
        Neuron index of each spike.
    n_neurons : int or None
        Size of the population, when known (neurons that never fired count too).
    """

    times: np.ndarray
    ids: np.ndarray
    n_neurons: int | None = None

    def per_neuron(self, n_neurons: int | None = None) -> list[np.ndarray]:
        """Spike times split by neuron: a list of arrays (s), one per neuron."""
        n = n_neurons or self.n_neurons or (int(self.ids.max()) + 1 if self.ids.size
                                            else 0)
        order = np.argsort(self.ids, kind="stable")
        bounds = np.searchsorted(self.ids[order], np.arange(n + 1))
        sorted_times = self.times[order]
        return [sorted_times[bounds[i]:bounds[i + 1]] for i in range(n)]


@dataclass
class Report:
    """A sampled variable of every neuron in a population (SONATA report).

    Attributes
    ----------
    data : array (T, n)
        Samples, one row per time step.
    t0, dt : float, s
        Time of the first row and sampling interval.
    units : str
        Units of ``data`` (e.g. ``"mV"``).
    variable : str
        Variable name (e.g. ``"v"``).
    node_ids : array (n,), int64
        Neuron index of each column.
    """

    data: np.ndarray
    t0: float
    dt: float
    units: str
    variable: str = "v"
    node_ids: np.ndarray = field(default=None)

    def __post_init__(self):
        if self.node_ids is None:
            self.node_ids = np.arange(self.data.shape[1], dtype=np.int64)

    @property
    def t(self) -> np.ndarray:
        """Sample times (s), shape (T,)."""
        return self.t0 + self.dt * np.arange(self.data.shape[0])


class SpikeStore(dict):
    """Spike trains by population label; ``store(population)`` gives the events
    ``(times (s), ids)`` of a population (or label)."""

    def __call__(self, population) -> tuple[np.ndarray, np.ndarray]:
        label = population if isinstance(population, str) else getattr(
            population, "label", population)
        if label not in self:
            raise KeyError(f"no spikes recorded for {label!r}; recorded: {sorted(self)}")
        return self[label].times, self[label].ids


class Results:
    """Everything a run produced, in memory.

    Parameters
    ----------
    name : str, optional
        Experiment name (``neurosim plot`` uses it to find the figures to draw).
    config : dict, optional
        The resolved configuration of the run.
    seed : int, optional
        The run's seed.
    """

    def __init__(self, name: str | None = None, config: dict | None = None,
                 seed: int | None = None):
        self.name = name
        self.config = dict(config or {})
        self.seed = seed
        self.spikes: SpikeStore = SpikeStore()
        self.reports: dict[str, Report] = {}
        self.analysis: dict[str, np.ndarray] = {}
        self.attrs: dict[str, dict] = {}
        self.metrics: dict[str, float | int | str] = {}
        self.complete = True
        self.provenance: dict = {}

    # -- adding ---------------------------------------------------------------
    def add_spikes(self, population: str, times, ids, n_neurons: int | None = None):
        """Record a population's spikes as events: ``times`` (s) and neuron ``ids``."""
        check_name("population", population)
        times = as_array("times", times, ndim=1)
        ids = as_array("ids", ids, ndim=1, dtype=np.int64)
        if times.shape != ids.shape:
            raise ValueError(f"times and ids must have the same length, got "
                             f"{times.size} and {ids.size}")
        if ids.size and ids.min() < 0:
            raise ValueError(f"ids must be >= 0, got {ids.min()}")
        if n_neurons is not None and ids.size and ids.max() >= n_neurons:
            raise ValueError(f"ids must be < n_neurons = {n_neurons}, got {ids.max()}")
        order = np.lexsort((ids, times))
        self.spikes[population] = SpikeTrains(times[order], ids[order], n_neurons)

    def add_report(self, population: str, data, t0: float, dt: float, units: str,
                   variable: str = "v", node_ids=None):
        """Record a sampled variable: ``data`` (T, n) from ``t0`` every ``dt`` (s)."""
        check_name("population", population)
        data = as_array("data", data, ndim=2, finite=False)
        node_ids = (np.arange(data.shape[1], dtype=np.int64) if node_ids is None
                    else as_array("node_ids", node_ids, ndim=1, dtype=np.int64))
        if node_ids.size != data.shape[1]:
            raise ValueError(f"node_ids must have one entry per column of data "
                             f"({data.shape[1]}), got {node_ids.size}")
        if not isinstance(units, str) or not isinstance(variable, str):
            raise TypeError("units and variable must be strings")
        self.reports[population] = Report(data, as_float("t0", t0),
                                          as_float("dt", dt, positive=True), units,
                                          variable, node_ids)

    def add(self, path: str, array, units: str, **attrs):
        """Store an analysis array at ``/analysis/<path>`` with its ``units``."""
        path = check_path(path)
        if not isinstance(units, str):
            raise TypeError(f"units must be a string (use '1' for dimensionless), got "
                            f"{_show(units)}")
        arr = np.asarray(array)
        if arr.dtype.kind not in "biufU":
            raise TypeError(f"analysis array {path!r} must hold numbers, bools or "
                            f"strings, got dtype {arr.dtype}")
        self.analysis[path] = arr
        self.attrs[path] = {"units": units, **attrs}

    def set_attrs(self, path: str, **attrs):
        """Attach attributes to the analysis group or array at ``path``."""
        path = check_path(path)
        self.attrs.setdefault(path, {}).update(attrs)

    # -- reading --------------------------------------------------------------
    def __getitem__(self, path: str) -> np.ndarray:
        return self.analysis[check_path(path)]

    def __contains__(self, path) -> bool:
        return isinstance(path, str) and path.strip("/") in self.analysis

    def children(self, path: str = "") -> list[str]:
        """Names directly below an analysis path (groups or arrays), sorted."""
        prefix = path.strip("/") + "/" if path.strip("/") else ""
        names = {p[len(prefix):].split("/")[0] for p in self.analysis
                 if p.startswith(prefix)}
        names |= {p[len(prefix):].split("/")[0] for p in self.attrs
                  if p.startswith(prefix) and p != path.strip("/")}
        return sorted(names)

    # -- files: the one door to ``io`` (imported when called, so that ``io``, which
    # builds on this module, is not imported by it) ---------------------------------
    def save(self, path, provenance: dict | None = None) -> Path:
        """Write the results file (see ``neurosim.io``); returns its path."""
        from .io import save
        return save(self, path, provenance=provenance)

    @classmethod
    def load(cls, path) -> "Results":
        """Read a results file written by ``save`` (or a partial one)."""
        from .io import load
        return load(path)

    def __repr__(self):
        return (f"Results(name={self.name!r}, spikes={sorted(self.spikes)}, "
                f"reports={sorted(self.reports)}, analysis={len(self.analysis)} "
                f"arrays, metrics={len(self.metrics)})")
