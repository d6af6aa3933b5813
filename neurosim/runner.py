"""Experiments: discovery, configuration, run folders, and redrawing figures.

An experiment is a file ``experiments/<name>.py`` (``neurosim run my-name`` finds
``my_name.py``) exposing ``CONFIG`` (a dict of defaults) and
``run(config, out) -> Results``, and optionally ``plot(results, outdir) -> list of
paths`` and ``check(config)``, which raises ``ConfigError`` for a configuration it
cannot run (before anything is written), and ``sweep_plot(summary_path, outdir)
-> list of paths``, the figures of a whole sweep from its ``summary.h5``. Extra folders to search can be listed in ``NEUROSIM_EXPERIMENTS``
(separated by ``os.pathsep``); ``NAME`` may also be a path to such a file.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import hashlib
import importlib.util
import logging
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from . import plots, provenance
from .config import apply_overrides, check_defaults, merge_file, to_toml
from .errors import ConfigError
from .results import Results

REPO_EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"
RUNS = Path("runs")
log = logging.getLogger("neurosim")


@dataclass
class _RunContext:
    name: str
    config: dict
    folder: Path
    argv: list | None
    writer: object = None


_CURRENT: contextvars.ContextVar[_RunContext | None] = contextvars.ContextVar(
    "neurosim_run", default=None)


def results_writer():
    """An open ``ResultsWriter`` on the current run's ``results.h5`` (with its name
    and provenance), for experiments that stream their results as they run (e.g.
    ``Simulator(..., stream=results_writer())``): a run killed midway then leaves a
    readable ``results.h5.partial``. The runner closes it if the experiment did not,
    adding the metrics of the ``Results`` the experiment returns."""
    from .io import ResultsWriter
    context = _CURRENT.get()
    if context is None:
        raise RuntimeError("results_writer() is for experiments run by neurosim.runner")
    if context.writer is None:
        context.writer = ResultsWriter(
            context.folder / "results.h5", name=context.name,
            provenance=provenance.collect(context.config, context.config["seed"],
                                          context.argv), crash_safe=True)
    return context.writer


def experiment_dirs() -> list[Path]:
    """Folders searched for experiments, in order."""
    extra = [Path(p) for p in os.environ.get("NEUROSIM_EXPERIMENTS", "").split(
        os.pathsep) if p]
    return extra + [REPO_EXPERIMENTS]


def discover() -> dict[str, Path]:
    """Experiment name -> file, for every ``*.py`` not starting with ``_``."""
    found = {}
    for folder in experiment_dirs():
        for file in sorted(folder.glob("*.py")):
            if not file.name.startswith("_"):
                found.setdefault(file.stem.replace("_", "-"), file)
    return found


@dataclass
class Experiment:
    """A loaded experiment module."""

    name: str
    path: Path
    module: ModuleType

    @property
    def summary(self) -> str:
        """First line of the module docstring."""
        doc = (self.module.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    @property
    def defaults(self) -> dict:
        """``CONFIG`` with a ``seed`` entry (0 unless the experiment sets one)."""
        return {"seed": 0, **self.module.CONFIG}

    def check(self, config: dict):
        """The experiment's own checks of a resolved configuration, if it has any;
        a ValueError or TypeError from them becomes a ConfigError."""
        check = getattr(self.module, "check", None)
        if check is None:
            return
        try:
            check(config)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{self.name}: {exc}") from exc

    def run(self, config: dict, out: Path) -> Results:
        results = self.module.run(config, out)
        if not isinstance(results, Results):
            raise TypeError(f"experiment {self.name!r}: run() must return Results, got "
                            f"{type(results).__name__}")
        results.name = self.name
        results.config = config
        results.seed = config["seed"]
        return results

    def plot(self, results: Results, outdir: Path) -> list[Path]:
        plot = getattr(self.module, "plot", None)
        if plot is None:
            return plots.plot_results(results, outdir)
        return list(plot(results, outdir))


def load_experiment(name: str) -> Experiment:
    """The experiment called ``name`` (or the file at that path)."""
    candidate = Path(name)
    if name.endswith(".py") and candidate.is_file():
        path, name = candidate.resolve(), candidate.stem.replace("_", "-")
    else:
        available = discover()
        if name not in available:
            raise ConfigError(f"unknown experiment {name!r}; available: "
                              f"{', '.join(sorted(available)) or 'none'}")
        path = available[name]
    spec = importlib.util.spec_from_file_location(
        f"neurosim_experiments.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    for attr in ("CONFIG", "run"):
        if not hasattr(module, attr):
            raise ConfigError(f"experiment {name!r} ({path}) has no {attr}")
    check_defaults(module.CONFIG, f"{name}.CONFIG")
    return Experiment(name, path, module)


def resolve_config(experiment: Experiment, overrides: dict[str, str] | None = None,
                   config_file=None, seed: int | None = None) -> dict:
    """Defaults, then a TOML file, then ``--set`` overrides, then ``--seed``."""
    config = experiment.defaults
    if config_file is not None:
        config = merge_file(config, config_file)
    config = apply_overrides(config, overrides or {})
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ConfigError(f"--seed must be an integer >= 0, got {seed!r}")
        config["seed"] = seed
    if not isinstance(config["seed"], int) or config["seed"] < 0:
        raise ConfigError(f"seed must be an integer >= 0, got {config['seed']!r}")
    experiment.check(config)
    return config


def run_folder(name: str, config: dict, base: Path = RUNS) -> Path:
    """A new ``base/<name>/<utc>-<hash of the config>`` folder."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    digest = hashlib.sha1(to_toml(config).encode()).hexdigest()[:8]
    folder = base / name / f"{stamp}-{digest}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = base / name / f"{stamp}-{digest}-{suffix}"
    return folder


