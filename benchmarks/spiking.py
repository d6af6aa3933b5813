"""What ``cuba.py`` and ``cobahh.py`` share: one network described for neurosim and
for Brian2, built on each simulator, run in turns, and its spikes summarised.

The simulators ("sides"):

* ``neurosim``;
* ``brian2 <target>``: Brian2's runtime mode with code generation to Cython when a
  test compilation works (else numpy; ``--brian2-target`` chooses);
* ``brian2 cpp_standalone``: Brian2's C++ standalone mode, when a C++ compiler and
  make exist; every build is a fresh device in a fresh temporary directory;
* ``nest 1 thread``, ``nest 2 threads`` (``--nest-threads``): NEST's built-in
  models, when ``import nest`` works, each side in a child process of its own
  (``nest_networks.py``; NEST and Brian2 never share a process).

Times (wall clock, ``time.perf_counter``):

* neurosim: build = the network description + ``Simulator()`` (kernels compiled and
  cached beforehand, on a small copy of the network); run = ``sim.run(t_stop)``.
* Brian2 runtime: build = the description + ``Network.run(0 s)``, which generates and
  compiles every code object and creates the synapses (Cython's cache warmed
  beforehand on a small copy of the network, as for neurosim); run =
  ``Network.run(t_stop)`` (which regenerates its code objects from the cache again
  before stepping: Brian2 does that on every run).
* Brian2 cpp_standalone: build = the description + ``device.build(run=False)`` (C++
  generation and a cold compilation, ``make -j<cores>``) + the compiled program's
  set-up on its first run (synapse creation, initial values: the program's wall time
  less its time-step loop); run = the time-step loop only, as the program measures
  it (``Network::_last_run_time``, read back as ``device._last_run_time``). Each
  repeat runs the compiled program again from t = 0 (``device.run()``).

* NEST: build = a fresh kernel + the description (``Create``, ``Connect``) +
  ``nest.Prepare()`` (the connection infrastructure); run = ``nest.Run(t_stop)``,
  repeats continuing the simulation.

Every side but ``nest 2 threads`` runs single-threaded. Spike statistics come from
each side's first run: the mean firing rate (spikes / neurons / t_stop) and the
mean over neurons with at least 3 spikes of the coefficient of variation of their
inter-spike intervals (population standard deviation / mean). ``--seeds K`` builds K networks per side
(seeds ``--seed`` on): the times are the fastest, the statistics the means. The
networks are chaotic: one seed's rate varies by several per cent from seed to seed
(COBAHH's by about 10 %), on every simulator, so agreement is judged over seeds.

``--memory`` runs every (side, N) in a fresh process of its own (the script calls
itself with ``--one SIDE N`` and reads one JSON line back) and reports the process's
peak resident set during the build and the runs (``VmHWM`` in ``/proc/self/status``
after resetting the peak through ``/proc/self/clear_refs`` just before the build, so
that neither the imports nor the warm-up compilation count; where that reset fails,
``getrusage(RUSAGE_SELF).ru_maxrss``, the peak since start-up, and the table says so)
and its growth over the resident set just before the build; for cpp_standalone the
peak of the compiled program itself (a wrapper runs it and reads
``getrusage(RUSAGE_CHILDREN)``), the Python process that generated it being reported
beside it. One seed (``--seed``) per (side, N); the sides do not take turns. NEST
is left out of ``--memory``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

os.environ.setdefault("NEUROSIM_CACHE_DIR", "off")

import neurosim as ns

DT = 1e-4  # s
NEUROSIM = "neurosim"
CPP = "brian2 cpp_standalone"
#: runs the compiled standalone program and writes its peak RSS (KiB) to a file
RSS_WRAPPER = ("import os, resource, subprocess, sys\n"
               "rc = subprocess.call(sys.argv[1:])\n"
               "with open(os.environ['SPIKING_BENCH_RSS'], 'w') as f:\n"
               "    ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
               "    f.write(str(ru.ru_maxrss))\n"
               "sys.exit(rc)\n")


@dataclass
class Model:
    """A network for both simulators.

    ``neurosim(net, n, p)`` describes it in ``net`` and returns its groups in neuron
    order (their ids are numbered on across them); ``brian2(b2, n, p)`` returns
    (objects to put in a ``Network``, the ``SpikeMonitor`` of all neurons, the
    ``Synapses`` objects); ``nest(nest, n, p, rng)``, run in a NEST worker process,
    returns the ``NodeCollection`` of all neurons in id order. ``nest_check(ask)``,
    run before the measurements when NEST is there, prints a check of the NEST
    description (``ask(name, *args)`` calls the script's function ``name(nest,
    *args)`` in a NEST worker)."""

    name: str
    neurosim: Callable
    brian2: Callable
    nest: Callable | None = None
    nest_check: Callable | None = None


def spike_stats(times, ids, n, t_stop):
    """(mean rate in Hz, mean ISI CV over neurons with >= 3 spikes, how many)."""
    times = np.asarray(times, dtype=float)
    ids = np.asarray(ids, dtype=np.int64)
    rate = times.size / (n * t_stop)
    order = np.lexsort((times, ids))
    t, i = times[order], ids[order]
    same = np.diff(i) == 0
    isi, seg = np.diff(t)[same], i[1:][same]
    k = np.bincount(seg, minlength=n)
    mean = np.bincount(seg, isi, minlength=n) / np.maximum(k, 1)
    var = np.bincount(seg, (isi - mean[seg]) ** 2, minlength=n) / np.maximum(k, 1)
    counted = (k >= 2) & (mean > 0)
    cv = np.sqrt(var[counted]) / mean[counted]
    return rate, (float(cv.mean()) if cv.size else float("nan")), int(counted.sum())


def probability(n):
    """80 synapses per neuron from each network size: p = 80 / N (0.02 at 4000)."""
    return min(1.0, 80.0 / n)


# -- neurosim --------------------------------------------------------------------------
def ours(model, n, seed, t_stop):
    """Build ``model`` in neurosim: (build seconds, synapses, ``run``, ``close``);
    ``run()`` continues the simulation by t_stop and returns (seconds, spike times,
    spike ids) of the run just made."""
    start = time.perf_counter()
    net = ns.Network(label=model.name)
    groups = model.neurosim(net, n, probability(n))
    for group in groups:
        net.probe(group, "spikes")
    sim = ns.Simulator(net, dt=DT, seed=seed, progress=False)
    build = time.perf_counter() - start
    offsets = np.cumsum([0] + [g.n_neurons for g in groups])
    seen = {g.label: 0 for g in groups}

    def run():
        start = time.perf_counter()
        res = sim.run(t_stop)
        seconds = time.perf_counter() - start
        times, ids = [], []
        for group, offset in zip(groups, offsets):
            trains = res.spikes[group.label] if group.label in res.spikes else None
            t = np.asarray(trains.times) if trains is not None else np.empty(0)
            i = np.asarray(trains.ids) if trains is not None else np.empty(0, int)
            times.append(t[seen[group.label]:])
            ids.append(i[seen[group.label]:] + offset)
            seen[group.label] = t.size
        return seconds, np.concatenate(times), np.concatenate(ids)
    return build, sum(sim.model.sparse.n_synapses.values()), run, sim.close


# -- Brian2 ----------------------------------------------------------------------------
def brian2_or_why():
    """(brian2, None), or (None, why it cannot be used)."""
    try:
        import brian2
    except Exception as exc:  # ImportError, or brian2 2.9 under numpy >= 2.4
        return None, f"{type(exc).__name__}: {exc}"
    brian2.prefs.logging.console_log_level = "WARNING"
    return brian2, None


def brian2_target(b2, wanted="auto"):
    """The runtime code generation target: Cython if it compiles here, else numpy."""
    if wanted != "auto":
        return wanted
    from brian2.codegen.runtime.cython_rt import CythonCodeObject
    return "cython" if CythonCodeObject.is_available() else "numpy"


def compiler_or_why():
    """None when cpp_standalone can compile here, else why not."""
    cxx = os.environ.get("CXX", "g++")
    missing = [tool for tool in (cxx, "make") if shutil.which(tool) is None]
    return f"no {' or '.join(missing)} on PATH" if missing else None


def theirs(model, n, seed, t_stop, b2, target):
    """``ours`` in Brian2's runtime mode with code generation ``target``."""
    b2.set_device("runtime")
    b2.prefs.codegen.target = target
    start = time.perf_counter()
    b2.start_scope()
    b2.defaultclock.dt = DT * b2.second
    b2.seed(seed)
    objects, monitor, synapses = model.brian2(b2, n, probability(n))
    net = b2.Network(*objects)
    net.run(0 * b2.second, namespace={})  # code generation, compilation, synapses
    build = time.perf_counter() - start
    count = sum(len(s) for s in synapses)
    seen = [0]

    def run():
        b2.set_device("runtime")
        start = time.perf_counter()
        net.run(t_stop * b2.second, namespace={})
        seconds = time.perf_counter() - start
        t, i = np.asarray(monitor.t[:] / b2.second), np.asarray(monitor.i[:])
        out = seconds, t[seen[0]:], i[seen[0]:]
        seen[0] = t.size
        return out
    return build, count, run, lambda: None


