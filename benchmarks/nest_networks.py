"""NEST as a peer of ``cuba.py`` and ``cobahh.py``: each NEST side (one per thread
count) is a child process of its own, started from ``spiking.py``, that builds a
network on request and runs it on request, so that it takes turns with neurosim and
Brian2 as they take turns with each other, and two NEST kernels (1 and 2 threads)
live side by side. Nothing of NEST is imported into the benchmark process itself.

The networks are described with NEST's built-in models in the benchmark scripts
(``in_nest(nest, n, p, rng)`` in ``cuba.py`` and ``cobahh.py``); this file holds
the kernel set-up, the timing and the protocol.

Times (wall clock, ``time.perf_counter``, in the child):

* build = ``ResetKernel`` and the kernel's settings (resolution 0.1 ms, threads,
  ``rng_seed``) + the network description (``Create``, ``Connect``) +
  ``nest.Prepare()``, which sets up the connection infrastructure (NEST does that
  on the first run otherwise) and every node for the runs;
* run = ``nest.Run(t_stop)``; repeats continue the simulation (as neurosim's), and
  the spikes of each run are the spike recorder's events past the previous ones.

The workers run with ``OMP_WAIT_POLICY=PASSIVE`` unless it is set: NEST's
OpenMP threads meet at a barrier every min_delay (here every 0.1 ms step), and
where the cores are shared with other jobs, threads spinning at those barriers
made the 2-thread runs 10-20 times slower than 1 thread (COBAHH at N = 400 on the
2-core machine: 37 s instead of 1.7 s).

The child speaks JSON lines on stdin / stdout (``JSON {...}`` replies; whatever
else NEST prints is passed to stderr). If ``import nest`` fails, it replies with
the error and ``spiking.py`` prints a note and leaves NEST out.

    python benchmarks/nest_networks.py --serve benchmarks/cuba.py 1   # a worker
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DT_MS = 0.1


def _reply(**fields):
    sys.stdout.write("JSON " + json.dumps(fields) + "\n")
    sys.stdout.flush()


def _load(path):
    """The benchmark script at ``path`` as a module (``spiking`` importable)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("nest_model_" + os.path.basename(
        path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kernel(nest, seed, threads):
    """A fresh kernel: dt 0.1 ms, ``threads`` threads, NEST's RNG seeded."""
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": DT_MS, "local_num_threads": int(threads),
                          "rng_seed": int(seed), "print_time": False})


def serve(model_path, threads):
    """The worker loop of one NEST side."""
    os.environ.setdefault("PYNEST_QUIET", "1")  # no banner
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # anything NEST or an import prints
    try:
        import nest
        nest.verbosity = nest.VerbosityLevel.ERROR
    except Exception as exc:  # ImportError, a missing shared library, ...
        sys.stdout = real_stdout
        _reply(error=f"{type(exc).__name__}: {exc}")
        return
    model = _load(model_path)
    sys.stdout = real_stdout
    _reply(ready=nest.__version__, threads=threads)
    state = {}
    for line in sys.stdin:
        msg = json.loads(line)
        op = msg["op"]
        try:
            if op == "quit":
                break
            if op == "build":
                sys.stdout = sys.stderr
                start = time.perf_counter()
                kernel(nest, msg["seed"], threads)
                rng = np.random.default_rng(msg["seed"])
                neurons = model.in_nest(nest, msg["n"], msg["p"], rng)
                recorder = nest.Create("spike_recorder")
                nest.Connect(neurons, recorder)
                nest.Prepare()
                build = time.perf_counter() - start
                sys.stdout = real_stdout
                count = len(nest.GetConnections(source=neurons, target=neurons))
                state = {"neurons": neurons, "recorder": recorder, "seen": 0,
                         "first": int(neurons[0].global_id)}
                _reply(build=build, synapses=count)
            elif op == "run":
                start = time.perf_counter()
                nest.Run(msg["t_stop"] * 1e3)
                seconds = time.perf_counter() - start
                events = state["recorder"].get("events")
                times = np.asarray(events["times"], dtype=float)[state["seen"]:] * 1e-3
                ids = (np.asarray(events["senders"], dtype=np.int64)[state["seen"]:]
                       - state["first"])
                state["seen"] += times.size
                np.savez(msg["file"], times=times, ids=ids)
                _reply(seconds=seconds)
            elif op == "close":
                nest.Cleanup()
                state = {}
                _reply(closed=True)
            elif op == "call":  # a check of the model script's, e.g. the PSP peak
                sys.stdout = sys.stderr
                result = getattr(model, msg["name"])(nest, *msg.get("args", []))
                sys.stdout = real_stdout
                _reply(result=result)
            else:
                _reply(error=f"unknown op {op!r}")
        except Exception as exc:
            sys.stdout = real_stdout
            _reply(error=f"{type(exc).__name__}: {exc}")


class Worker:
    """One NEST side in a child process: ``build``, ``run``, ``close``, ``call``."""

    def __init__(self, model_path, threads):
        self.threads = threads
        env = dict(os.environ)
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see the module's doc
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "nest_networks.py"), "--serve",
             os.path.abspath(model_path), str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            env=env)
        self.dir = tempfile.mkdtemp(prefix="nest_bench_")
        first = self._read()
        self.version = first.get("ready")
        self.error = first.get("error")
        if self.version is None and self.error is None:
            self.error = "the NEST worker did not start"

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith("JSON "):
                return json.loads(line[5:])
            sys.stderr.write(line)
        return {"error": f"the NEST worker exited (status {self.proc.wait()})"}

    def ask(self, **msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        out = self._read()
        if "error" in out:
            raise RuntimeError(out["error"])
        return out

    def builder(self):
        """A side's builder for ``spiking.build_side``: (build s, synapses, run,
        close)."""
        def build(model, n, seed, t_stop, p):
            out = self.ask(op="build", n=n, seed=seed, p=p)
            file = os.path.join(self.dir, "spikes.npz")

            def run():
                seconds = self.ask(op="run", t_stop=t_stop, file=file)["seconds"]
                with np.load(file) as z:
                    return seconds, z["times"], z["ids"]
            return out["build"], out["synapses"], run, lambda: self.ask(op="close")
        return build

    def quit(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)


def workers_or_why(model_path, threads):
    """([Worker per thread count], None), or ([], why NEST cannot be used)."""
    workers = []
    for k in threads:
        worker = Worker(model_path, k)
        if worker.error:
            worker.quit()
            for w in workers:
                w.quit()
            return [], worker.error
        workers.append(worker)
    return workers, None


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(__doc__)
