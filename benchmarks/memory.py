"""Peak memory of long experiment runs: ``neurosim run NAME --set t_stop=T --no-plots``
for T = 10, 100 and 1000 s, each run in its own child process.

Prints, per experiment and T, the child's peak resident set size (``ru_maxrss``
from ``os.wait4``, which reports that one child alone) and its wall time, and the
growth from the shortest run to the longest. Goal: communication-channel at
T = 1000 s within 50 MB of T = 10 s. A first short run of each experiment (not
reported) compiles and caches the kernels and decoders, so that every measured run
starts warm.

    python benchmarks/memory.py [--t-stop 10 100 1000] [--experiments channel integrator]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

#: What each experiment runs: the command line's NAME and its fixed ``--set``s.
EXPERIMENTS = {
    "channel": ("communication-channel", []),
    # one network of 1000 neurons (the figure's example) instead of 4 sizes x 5 seeds
    "integrator": ("integrator", ["n_neurons=1000", "n_seeds=1"]),
    "oscillator": ("oscillator", []),
}


def peak_rss(name: str, settings: list[str], t_stop: float) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one ``neurosim run`` in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        argv = [sys.executable, "-m", "neurosim.cli", "run", name, "--no-plots",
                "--out", os.path.join(folder, "run"), "--set", f"t_stop={t_stop:g}"]
        for setting in settings:
            argv += ["--set", setting]
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
        stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({child.returncode}):\n"
                               f"{stderr.decode(errors='replace')}")
    return usage.ru_maxrss / 1024, seconds  # Linux reports KiB


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--t-stop", type=float, nargs="+", default=[10.0, 100.0, 1000.0])
    parser.add_argument("--experiments", nargs="+", choices=sorted(EXPERIMENTS),
                        default=["channel", "integrator"])
    opts = parser.parse_args(argv)
    print(f"{'experiment':>22} {'t_stop s':>9} {'peak RSS MB':>12} {'wall s':>8}")
    for key in opts.experiments:
        name, settings = EXPERIMENTS[key]
        peak_rss(name, settings, 1.0)  # warm the kernel and decoder caches
        peaks = []
        for t_stop in opts.t_stop:
            mb, seconds = peak_rss(name, settings, t_stop)
            peaks.append(mb)
            print(f"{name:>22} {t_stop:9g} {mb:12.0f} {seconds:8.1f}", flush=True)
        print(f"{name:>22} growth {opts.t_stop[0]:g} -> {opts.t_stop[-1]:g} s: "
              f"{peaks[-1] - peaks[0]:+.0f} MB")


if __name__ == "__main__":
    main()