def theirs_cpp(model, n, seed, t_stop, b2, rss_file=None):
    """``ours`` in Brian2's C++ standalone mode: a fresh device and directory."""
    from brian2.devices.device import all_devices
    device = all_devices["cpp_standalone"]
    if device.has_been_run or device.code_objects:
        device.reinit()
    directory = tempfile.mkdtemp(prefix=f"{model.name}_cpp_")
    b2.set_device("cpp_standalone", build_on_run=False, directory=directory)
    b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    if rss_file is not None:
        os.environ["SPIKING_BENCH_RSS"] = rss_file
        b2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, "-c",
                                                        RSS_WRAPPER, "./main"]
    start = time.perf_counter()
    b2.start_scope()
    b2.defaultclock.dt = DT * b2.second
    b2.seed(seed)
    objects, monitor, synapses = model.brian2(b2, n, probability(n))
    net = b2.Network(*objects)
    net.run(t_stop * b2.second, namespace={})  # recorded; the program runs it
    device.build(directory=directory, run=False, with_output=False)
    build = time.perf_counter() - start
    b2.set_device("runtime")  # the other sides' turns; this device stays usable
    state = {"first": True, "count": 0}

    def run():
        device.run(directory=directory, with_output=False)
        seconds = device._last_run_time
        if state["first"]:
            extra[0] = device.timers["run_binary"] - seconds
            state["count"] = sum(len(s) for s in synapses)
            state["first"] = False
        return (seconds, np.asarray(monitor.t[:] / b2.second),
                np.asarray(monitor.i[:]))

    def close():
        shutil.rmtree(directory, ignore_errors=True)
    extra = [0.0]
    return build, state, run, close, extra