def run(name: str, overrides: dict[str, str] | None = None, config_file=None,
        seed: int | None = None, out=None, make_plots: bool = True,
        argv: list[str] | None = None, svg: bool = False) -> Path:
    """Run an experiment and write its folder; returns the folder.

    The folder holds ``results.h5``, ``config.toml`` (the resolved configuration),
    ``log.txt`` and the figures (PNG; SVG copies too with ``svg``). ``out`` names the folder (new or empty); by default
    it is ``runs/<name>/<utc>-<hash>``. Configuration errors raise ``ConfigError``
    before anything is written.
    """
    experiment = load_experiment(name)
    config = resolve_config(experiment, overrides, config_file, seed)
    if out is None:
        folder = run_folder(experiment.name, config)
    else:
        folder = Path(out)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise ConfigError(f"--out {folder}: exists and is not an empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(to_toml(config), encoding="utf-8")
    handler = logging.FileHandler(folder / "log.txt", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: "
                                           "%(message)s"))
    log.addHandler(handler)
    previous_level = log.level
    log.setLevel(logging.INFO)
    start = time.perf_counter()
    try:
        log.info("experiment %s (%s), seed %d", experiment.name, experiment.path,
                 config["seed"])
        log.info("config:\n%s", to_toml(config))
        context = _RunContext(experiment.name, config, folder, argv)
        token = _CURRENT.set(context)
        try:
            results = experiment.run(config, folder)
        finally:
            _CURRENT.reset(token)
        if context.writer is not None:  # streamed: the file is the result
            if not context.writer.closed and results is not None and results.metrics:
                context.writer.metrics(results.metrics)
            path = context.writer.close(complete=True)
        else:
            path = results.save(folder / "results.h5", provenance=provenance.collect(
                config, config["seed"], argv))
        log.info("results written to %s", path)
        if make_plots:
            with plots.svg_copies(svg):
                for figure in experiment.plot(Results.load(path), folder):
                    log.info("figure %s", figure)
        log.info("finished in %.2f s", time.perf_counter() - start)
    except BaseException:
        log.error("failed after %.2f s:\n%s", time.perf_counter() - start,
                  traceback.format_exc())
        raise
    finally:
        log.removeHandler(handler)
        handler.close()
        log.setLevel(previous_level)
    return folder


def redraw(results_path, outdir=None, svg: bool = False) -> list[Path]:
    """Draw the figures of a results file from the file alone.

    Uses the experiment's own ``plot`` when the experiment is known, the generic
    figures otherwise; ``outdir`` defaults to the file's folder; ``svg`` adds SVG
    copies of the PNGs.
    """
    results_path = Path(results_path)
    results = Results.load(results_path)
    outdir = Path(outdir) if outdir is not None else results_path.parent
    with plots.svg_copies(svg):
        if results.name and results.name in discover():
            return load_experiment(results.name).plot(results, outdir)
        return plots.plot_results(results, outdir)
