"""Parameter sweeps: every point of a grid (times seeds) as its own run, on any
``concurrent.futures.Executor``, resumable and deterministic.

* Points are the product of the grid's values and ``seeds`` seed indices (an empty
  grid: the configuration as it is, at each seed). A point's
  seed comes from the sweep seed through ``SeedSequence`` keyed by the point's
  parameters (not by when it ran), so serial, parallel and Dask runs write the same
  results.
* Each point writes ``runs/NAME/sweep-<id>/<point>/`` (results.h5, config.toml,
  log.txt); ``manifest.csv`` lists parameters, status, wall time, file and error,
  and ``summary.h5`` gathers every point's scalar metrics. An experiment that
  defines ``sweep_plot(summary_path, outdir) -> list of paths`` draws the sweep's
  own figures from it, beside the summary (``summary_plots``).
* The sweep id hashes the experiment, grid, seeds, sweep seed and fixed settings,
  so running the same sweep again finds the same folder and only runs the points
  whose results file is not complete.
* Locally (``jobs > 1``) each point runs in its own process, so a point that
  crashes, runs out of memory or is killed is marked failed and the others go on.
  With an executor given (e.g. ``dask.distributed.Client(...).get_executor()``),
  points run in its workers. Every point runs with one BLAS thread
  (``blas.single_thread``), so the executor does not change its bits.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import subprocess
import sys
import time
import traceback
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import blas, runner
from .config import apply_overrides, to_toml_value
from .errors import ConfigError
from .io import is_complete, load_metrics
from .progress import progress
from .results import Results
from .validation import _show, as_int

MANIFEST_FIELDS = ("point", "seed_index", "seed", "status", "seconds", "file", "error")


@dataclass
class Point:
    """One run of a sweep: the overrides, the seed index and the derived seed."""

    values: dict
    seed_index: int
    seed: int
    name: str

    def overrides(self) -> dict[str, str]:
        return {key: to_toml_value(value) for key, value in self.values.items()}


@dataclass
class SweepResult:
    """What ``sweep`` did: its folder, and a row per point (as in manifest.csv)."""

    folder: Path
    rows: list = field(default_factory=list)
    figures: list = field(default_factory=list)

    @property
    def failed(self) -> list:
        return [row for row in self.rows if row["status"] == "failed"]


def parse_grid(items: list[str]) -> dict[str, list[str]]:
    """``["a=1,2,3", "b=0:1:5"]`` → ``{"a": ["1", "2", "3"], "b": [5 values]}``
    (``start:stop:n`` is n evenly spaced values, ends included)."""
    grid = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key or not text:
            raise ConfigError(f"--grid {item}: expected key=v1,v2,... or key=start:stop:n")
        if text.count(":") == 2 and "," not in text:
            start, stop, n = text.split(":")
            try:
                values = np.linspace(float(start), float(stop), int(n))
            except ValueError:
                raise ConfigError(f"--grid {item}: start:stop:n needs two numbers and a "
                                  "count") from None
            grid[key.strip()] = [repr(float(v)) for v in values]
        else:
            grid[key.strip()] = [v.strip() for v in text.split(",") if v.strip()]
        if not grid[key.strip()]:
            raise ConfigError(f"--grid {item}: no values")
    return grid


def _point_seed(sweep_seed: int, key: str) -> int:
    words = np.frombuffer(hashlib.sha256(key.encode()).digest()[:16], dtype=np.uint32)
    child = np.random.SeedSequence(sweep_seed, spawn_key=tuple(int(w) for w in words))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> 1)


def _point_name(values: dict, seed_index: int) -> str:
    parts = [f"{k}={v}" for k, v in values.items()] + [f"seed{seed_index}"]
    readable = "_".join(parts).replace("/", "-").replace(" ", "")
    readable = "".join(ch if ch.isalnum() or ch in "=._-+" else "-" for ch in readable)
    digest = hashlib.sha1("\0".join(parts).encode()).hexdigest()[:6]
    return f"{readable[:80]}-{digest}"


def plan(experiment: str, grid: dict, seeds: int = 1, sweep_seed: int = 0,
         fixed: dict[str, str] | None = None) -> tuple[str, list[Point]]:
    """The sweep id and its points; values are checked and typed against the
    experiment's defaults (an unknown key or a wrong type is a ConfigError)."""
    exp = runner.load_experiment(experiment)
    seeds = as_int("seeds", seeds, minimum=1)
    fixed = dict(fixed or {})
    if "seed" in grid or "seed" in fixed:
        raise ConfigError("the sweep sets each point's seed; use --seeds N and --seed")
    base = apply_overrides(exp.defaults, fixed)
    points = []
    keys = list(grid)
    for combo in itertools.product(*(grid[k] for k in keys)):
        typed = apply_overrides(base, dict(zip(keys, combo)))
        exp.check(typed)
        values = {k: _get(typed, k) for k in keys}
        for index in range(seeds):
            key = json.dumps([exp.name, values, index], sort_keys=True)
            points.append(Point(values, index, _point_seed(sweep_seed, key),
                                _point_name(values, index)))
    ident = hashlib.sha1(json.dumps([exp.name, grid, seeds, sweep_seed, fixed],
                                    sort_keys=True).encode()).hexdigest()[:10]
    return ident, points


