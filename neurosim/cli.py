"""The ``neurosim`` command: list, run, plot and inspect experiments."""

from __future__ import annotations

import argparse
import sys

from . import io, runner
from .errors import ConfigError


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
    plot = sub.add_parser("plot", help="redraw the figures of a results file")
    plot.add_argument("file", metavar="FILE.h5")
    plot.add_argument("--out", metavar="DIR", help="folder for the figures "
                      "(default: the file's folder)")
    info = sub.add_parser("info", help="say what a results file holds")
    info.add_argument("file", metavar="FILE.h5")
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
                                argv=["neurosim", *argv])
            print(folder)
        elif args.command == "plot":
            for path in runner.redraw(args.file, args.out):
                print(path)
        elif args.command == "info":
            print(io.describe(args.file))
    except ConfigError as exc:
        print(f"neurosim: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError, OSError) as exc:
        if args.command in ("plot", "info"):
            print(f"neurosim: error: {exc}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