# -- measuring -------------------------------------------------------------------------
def sides_here(opts, model=None):
    """The sides that can run here, [(name, builder)], after saying what is skipped;
    the Brian2 module (or None) and the NEST workers ([] when NEST is not used)."""
    sides = [(NEUROSIM, lambda m, n, s, t: ours(m, n, s, t))]
    b2, why = brian2_or_why()
    if b2 is None:
        print(f"brian2 is not usable ({why}; pip install '.[bench]'): Brian2 skipped")
    else:
        target = brian2_target(b2, opts.brian2_target)
        sides.append((f"brian2 {target}",
                      lambda m, n, s, t: theirs(m, n, s, t, b2, target)))
        why = compiler_or_why() if not opts.no_cpp else "--no-cpp"
        if why:
            print(f"cpp_standalone skipped: {why}")
        else:
            sides.append((CPP, None))
    workers = []
    if model is not None and model.nest is not None and not opts.no_nest:
        import nest_networks
        workers, why = nest_networks.workers_or_why(
            inspect.getsourcefile(model.nest), opts.nest_threads)
        if why:
            print(f"NEST is not usable ({why}; pip install nest-simulator): NEST "
                  "skipped")
        for worker in workers:
            k = worker.threads
            sides.append((f"nest {k} thread{'s' if k > 1 else ''}",
                          _nest_builder(worker)))
    return sides, b2, workers


def _nest_builder(worker):
    build = worker.builder()
    return lambda m, n, s, t: build(m, n, s, t, probability(n))


def build_side(name, builder, model, n, seed, t_stop, b2, rss_file=None):
    """Uniform (build s, synapse count getter, run, close) for every side."""
    if name == CPP:
        build, state, run, close, extra = theirs_cpp(model, n, seed, t_stop, b2,
                                                     rss_file)
        return build, (lambda: state["count"]), run, close, extra
    build, count, run, close = builder(model, n, seed, t_stop)
    return build, (lambda: count), run, close, [0.0]


def warm_up(model, sides, seed):
    """Compile neurosim's kernels and Brian2's Cython code on a small copy of the
    network, outside every timing."""
    for name, builder in sides:
        if name == CPP or name.startswith("nest"):  # nothing compiled at run time
            continue
        _, _, run, close = builder(model, 200, seed, 0.01)
        run()
        close()


