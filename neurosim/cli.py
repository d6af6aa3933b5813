"""The ``neurosim`` command: list, run, plot and inspect experiments."""

from __future__ import annotations

import argparse
import sys

from . import io, runner
from .errors import ConfigError
from .export_nwb import export_nwb
from .sweeps import dask_executor, parse_grid, sweep


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    return key.strip(), value.strip()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurosim", description="Biophysical spiking-neuron simulation: run "
        "experiments, redraw their figures, inspect their results files.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="list the experiments")
    run = sub.add_parser("run", help="run an experiment into a new folder")
    run.add_argument("name", help="experiment name (see 'neurosim list') or a .py file")
    run.add_argument("--set", dest="overrides", action="append", default=[],
                     type=_key_value, metavar="KEY=VALUE",
                     help="override a configuration value (repeatable)")
    run.add_argument("--config", metavar="FILE.toml", help="configuration file")
    run.add_argument("--seed", type=int, help="seed (integer >= 0)")
    run.add_argument("--out", metavar="DIR",
                     help="folder to write (new or empty); default runs/NAME/<utc>-<hash>")
    run.add_argument("--no-plots", action="store_true", help="skip the figures")
    run.add_argument("--svg", action="store_true", help="an SVG copy of every figure")
    plot = sub.add_parser("plot", help="redraw the figures of a results file")
    plot.add_argument("file", metavar="FILE.h5")
    plot.add_argument("--out", metavar="DIR", help="folder for the figures "
                      "(default: the file's folder)")
    plot.add_argument("--svg", action="store_true", help="an SVG copy of every figure")
    info = sub.add_parser("info", help="say what a results file holds")
    info.add_argument("file", metavar="FILE.h5")
    sweep = sub.add_parser("sweep", help="run an experiment over a parameter grid")
    sweep.add_argument("name", help="experiment name (see 'neurosim list')")
    sweep.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                       help="values of a configuration key, or KEY=START:STOP:N "
                       "(repeatable; the points are all combinations; none: the "
                       "configuration as it is, at --seeds seeds)")
    sweep.add_argument("--seeds", type=int, default=1, help="seeds per grid point")
    sweep.add_argument("--seed", type=int, default=0, help="the sweep's seed")
    sweep.add_argument("--set", dest="overrides", action="append", default=[],
                       type=_key_value, metavar="KEY=VALUE",
                       help="a configuration value for every point (repeatable)")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("-j", "--jobs", type=int, default=1,
                       help="points at once on this machine, each in its own process")
    where.add_argument("--executor", metavar="dask://HOST:PORT | dask-local",
                       help="run the points on a Dask scheduler, or a local Dask cluster")
    sweep.add_argument("--out", metavar="DIR", help="base folder (default runs/NAME)")
    sweep.add_argument("--plots", action="store_true", help="draw each point's figures")
    sweep.add_argument("--no-plots", dest="plots", action="store_false",
                       help="no figures (the default; as 'neurosim run' takes it)")
    sweep.add_argument("--no-summary-plots", dest="summary_plots",
                       action="store_false", help="skip the figures an experiment "
                       "draws of the whole sweep (e.g. brunel's regime map)")
    sweep.add_argument("--threads", type=int, default=1,
                       help="numba threads per point (default 1)")
    sweep.add_argument("--cache-dir", metavar="DIR",
                       help="numba's compile cache for the points (e.g. node-local)")
    export = sub.add_parser("export", help="write a results file in another tool's "
                            "format")
    export.add_argument("file", metavar="FILE.h5")
    export.add_argument("--nwb", metavar="OUT.nwb", required=True,
                        help="write a Neurodata Without Borders file (needs pynwb: "
                        "the extra [nwb])")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (2 for usage and configuration errors)."""
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            for name, path in sorted(runner.discover().items()):
                summary = runner.load_experiment(name).summary
                print(f"{name:24s} {summary}")
        elif args.command == "run":
            folder = runner.run(args.name, dict(args.overrides), args.config, args.seed,
                                args.out, make_plots=not args.no_plots,
                                argv=["neurosim", *argv], svg=args.svg)
            print(folder)
        elif args.command == "plot":
            for path in runner.redraw(args.file, args.out, svg=args.svg):
                print(path)
        elif args.command == "info":
            print(io.describe(args.file))
        elif args.command == "export":
            print(export_nwb(args.file, args.nwb))
        elif args.command == "sweep":
            return _sweep(args)
    except ConfigError as exc:
        print(f"neurosim: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        if args.command == "export":  # an optional dependency is missing
            print(f"neurosim: error: {exc}", file=sys.stderr)
            return 2
        raise
    except (FileNotFoundError, ValueError, OSError) as exc:
        if args.command in ("plot", "info", "export"):
            print(f"neurosim: error: {exc}", file=sys.stderr)
            return 2
        raise
    return 0


def _sweep(args) -> int:
    """Run ``neurosim sweep``; returns 1 when a point failed."""
    grid = parse_grid(args.grid)  # none: the default configuration, --seeds times
    options = dict(seeds=args.seeds, sweep_seed=args.seed, fixed=dict(args.overrides),
                   out=args.out, make_plots=args.plots, numba_threads=args.threads,
                   cache_dir=args.cache_dir, summary_plots=args.summary_plots)
    if args.executor:
        with dask_executor(args.executor) as executor:
            result = sweep(args.name, grid, executor=executor, **options)
    else:
        result = sweep(args.name, grid, jobs=args.jobs, **options)
    print(result.folder)
    for path in result.figures:
        print(path)
    for row in result.failed:
        print(f"failed: {row['point']}: {row['error']}", file=sys.stderr)
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