@contextmanager
def dask_executor(address: str):
    """A Dask executor: ``dask://HOST:PORT`` (a running scheduler) or ``dask-local``
    (a local cluster of single-threaded worker processes). Needs the extra [dist]."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("--executor needs dask.distributed: pip install "
                          "'neurosim[dist]'") from None
    if address == "dask-local":
        with LocalCluster(threads_per_worker=1, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client.get_executor()
    elif address.startswith("dask://"):
        with Client(address[len("dask://"):]) as client:
            yield client.get_executor()
    else:
        raise ConfigError(f"--executor {address}: expected dask://HOST:PORT or "
                          "dask-local")


def _get(config: dict, dotted: str):
    for part in dotted.split("."):
        config = config[part]
    return config


def run_point(experiment: str, overrides: dict, fixed: dict, seed: int, folder: str,
              make_plots: bool = False) -> float:
    """Run one point in this process (what executors call), with one BLAS thread
    (``blas.single_thread``: the same bits whichever executor runs it); returns wall
    seconds."""
    start = time.perf_counter()
    target = Path(folder)
    if target.exists():  # a previous, incomplete attempt: start afresh
        for item in target.iterdir():
            item.unlink()
    with blas.single_thread():
        runner.run(experiment, {**fixed, **overrides}, seed=seed, out=target,
                   make_plots=make_plots, argv=["neurosim", "sweep", experiment])
    return time.perf_counter() - start


def _run_point_isolated(experiment, overrides, fixed, seed, folder, make_plots,
                        numba_threads, cache_dir) -> float:
    """Run one point in a fresh Python process; a crash there raises here."""
    env = dict(os.environ)
    if numba_threads is not None:
        env["NUMBA_NUM_THREADS"] = str(numba_threads)
        env.setdefault("OPENBLAS_NUM_THREADS", str(numba_threads))
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = str(cache_dir)
    payload = json.dumps([experiment, overrides, fixed, seed, str(folder), make_plots])
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "neurosim.sweeps", payload], env=env,
                         capture_output=True, text=True)
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        how = f"killed by signal {-out.returncode}" if out.returncode < 0 else \
            f"exit code {out.returncode}"
        raise RuntimeError(f"point process {how}: {tail}")
    return time.perf_counter() - start


def sweep(experiment: str, grid: dict, seeds: int = 1, sweep_seed: int = 0,
          jobs: int = 1, executor: Executor | None = None,
          fixed: dict[str, str] | None = None, out=None, make_plots: bool = False,
          numba_threads: int | None = 1, cache_dir=None,
          show_progress: bool | None = None,
          summary_plots: bool = True) -> SweepResult:
    """Run ``experiment`` at every point of ``grid`` (key -> list of values, as text
    or numbers) times ``seeds`` seeds.

    Parameters
    ----------
    jobs : int
        Points at once on this machine (each in its own process when > 1).
    executor : concurrent.futures.Executor, optional
        Run points there instead (e.g. a Dask client's executor); ``jobs`` is then
        ignored.
    fixed : dict
        ``--set`` overrides applied to every point.
    out : path, optional
        Base folder (default ``runs/NAME``); the sweep goes in ``sweep-<id>/``.
    numba_threads : int or None
        Threads per point (None: numba's default).
    cache_dir : path, optional
        numba's compile cache for the points (e.g. node-local disk).
    summary_plots : bool
        Draw the experiment's ``sweep_plot`` figures from ``summary.h5`` (when it
        has one and a point completed); ``make_plots`` draws each point's own.
    """
    grid = {k: [str(v) if not isinstance(v, str) else v for v in vs]
            for k, vs in grid.items()}
    jobs = as_int("jobs", jobs, minimum=1)
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got "
                        f"{_show(executor)}")
    ident, points = plan(experiment, grid, seeds, sweep_seed, fixed)
    name = runner.load_experiment(experiment).name
    folder = (Path(out) if out is not None else runner.RUNS / name) / f"sweep-{ident}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sweep.json").write_text(json.dumps(
        {"experiment": name, "grid": grid, "seeds": seeds, "sweep_seed": sweep_seed,
         "fixed": fixed or {}}, indent=2, sort_keys=True))
    rows = {p.name: _row(p, folder / p.name / "results.h5") for p in points}
    todo = [p for p in points if rows[p.name]["status"] != "complete"]
    bar = progress(total=len(points), desc=f"sweep {name}", enabled=show_progress,
                   unit="point")
    bar.update(len(points) - len(todo))
    try:
        if todo and (executor is not None or jobs > 1):
            # one point first, alone and where the others run: it fills the compile
            # cache they share (the executor's workers', or cache_dir)
            first = todo[0]
            args = (name, first.overrides(), fixed or {}, first.seed,
                    str(folder / first.name), make_plots)
            if executor is not None:
                _finish(rows, first, _attempt(executor.submit(run_point, *args).result),
                        folder, bar)
            else:
                _finish(rows, first, _attempt(lambda: _run_point_isolated(
                    *args, numba_threads, cache_dir)), folder, bar)
            todo = todo[1:]
        if executor is None and jobs == 1:
            for p in todo:
                _finish(rows, p, _attempt(lambda p=p: run_point(
                    name, p.overrides(), fixed or {}, p.seed, str(folder / p.name),
                    make_plots)), folder, bar)
        else:
            own = executor is None
            pool = ThreadPoolExecutor(jobs) if own else executor
            try:
                if own:
                    futures = {pool.submit(_run_point_isolated, name, p.overrides(),
                                           fixed or {}, p.seed, str(folder / p.name),
                                           make_plots, numba_threads, cache_dir): p
                               for p in todo}
                else:
                    futures = {pool.submit(run_point, name, p.overrides(), fixed or {},
                                           p.seed, str(folder / p.name), make_plots): p
                               for p in todo}
                for future in as_completed(futures):
                    _finish(rows, futures[future], _attempt(future.result), folder, bar)
            finally:
                if own:
                    pool.shutdown()
    finally:
        bar.close()
        _write_manifest(folder, points, rows)
    _write_summary(folder, name, points, rows)
    result = SweepResult(folder, [rows[p.name] for p in points])
    module = runner.load_experiment(experiment).module
    if (summary_plots and hasattr(module, "sweep_plot")
            and len(result.failed) < len(points)):
        result.figures = list(module.sweep_plot(folder / "summary.h5", folder))
    return result


def _row(point: Point, path: Path) -> dict:
    done = is_complete(path)
    return {"point": point.name, **point.values, "seed_index": point.seed_index,
            "seed": point.seed, "status": "complete" if done else "pending",
            "seconds": "", "file": str(path) if done else "", "error": ""}


def _attempt(call):
    try:
        return call(), None
    except Exception as exc:  # a failed point must not stop the sweep
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return None, last


def _finish(rows, point, outcome, folder, bar):
    seconds, error = outcome
    path = folder / point.name / "results.h5"
    ok = error is None and is_complete(path)
    rows[point.name].update(status="complete" if ok else "failed",
                            seconds="" if seconds is None else f"{seconds:.3f}",
                            file=str(path) if ok else "",
                            error="" if ok else (error or "no complete results file"))
    bar.update(1)
    failed = sum(row["status"] == "failed" for row in rows.values())
    bar.set_postfix(failed=failed)


def _write_manifest(folder, points, rows):
    keys = list(points[0].values) if points else []
    fields = ["point", *keys, *MANIFEST_FIELDS[1:]]
    tmp = folder / "manifest.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for p in points:
            writer.writerow({k: rows[p.name].get(k, "") for k in fields})
    tmp.replace(folder / "manifest.csv")


def _write_summary(folder, name, points, rows):
    """summary.h5: per point its parameters (numeric ones) and scalar metrics."""
    summary = Results(name=f"{name}-sweep")
    summary.add("sweep/point", np.array([p.name for p in points]), units="1")
    summary.add("sweep/seed", np.array([p.seed for p in points]), units="1")
    summary.add("sweep/complete", np.array([rows[p.name]["status"] == "complete"
                                            for p in points]), units="1")
    for key in (points[0].values if points else {}):
        values = [p.values[key] for p in points]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            summary.add(f"sweep/parameters/{key}", np.array(values, dtype=float),
                        units="1")
    metrics: dict[str, list] = {}
    for row, p in enumerate(points):
        if rows[p.name]["status"] != "complete":
            continue
        for key, value in load_metrics(folder / p.name / "results.h5").items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                metrics.setdefault(key, [np.nan] * len(points))
                metrics[key][row] = float(value)
    for key, values in metrics.items():
        summary.add(f"sweep/metrics/{key}", np.array(values), units="1")
    summary.save(folder / "summary.h5")


if __name__ == "__main__":  # one point, run by _run_point_isolated
    _experiment, _overrides, _fixed, _seed, _folder, _plots = json.loads(sys.argv[1])
    try:
        run_point(_experiment, _overrides, _fixed, _seed, _folder, _plots)
    except Exception as _exc:  # report on one line, exit non-zero
        print(f"{type(_exc).__name__}: {_exc}", file=sys.stderr)
        sys.exit(1)