def measure(model, sides, b2, n, seeds, t_stop, repeats):
    """Per seed, every side built, then the sides take turns running t_stop,
    ``repeats`` times: {side: (build s and run s (the fastest), synapses (first
    seed), rate, CV, neurons in the CV (means over the seeds of the first runs))}."""
    builds, runs, counts, stats = {}, {}, {}, {}
    for seed in seeds:
        built = {}
        for name, builder in sides:
            try:
                built[name] = build_side(name, builder, model, n, seed, t_stop, b2)
            except Exception as exc:  # a failed compilation, say: report, go on
                print(f"{name} failed to build ({type(exc).__name__}: {exc}): skipped")
        for repeat in range(repeats):
            for name, (_, _, run, _, _) in built.items():
                seconds, times, ids = run()
                runs.setdefault(name, []).append(seconds)
                if repeat == 0:
                    stats.setdefault(name, []).append(spike_stats(times, ids, n,
                                                                  t_stop))
        for name, (build, count, _, close, extra) in built.items():
            builds.setdefault(name, []).append(build + extra[0])
            counts.setdefault(name, count())
            close()
    return {name: (min(builds[name]), min(runs[name]), counts[name],
                   *np.mean(stats[name], axis=0)) for name in builds}


def report(found, n):
    print(f"{'N':>7} {'side':>22} {'synapses':>9} {'build s':>8} {'run s':>8} "
          f"{'rate Hz':>8} {'ISI CV':>7} {'(neurons)':>9}")
    for name, (build, run, count, rate, cv, counted) in found.items():
        print(f"{n:7d} {name:>22} {count:9d} {build:8.2f} {run:8.3f} {rate:8.2f} "
              f"{cv:7.3f} {counted:9.0f}")
    if NEUROSIM not in found:
        return
    b_ours, r_ours, _, rate_ours, cv_ours, _ = found[NEUROSIM]
    for name, (build, run, _, rate, cv, _) in found.items():
        if name == NEUROSIM:
            continue
        rel = abs(rate_ours - rate) / rate if rate else float("inf")
        ok = "within" if rel <= 0.10 and abs(cv_ours - cv) <= 0.1 else "OUTSIDE"
        print(f"{'':7} {name} / neurosim: run time {run / r_ours:.2f}x, build time "
              f"{build / b_ours:.3g}x; rates differ by {100 * rel:.1f} %, CVs by "
              f"{cv_ours - cv:+.3f} ({ok} 10 % / 0.1)")


# -- memory: one (side, N) per process -------------------------------------------------
def rss_now_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def peak_kib(reset):
    """The peak resident set: VmHWM once reset (RUSAGE_SELF's maxrss also keeps the
    peak of threads that have exited), else the process's ru_maxrss."""
    if reset:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def one(model, opts, name, n):
    """Worker of --memory: prints one JSON line for ``name`` at ``n`` neurons."""
    b2 = None
    if name != NEUROSIM:
        b2, why = brian2_or_why()
        if b2 is None:
            raise SystemExit(why)
    target = name.split()[1] if name != NEUROSIM else None
    sides = [(NEUROSIM, lambda m, k, s, t: ours(m, k, s, t))]
    if target not in (None, "cpp_standalone"):
        sides = [(name, lambda m, k, s, t: theirs(m, k, s, t, b2, target))]
    elif target == "cpp_standalone":
        sides = [(CPP, None)]
    warm_up(model, sides, opts.seed)
    base = rss_now_kib()
    try:  # the peak from here on: not the imports' or numba's warm-up compilation
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    rss_file = tempfile.mktemp(suffix=".rss") if name == CPP else None
    build, count, run, close, extra = build_side(name, sides[0][1], model, n, opts.seed,
                                                 opts.t_stop, b2, rss_file)
    runs = []
    for repeat in range(opts.repeats):
        seconds, times, ids = run()
        runs.append(seconds)
        if repeat == 0:
            rate, cv, counted = spike_stats(times, ids, n, opts.t_stop)
    out = {"side": name, "n": n, "build_s": build + extra[0], "run_s": min(runs),
           "synapses": count(), "rate_hz": rate, "cv": cv,
           "peak_mib": peak_kib(reset) / 1024,
           "before_build_mib": base / 1024, "peak_since_build": reset}
    if rss_file is not None:
        with open(rss_file) as f:
            out["program_peak_mib"] = int(f.read()) / 1024
        os.unlink(rss_file)
    close()
    print("JSON " + json.dumps(out))


