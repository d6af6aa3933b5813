"""Results as a Neurodata Without Borders (NWB) file.

What goes where:

- spikes: the ``Units`` table, one row per neuron of every population (silent ones
  included when the population size is known), spike times in s, with the columns
  ``population`` and ``node_id`` and the observation interval of the run;
- reports (``/report/<pop>``): one ``TimeSeries`` per population in ``acquisition``,
  named ``<pop>_<variable>``, data (T, n) float32 as in the results file, sampled from
  ``starting_time`` at ``rate``; mV is stored as NWB's SI unit ``volts`` with
  ``conversion = 1e-3`` (data unchanged, ``data * conversion`` in volts),
  dimensionless ``"1"`` as ``"dimensionless"``, other units as they are;
- provenance: ``experiment_description`` (experiment, seed, git commit),
  ``was_generated_by`` (neurosim and its version), ``notes`` (JSON of the
  provenance and the metrics), ``session_start_time`` (when the run was created).

The ``/analysis`` arrays are not exported; they stay in the results file.
pynwb (extra ``[nwb]``: ``pip install 'neurosim[nwb]'``) is imported only here.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import uuid
from pathlib import Path

import numpy as np

from . import provenance as _provenance
from .export_neo import as_results, recording_window
from .results import Results
from .validation import _show

_NWB_UNITS = {"mV": ("volts", 1e-3), "V": ("volts", 1.0), "1": ("dimensionless", 1.0),
              "": ("dimensionless", 1.0)}


def _import_pynwb():
    try:
        import pynwb
    except ImportError as exc:
        raise ImportError("NWB export needs the package pynwb, which is not "
                          "installed: pip install 'neurosim[nwb]'") from exc
    return pynwb


def _start_time(created_utc) -> _dt.datetime:
    try:
        when = _dt.datetime.fromisoformat(str(created_utc))
    except ValueError as exc:
        raise ValueError(f"provenance created_utc must be an ISO 8601 time, got "
                         f"{_show(created_utc)}") from exc
    return when if when.tzinfo else when.replace(tzinfo=_dt.timezone.utc)


def _units_table(pynwb, results: Results):
    t_start, t_stop = recording_window(results)
    units = pynwb.misc.Units(name="units", description="neurosim spiking neurons, one "
                             "row per neuron; spike times in s")
    units.add_column("population", "neurosim population of the neuron")
    units.add_column("node_id", "index of the neuron in its population (SONATA "
                     "node id in /spikes/<population>/node_ids)")
    for population in sorted(results.spikes):
        for node_id, times in enumerate(results.spikes[population].per_neuron()):
            units.add_unit(spike_times=np.asarray(times, dtype=np.float64),
                           obs_intervals=[[t_start, t_stop]], population=population,
                           node_id=node_id)
    return units


def _time_series(pynwb, population: str, report):
    unit, conversion = _NWB_UNITS.get(report.units, (report.units, 1.0))
    ids = ", ".join(str(i) for i in report.node_ids)
    return pynwb.TimeSeries(
        name=f"{population}_{report.variable}",
        data=np.asarray(report.data, dtype=np.float32), unit=unit,
        conversion=conversion, starting_time=float(report.t0), rate=1.0 / report.dt,
        continuity="continuous",
        description=f"{report.variable} of population {population!r}, one column per "
                    f"neuron, node ids [{ids}] (SONATA report /report/{population})",
        comments=f"recorded in {report.units or '1'}")


def export_nwb(results_or_path, path) -> Path:
    """Write results as an NWB file (see the module docstring for the mapping).

    Parameters
    ----------
    results_or_path : Results or path-like
        The results, or a neurosim results file to load.
    path : path-like
        The NWB file to write (replaced if it exists).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ImportError
        If pynwb is not installed (the message names the ``[nwb]`` extra).
    TypeError
        If ``path`` is not a path.
    ValueError, FileNotFoundError
        If ``results_or_path`` is not a neurosim results file.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path, got {_show(path)} of type "
                        f"{type(path).__name__}")
    results = as_results(results_or_path)
    pynwb = _import_pynwb()
    prov = results.provenance or _provenance.collect(results.config, results.seed)
    seed = "-" if results.seed is None else results.seed
    nwb = pynwb.NWBFile(
        session_description=f"neurosim simulation: {results.name or 'unnamed run'}",
        identifier=str(uuid.uuid4()),
        session_start_time=_start_time(prov.get("created_utc")),
        experiment_description=f"neurosim experiment {results.name or '-'}, seed "
                               f"{seed}, git {prov.get('git_sha', 'unknown')}",
        was_generated_by=[["neurosim", json.loads(prov.get("versions", "{}")).get(
            "neurosim", "unknown")]],
        notes=json.dumps({"provenance": prov, "metrics": results.metrics},
                         sort_keys=True, default=str),
        units=_units_table(pynwb, results) if results.spikes else None)
    for population, report in sorted(results.reports.items()):
        nwb.add_acquisition(_time_series(pynwb, population, report))
    path = Path(path)
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path
