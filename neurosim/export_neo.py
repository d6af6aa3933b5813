"""Spikes as Neo spike trains, one per neuron, for Elephant and the Neo ecosystem.

Neo (extra ``[neo]``: ``pip install 'neurosim[neo]'``) is imported only when
``to_neo`` is called, so the rest of neurosim works without it. A spike train needs
the window it was observed over; ``recording_window`` finds it in the results (the
NWB export uses it too).
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from .io import load
from .results import Results
from .validation import _show, as_float


def as_results(results_or_path) -> Results:
    """``results_or_path`` itself, or the results file at that path, loaded.

    Raises
    ------
    TypeError
        If it is neither a ``Results`` nor a path.
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file is not a neurosim results file (HDF5 or not).
    """
    if isinstance(results_or_path, Results):
        return results_or_path
    if isinstance(results_or_path, (str, os.PathLike)):
        try:
            return load(results_or_path)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise ValueError(f"{results_or_path} is not a neurosim results file (not "
                             f"readable as HDF5: {exc})") from exc
    raise TypeError(f"results must be a neurosim.Results or the path of a results "
                    f"file, got {_show(results_or_path)} of type "
                    f"{type(results_or_path).__name__}")


def _declared_stop(results: Results) -> float | None:
    for source in (results.metrics, results.config):
        value = source.get("t_stop")
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return float(value)
    return None


def recording_window(results: Results) -> tuple[float, float]:
    """The time span (s) over which ``results`` observed its neurons.

    Starts at 0 (every neurosim run does). Ends at the run's ``t_stop`` (the metric
    of a network simulation, else the configuration value), else at the last report
    sample or spike. The window is widened to hold every spike and report sample, so
    spike trains built on it are always valid.

    Parameters
    ----------
    results : Results

    Returns
    -------
    t_start, t_stop : float, s
    """
    starts, stops = [0.0], []
    declared = _declared_stop(results)
    if declared is not None:
        stops.append(declared)
    for trains in results.spikes.values():
        if trains.times.size:
            starts.append(float(trains.times[0]))
            stops.append(float(trains.times[-1]))
    for report in results.reports.values():
        if report.data.shape[0]:
            starts.append(report.t0)
            stops.append(float(report.t[-1]))
    t_start = min(starts)
    return t_start, max([t_start, *stops])


def _import_neo():
    try:
        import neo
    except ImportError as exc:
        raise ImportError("to_neo needs the package neo, which is not installed: "
                          "pip install 'neurosim[neo]'") from exc
    return neo


def to_neo(results_or_path, population: str | None = None,
           t_start: float | None = None, t_stop: float | None = None) -> list:
    """Spike trains of the results as ``neo.SpikeTrain`` objects, one per neuron.

    Parameters
    ----------
    results_or_path : Results or path-like
        The results, or a results file to load.
    population : str, optional
        Only this population; all of them (sorted by name) by default.
    t_start, t_stop : float, s, optional
        Observation window of every train; ``recording_window`` by default.

    Returns
    -------
    list of neo.SpikeTrain
        Per population, one train per neuron in node-id order (silent neurons
        included when the population size is known); times in s (float64), with
        annotations ``population`` and ``neuron_id`` and the name
        ``"<population>[<neuron_id>]"``.

    Raises
    ------
    ImportError
        If neo is not installed (the message names the ``[neo]`` extra).
    KeyError
        If ``population`` has no spikes in the results.
    ValueError
        If the window is empty or leaves out a spike.
    """
    results = as_results(results_or_path)
    if population is None:
        populations = sorted(results.spikes)
    elif population in results.spikes:
        populations = [population]
    else:
        raise KeyError(f"population {population!r} has no spikes in the results; "
                       f"populations with spikes: {sorted(results.spikes)}")
    default_start, default_stop = recording_window(results)
    t_start = default_start if t_start is None else as_float("t_start (s)", t_start)
    t_stop = default_stop if t_stop is None else as_float("t_stop (s)", t_stop)
    if not t_stop > t_start:
        raise ValueError(f"t_stop must be > t_start = {t_start} s, got {t_stop} s")
    neo = _import_neo()
    trains = []
    for name in populations:
        times = results.spikes[name].times
        if times.size and (times[0] < t_start or times[-1] > t_stop):
            raise ValueError(f"population {name!r} has spikes from {times[0]} to "
                             f"{times[-1]} s, outside the window [{t_start}, "
                             f"{t_stop}] s")
        for neuron_id, spikes in enumerate(results.spikes[name].per_neuron()):
            trains.append(neo.SpikeTrain(
                np.asarray(spikes, dtype=np.float64), units="s", t_start=t_start,
                t_stop=t_stop, name=f"{name}[{neuron_id}]", population=name,
                neuron_id=neuron_id))
    return trains