def memory(model, opts, sides):
    print(f"{'N':>7} {'side':>22} {'synapses':>9} {'build s':>8} {'run s':>8} "
          f"{'rate Hz':>8} {'ISI CV':>7} {'peak MiB':>9} {'growth MiB':>10}")
    for n in opts.neurons:
        for name, _ in sides:
            command = [sys.executable, sys.argv[0], "--one", name, str(n),
                       "--t-stop", str(opts.t_stop), "--repeats", str(opts.repeats),
                       "--seed", str(opts.seed), "--brian2-target", opts.brian2_target]
            done = subprocess.run(command, capture_output=True, text=True)
            lines = [ln for ln in done.stdout.splitlines() if ln.startswith("JSON ")]
            if done.returncode or not lines:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
                print(f"{n:7d} {name:>22} failed: {' '.join(tail)}")
                continue
            r = json.loads(lines[-1][5:])
            if "program_peak_mib" in r:  # the compiled program; Python's beside it
                peak, growth = r["program_peak_mib"], r["program_peak_mib"]
                note = f"  (program; generating Python process {r['peak_mib']:.0f})"
            else:
                peak, growth = r["peak_mib"], r["peak_mib"] - r["before_build_mib"]
                note = "" if r["peak_since_build"] else "  (peak since start-up)"
            print(f"{n:7d} {name:>22} {r['synapses']:9d} {r['build_s']:8.2f} "
                  f"{r['run_s']:8.3f} {r['rate_hz']:8.2f} {r['cv']:7.3f} {peak:9.0f} "
                  f"{growth:10.0f}{note}", flush=True)


def main(model, doc, argv=None, default_neurons=(4000,)):
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--neurons", type=int, nargs="+", default=list(default_neurons),
                        help="network sizes N (80 %% excitatory, p = 80 / N)")
    parser.add_argument("--t-stop", type=float, default=1.0, help="s")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of t_stop per simulator; the fastest counts")
    parser.add_argument("--seed", type=int, default=1, help="the first seed")
    parser.add_argument("--seeds", type=int, default=1,
                        help="networks per N (seeds --seed, --seed + 1, ...): the "
                             "fastest times, the mean statistics; one network's rate "
                             "and CV vary by several %% from seed to seed")
    parser.add_argument("--brian2-target", default="auto",
                        choices=["auto", "cython", "numpy"],
                        help="Brian2's runtime code generation (auto: cython if it "
                             "compiles, else numpy)")
    parser.add_argument("--no-cpp", action="store_true",
                        help="skip Brian2's cpp_standalone mode")
    parser.add_argument("--no-nest", action="store_true", help="skip NEST")
    parser.add_argument("--nest-threads", type=int, nargs="+", default=[1, 2],
                        help="a NEST side per thread count (local_num_threads)")
    parser.add_argument("--memory", action="store_true",
                        help="each (simulator, N) in a process of its own, with its "
                             "peak memory (the sides do not take turns)")
    parser.add_argument("--one", nargs=2, metavar=("SIDE", "N"), help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.one:
        one(model, opts, opts.one[0], int(opts.one[1]))
        return
    sides, b2, workers = sides_here(opts, None if opts.memory else model)
    try:
        names = [name for name, _ in sides]
        if b2 is not None:
            print(f"brian2 {b2.__version__}, runtime code generation: "
                  f"{names[1].split()[1]}; numpy {np.__version__}")
        if workers:
            print(f"NEST {workers[0].version}, threads: "
                  f"{', '.join(str(w.threads) for w in workers)}")
        print(f"{model.name}: 80 % excitatory, p = 80 / N, {opts.t_stop:g} s at dt = "
              f"{DT * 1e3:g} ms, fastest of {opts.repeats} runs"
              + ("" if opts.memory else f", {opts.seeds} seed(s) from {opts.seed}"))
        if opts.memory:
            print("(NEST is not measured with --memory)")
            memory(model, opts, sides)
            return
        if workers and model.nest_check is not None:
            model.nest_check(lambda name, *args: workers[0].ask(
                op="call", name=name, args=list(args))["result"])
        warm_up(model, sides, opts.seed)
        for n in opts.neurons:
            seeds = range(opts.seed, opts.seed + opts.seeds)
            report(measure(model, sides, b2, n, seeds, opts.t_stop, opts.repeats), n)
    finally:
        for worker in workers:
            worker.quit()
