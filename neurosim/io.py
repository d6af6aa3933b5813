"""Results <-> HDF5, in the layout of DESIGN.md (SONATA spikes and reports).

::

    /                 attrs magic=0x0A7A, version=[0, 1], neurosim_format, complete,
                      experiment
    /spikes/<pop>/    attr sorting (enum none/by_id/by_time); timestamps (ms), node_ids
    /report/<pop>/    data float32 (T, n); mapping/{node_ids, index_pointers (n+1),
                      index_pointer (hard link), element_ids, element_pos, time (ms)}
    /analysis/...     arrays with a ``units`` attribute; /analysis/metrics attrs
    /provenance       attrs config (TOML), seed, argv, versions, git_sha, created_utc

``ResultsWriter`` writes incrementally into ``results.h5.partial``, flushing as it
goes, and renames the file only when closed as complete: a run that dies leaves a
readable partial file with ``complete = false``. Files are byte-reproducible: HDF5
object timestamps are switched off (only ``created_utc`` records the time).
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from . import provenance as _provenance
from .config import from_toml
from .results import Report, Results, SpikeTrains, check_name, check_path

MAGIC = 0x0A7A
VERSION = (0, 1)
FORMAT = "neurosim-h5/1"
SORTING = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype=np.uint8)
_CHUNK_BYTES = 1 << 20


def _no_times(plist):
    plist.set_obj_track_times(False)
    return plist


def _group(parent: h5py.Group, name: str) -> h5py.Group:
    """``parent[name]``, created (with its parents) without timestamps if missing."""
    node = parent
    for part in name.strip("/").split("/"):
        if part not in node:
            gcpl = _no_times(h5py.h5p.create(h5py.h5p.GROUP_CREATE))
            h5py.h5g.create(node.id, part.encode(), gcpl=gcpl)
        node = node[part]
    return node


def _dataset(group: h5py.Group, name: str, data, **kwargs) -> h5py.Dataset:
    return group.create_dataset(name, data=data, track_times=False, **kwargs)


def _string_array(arr: np.ndarray):
    return arr.astype(object), h5py.string_dtype()


class ResultsWriter:
    """Incremental writer of one results file.

    Parameters
    ----------
    path : path-like
        Final file name (``results.h5``); data go to ``<path>.partial`` until
        ``close(complete=True)`` renames it.
    name : str, optional
        Experiment name, stored as the root attribute ``experiment``.
    provenance : dict, optional
        Attributes of ``/provenance`` (see ``neurosim.provenance.collect``).
    crash_safe : bool
        Keep the file readable if the process is killed at any moment (for long,
        streamed runs): it is written in the HDF5 1.10 format and kept in HDF5's
        single-writer (SWMR) mode, whose metadata reach the disk in an order that
        leaves every flushed state readable, so a SIGKILL loses at most what was
        written since the last ``flush``.

    Only appends happen in the single-writer mode; a call that creates an object or
    writes an attribute reopens the file in the ordinary mode first, and ``protect``
    returns to the single-writer mode. A kill inside such a window (milliseconds
    while objects are created) leaves a file that HDF5 refuses to open until its
    status flags are cleared (``h5clear -s FILE``); create what a stream needs
    up front, as ``Simulator`` does.
    """

    def __init__(self, path, name: str | None = None, provenance: dict | None = None,
                 crash_safe: bool = False):
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.crash_safe = crash_safe
        self.protected = False
        fcpl = _no_times(h5py.h5p.create(h5py.h5p.FILE_CREATE))
        fid = h5py.h5f.create(str(self.partial).encode(), h5py.h5f.ACC_TRUNC,
                              fcpl=fcpl, fapl=self._access())
        self.file = h5py.File(fid)
        root = self.file.attrs
        root.create("magic", MAGIC, dtype=np.uint32)
        root.create("version", np.array(VERSION, dtype=np.uint32))
        root["neurosim_format"] = FORMAT
        root["complete"] = False
        root["experiment"] = name or ""
        prov = _group(self.file, "provenance")
        for key, value in (provenance or _provenance.collect()).items():
            prov.attrs[key] = value
        self._last_spike: dict[str, float] = {}
        self._unsorted: set[str] = set()
        self.file.flush()
        if crash_safe:
            self.protect()

    def _access(self):
        fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
        fapl.set_file_locking(False, True)  # as load(): inspect a file being written
        if self.crash_safe:
            fapl.set_libver_bounds(h5py.h5f.LIBVER_V110, h5py.h5f.LIBVER_LATEST)
        return fapl

    # -- crash safety -------------------------------------------------------------
    def protect(self):
        """Flush, and return to the single-writer mode, in which every flushed
        state stays readable after a crash (see the class docstring). Needs
        ``crash_safe``."""
        if not self.crash_safe:
            raise ValueError("protect() needs a ResultsWriter made with crash_safe=True")
        if not self.protected:
            self.file.flush()
            self.file.swmr_mode = True
            self.protected = True

    def _editable(self):
        """Leave the single-writer mode, to create objects or write attributes."""
        if self.protected:
            self.file.close()
            self.file = h5py.File(h5py.h5f.open(str(self.partial).encode(),
                                                h5py.h5f.ACC_RDWR, fapl=self._access()))
            self.protected = False

    # -- SONATA spikes ------------------------------------------------------------
    def spikes(self, population: str, times, ids, n_neurons: int | None = None):
        """Append spikes (``times`` in s, neuron ``ids``); appends in time order keep
        the file sorted by time."""
        check_name("population", population)
        times = np.asarray(times, dtype=np.float64)
        ids = np.asarray(ids, dtype=np.uint64)
        order = np.lexsort((ids, times))
        times_ms, ids = times[order] * 1e3, ids[order]
        key = f"spikes/{population}"
        if key not in self.file or (n_neurons is not None and self.file[key].attrs.get(
                "n_neurons") != n_neurons):
            self._editable()
        group = _group(self.file, key)
        if "timestamps" not in group:
            group.attrs.create("sorting", 2, dtype=SORTING)
            # an empty start is a stream: size its chunks for what will follow
            chunk = (min(65536, times_ms.size) if times_ms.size else 65536,)
            ts = _dataset(group, "timestamps", times_ms, maxshape=(None,),
                          chunks=chunk)
            ts.attrs["units"] = "ms"
            _dataset(group, "node_ids", ids, maxshape=(None,), chunks=chunk)
        else:
            if times_ms.size and times_ms[0] < self._last_spike.get(population,
                                                                   -np.inf):
                self._unsorted.add(population)
            for key, values in (("timestamps", times_ms), ("node_ids", ids)):
                ds = group[key]
                ds.resize((ds.shape[0] + values.size,))
                ds[ds.shape[0] - values.size:] = values
        if n_neurons is not None and group.attrs.get("n_neurons") != n_neurons:
            group.attrs["n_neurons"] = int(n_neurons)
        if times_ms.size:
            self._last_spike[population] = max(times_ms[-1], self._last_spike.get(
                population, -np.inf))

    def _sort_spikes(self, population: str):
        group = self.file[f"spikes/{population}"]
        times, ids = group["timestamps"][()], group["node_ids"][()]
        order = np.lexsort((ids, times))
        group["timestamps"][...] = times[order]
        group["node_ids"][...] = ids[order]

    # -- SONATA reports ---------------------------------------------------------
    def report(self, population: str, rows, t0: float, dt: float, units: str,
               variable: str = "v", node_ids=None):
        """Append rows (T, n) of a population's report sampled every ``dt`` (s) from
        ``t0``; the first call creates the report, later calls extend it."""
        check_name("population", population)
        rows = np.asarray(rows, dtype=np.float32)
        if rows.ndim != 2:
            raise ValueError(f"report rows must be 2-D (T, n), got shape {rows.shape}")
        n = rows.shape[1]
        if f"report/{population}/data" not in self.file:
            self._editable()
        group = _group(self.file, f"report/{population}")
        if "data" not in group:
            full = max(1, _CHUNK_BYTES // (4 * n or 1))
            chunk_rows = min(rows.shape[0], full) if rows.shape[0] else full
            data = _dataset(group, "data", rows, maxshape=(None, n),
                            chunks=(chunk_rows, n))
            data.attrs["units"] = units
            data.attrs["variable_name"] = variable
            mapping = _group(group, "mapping")
            ids = np.arange(n) if node_ids is None else np.asarray(node_ids)
            _dataset(mapping, "node_ids", ids.astype(np.uint64))
            pointers = _dataset(mapping, "index_pointers",
                                np.arange(n + 1, dtype=np.uint64))
            mapping["index_pointer"] = pointers  # bmtk reads the singular name
            _dataset(mapping, "element_ids", np.zeros(n, dtype=np.uint32))
            _dataset(mapping, "element_pos", np.full(n, 0.5, dtype=np.float32))
            time = _dataset(mapping, "time", np.array(
                [t0 * 1e3, (t0 + rows.shape[0] * dt) * 1e3, dt * 1e3]))
            time.attrs["units"] = "ms"
        else:
            data = group["data"]
            if data.shape[1] != n:
                raise ValueError(f"report {population!r} has {data.shape[1]} columns, "
                                 f"got rows with {n}")
            data.resize((data.shape[0] + rows.shape[0], n))
            data[data.shape[0] - rows.shape[0]:] = rows
            time = group["mapping/time"]
            time[1] = time[0] + data.shape[0] * time[2]

    # -- analysis -----------------------------------------------------------------
    def analysis(self, path: str, array, attrs: dict):
        """Write one analysis array at ``/analysis/<path>`` with its attributes."""
        path = check_path(path)
        self._editable()
        parent, _, leaf = f"analysis/{path}".rpartition("/")
        group = _group(self.file, parent)
        arr = np.asarray(array)
        if arr.dtype.kind == "U":
            values, dtype = _string_array(arr)
            ds = _dataset(group, leaf, values, dtype=dtype)
        else:
            ds = _dataset(group, leaf, arr)
        for key, value in attrs.items():
            ds.attrs[key] = value

    def append(self, path: str, rows, attrs: dict):
        """Append ``rows`` along the first axis of ``/analysis/<path>`` (a chunked,
        growable dataset created by the first call, with ``attrs``)."""
        path = check_path(path)
        rows = np.asarray(rows, dtype=np.float64)
        if f"analysis/{path}" not in self.file:
            self._editable()
        parent, _, leaf = f"analysis/{path}".rpartition("/")
        group = _group(self.file, parent)
        if leaf not in group:
            width = rows.shape[1:]
            chunk_rows = max(1, _CHUNK_BYTES // (8 * max(1, int(np.prod(width)))))
            ds = _dataset(group, leaf, rows, maxshape=(None, *width),
                          chunks=(chunk_rows, *width))
            for key, value in attrs.items():
                ds.attrs[key] = value
        else:
            ds = group[leaf]
            if ds.shape[1:] != rows.shape[1:]:
                raise ValueError(f"/analysis/{path} holds rows of shape {ds.shape[1:]}, "
                                 f"got {rows.shape[1:]}")
            ds.resize((ds.shape[0] + rows.shape[0], *ds.shape[1:]))
            ds[ds.shape[0] - rows.shape[0]:] = rows

    def attrs(self, path: str, attrs: dict):
        """Attach attributes to an analysis group (created if missing) or array."""
        path = check_path(path)
        self._editable()
        full = f"analysis/{path}"
        node = self.file[full] if full in self.file else _group(self.file, full)
        for key, value in attrs.items():
            node.attrs[key] = value

    def metrics(self, metrics: dict):
        """Scalar summary numbers, as attributes of ``/analysis/metrics``."""
        self._editable()
        group = _group(self.file, "analysis/metrics")
        for key, value in metrics.items():
            group.attrs[key] = value

    # -- lifecycle ----------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """True once ``close`` has run."""
        return not self.file

    def flush(self):
        """Push everything written so far to disk."""
        self.file.flush()

    def close(self, complete: bool = True) -> Path:
        """Close the file; when ``complete``, mark it so and rename it into place.

        Returns the path of the file on disk (``.partial`` when not complete).
        """
        if self.closed:
            return self.path if complete else self.partial
        self._editable()
        for population in sorted(self._unsorted):
            self._sort_spikes(population)
        self.file.attrs["complete"] = bool(complete)
        self.file.close()
        if complete:
            self.partial.replace(self.path)
            return self.path
        return self.partial

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(complete=exc_type is None)
        return False


def save(results: Results, path, provenance: dict | None = None) -> Path:
    """Write ``results`` to ``path`` (via ``<path>.partial``).

    Returns the file written: ``path``, or ``<path>.partial`` when
    ``results.complete`` is false (as for results loaded from a partial file).
    """
    prov = provenance or _provenance.collect(results.config, results.seed)
    writer = ResultsWriter(path, name=results.name, provenance=prov)
    try:
        for population, trains in sorted(results.spikes.items()):
            writer.spikes(population, trains.times, trains.ids, trains.n_neurons)
        for population, report in sorted(results.reports.items()):
            writer.report(population, report.data, report.t0, report.dt, report.units,
                          report.variable, report.node_ids)
        for path_, array in sorted(results.analysis.items()):
            writer.analysis(path_, array, results.attrs.get(path_, {}))
        for path_, attrs in sorted(results.attrs.items()):
            if path_ not in results.analysis:
                writer.attrs(path_, attrs)
        if results.metrics:
            writer.metrics(results.metrics)
    except BaseException:
        writer.close(complete=False)
        raise
    return writer.close(complete=results.complete)


def _open_for_reading(path) -> h5py.File:
    """The file, read-only, even while it is being written or after its writer
    was killed in the single-writer mode (which leaves that mode's flag set)."""
    try:
        return h5py.File(path, "r", locking=False)
    except OSError as first:
        try:
            return h5py.File(path, "r", locking=False, swmr=True)
        except OSError:
            raise OSError(f"{path}: HDF5 cannot open it ({first}); if its writer was "
                          f"killed while creating objects, 'h5clear -s {path}' clears "
                          "the flags it left") from first


def _check_format(f: h5py.File, path):
    if f.attrs.get("neurosim_format") != FORMAT or int(f.attrs.get("magic", 0)) != MAGIC:
        raise ValueError(f"{path} is not a neurosim results file (expected root "
                         f"attribute neurosim_format = {FORMAT!r})")


def _attr(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


def load(path) -> Results:
    """Read a results file (complete or ``.partial``) into a ``Results``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no results file at {path}")
    if not h5py.is_hdf5(path):
        raise ValueError(f"{path} is not a neurosim results file (not an HDF5 file)")
    with _open_for_reading(path) as f:
        _check_format(f, path)
        prov = {k: _attr(v) for k, v in f["provenance"].attrs.items()} \
            if "provenance" in f else {}
        config = from_toml(prov["config"]) if prov.get("config") else {}
        seed = prov.get("seed")
        results = Results(name=_attr(f.attrs.get("experiment")) or None, config=config,
                          seed=None if seed is None or seed < 0 else seed)
        results.provenance = prov
        results.complete = bool(f.attrs["complete"])
        for population, group in f.get("spikes", {}).items():
            n = group.attrs.get("n_neurons")
            results.spikes[population] = SpikeTrains(
                group["timestamps"][()] * 1e-3, group["node_ids"][()].astype(np.int64),
                None if n is None else int(n))
        for population, group in f.get("report", {}).items():
            t0, _t1, dt = group["mapping/time"][()] * 1e-3
            data = group["data"]
            results.reports[population] = Report(
                data[()], float(t0), float(dt), _attr(data.attrs.get("units", "")),
                _attr(data.attrs.get("variable_name", "")),
                group["mapping/node_ids"][()].astype(np.int64))
        if "analysis" in f:
            _read_analysis(f["analysis"], "", results)
    return results


def is_complete(path) -> bool:
    """True when ``path`` is a neurosim results file marked complete."""
    try:
        with _open_for_reading(path) as f:
            _check_format(f, path)
            return bool(f.attrs["complete"])
    except (OSError, KeyError, ValueError):
        return False


def load_metrics(path) -> dict:
    """The scalar metrics of a results file (``/analysis/metrics``) alone, without
    reading its arrays."""
    with _open_for_reading(path) as f:
        _check_format(f, path)
        group = f.get("analysis/metrics")
        return {} if group is None else {k: _attr(v) for k, v in group.attrs.items()}


def _read_analysis(group: h5py.Group, prefix: str, results: Results):
    for name, node in group.items():
        path = f"{prefix}{name}"
        attrs = {k: _attr(v) for k, v in node.attrs.items()}
        if path == "metrics" and isinstance(node, h5py.Group):
            results.metrics = attrs
        elif isinstance(node, h5py.Dataset):
            value = node[()]
            if node.dtype.kind == "O":
                value = np.array([v.decode() if isinstance(v, bytes) else v
                                  for v in np.atleast_1d(value)]).reshape(node.shape)
            results.analysis[path] = value
            results.attrs[path] = attrs
        else:
            if attrs:
                results.attrs[path] = attrs
            _read_analysis(node, path + "/", results)


def describe(path) -> str:
    """A few lines saying what a results file holds."""
    path = Path(path)
    results = load(path)
    prov = results.provenance
    lines = [f"{path}: {FORMAT}, {'complete' if results.complete else 'INCOMPLETE'}"]
    lines.append(f"  experiment: {results.name or '-'}   seed: "
                 f"{results.seed if results.seed is not None else '-'}   created: "
                 f"{prov.get('created_utc', '-')}   git: {prov.get('git_sha', '-')}")
    for population, trains in sorted(results.spikes.items()):
        span = (f", {trains.times[0]:.6g}..{trains.times[-1]:.6g} s"
                if trains.times.size else "")
        n = trains.n_neurons if trains.n_neurons is not None else "?"
        lines.append(f"  spikes/{population}: {trains.times.size} spikes from {n} "
                     f"neurons{span}")
    for population, report in sorted(results.reports.items()):
        T, n = report.data.shape
        lines.append(f"  report/{population}: {report.variable} [{report.units}], "
                     f"{n} neurons x {T} samples, dt = {report.dt * 1e3:g} ms")
    tops = results.children()
    groups = [t for t in tops if t != "metrics"]
    if groups:
        counts = [f"{g} ({sum(p.startswith(g + '/') or p == g for p in results.analysis)}"
                  f" arrays)" for g in groups]
        lines.append(f"  analysis: {', '.join(counts)}")
    if results.metrics:
        shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in sorted(results.metrics.items()))
        lines.append(f"  metrics: {shown}")
    if prov.get("versions"):
        versions = json.loads(prov["versions"])
        lines.append("  versions: " + ", ".join(f"{k} {v}" for k, v in
                                                 sorted(versions.items())))
    return "\n".join(lines)

