"""Runs of neuron-group networks for experiments: streamed, in chunks, their spikes
fed to ``SpikeStats`` as they come, and the standard analysis written.

``run_groups`` builds the ``Simulator`` with the run's results file as its stream
(``runner.results_writer``; in memory when called outside a run, e.g. from a test),
advances it ``chunk`` seconds at a time and hands each chunk's new spikes of every
group to a ``SpikeStats``: the run keeps in memory the network, the statistics'
per-neuron and per-bin sums and one chunk of spikes, however long it runs.
``Output`` writes analysis arrays to the same place — the streamed file, or a
``Results`` — and ``write_group_analysis`` the arrays and metrics the biophysical
experiments share:

* ``/analysis/population_rate/t`` (s, bin centres) and ``population_rate/<group>``
  and ``population_rate/all`` (Hz per neuron, per bin);
* ``/analysis/neurons/<group>/rate`` (Hz) and ``neurons/<group>/isi_cv`` (NaN for
  neurons with fewer than 3 spikes in the window);
* metrics ``rate_<group>``, ``rate`` (all neurons), ``cv_<group>``, ``cv``,
  ``cv_neurons`` (neurons with a CV), ``n_synapses``, ``build_seconds``,
  ``run_seconds``, ``t_stop``, ``dt``, ``stats_t_start``.
"""

from __future__ import annotations

import time

import numpy as np

from . import runner
from .results import Results
from .simulator import Simulator
from .spike_stats import SpikeStats


class Output:
    """Where an experiment's analysis goes: the run's streamed results file when
    run by ``neurosim.runner``, else the ``Results`` it returns (``results``)."""

    def __init__(self):
        try:
            self.writer = runner.results_writer()
        except RuntimeError:  # called directly, not by the runner
            self.writer = None
        self.results = Results()

    def add(self, path: str, array, units: str, **attrs):
        """An array at ``/analysis/<path>`` with its ``units``."""
        if self.writer is None:
            self.results.add(path, array, units=units, **attrs)
        else:
            self.writer.analysis(path, np.asarray(array), {"units": units, **attrs})

    def set_attrs(self, path: str, **attrs):
        """Attributes of the analysis group or array at ``path``."""
        if self.writer is None:
            self.results.set_attrs(path, **attrs)
        else:
            self.writer.attrs(path, attrs)


def run_groups(net, dt: float, t_stop: float, seed: int, stats: SpikeStats,
               out: Output, chunk: float = 0.1) -> Simulator:
    """Build and run ``net`` for ``t_stop`` s at step ``dt`` (seed ``seed``),
    streaming into ``out``, feeding every spike-probed group's spikes to ``stats``
    chunk by chunk. Returns the simulator, with ``build_seconds`` and
    ``run_seconds`` set."""
    sim = Simulator(net, dt=dt, seed=seed, progress=False, stream=out.writer)
    labels = [p.target.label for p in net.probes if p.what == "spikes"
              and p.target.label in stats.sizes]
    seen = dict.fromkeys(labels, 0)
    total = round(t_stop / dt)
    per = max(1, round(chunk / dt))
    start = time.perf_counter()
    done = 0
    while done < total:
        steps = min(per, total - done)
        sim.run_steps(steps)
        done += steps
        for label in labels:
            times, ids = _new_spikes(sim, out, label, seen[label])
            seen[label] += times.size
            stats.add(label, times, ids)
    sim.run_seconds = time.perf_counter() - start
    return sim


def _new_spikes(sim, out, label, start):
    """The spikes of ``label`` from the ``start``-th on (s, ids)."""
    if out.writer is None:
        trains = sim.results.spikes[label]
        return trains.times[start:], trains.ids[start:]
    group = out.writer.file[f"spikes/{label}"]
    return (group["timestamps"][start:] * 1e-3,
            group["node_ids"][start:].astype(np.int64))


def write_group_analysis(out: Output, sim: Simulator, stats: SpikeStats,
                         labels) -> dict:
    """The arrays of the module docstring into ``out``; returns the metrics."""
    labels = list(labels)
    out.add("population_rate/t", stats.bin_times(), units="s",
            description="bin centres")
    for label in labels:
        out.add(f"population_rate/{label}", stats.population_rate(label), units="Hz",
                description=f"spikes of {label} per bin / (neurons x bin)")
        out.add(f"neurons/{label}/rate", stats.rates(label), units="Hz")
        out.add(f"neurons/{label}/isi_cv", stats.isi_cv(label), units="1",
                description="ISI std / mean (ddof 0); NaN below 3 spikes")
    out.add("population_rate/all", stats.population_rate(labels), units="Hz")
    out.set_attrs("population_rate", bin=stats.bin, t_start=stats.t_start,
                  t_stop=stats.t_stop, groups=labels)
    metrics = {}
    for label in labels:
        metrics[f"rate_{label}"] = stats.mean_rate(label)
        metrics[f"cv_{label}"] = stats.mean_cv(label)[0]
    metrics["rate"] = stats.mean_rate(labels)
    metrics["cv"], metrics["cv_neurons"] = stats.mean_cv(labels)
    metrics["n_synapses"] = sum(sim.synapse_counts.values())
    metrics.update(build_seconds=sim.build_seconds, run_seconds=sim.run_seconds,
                   t_stop=sim.steps * sim.dt, dt=sim.dt, stats_t_start=stats.t_start)
    return metrics


def analysed_run(net, config: dict, labels, t_start: float = 0.0):
    """Run ``net`` as ``config`` says (``dt``, ``t_stop``, ``seed``, ``bin``), its
    statistics from ``t_start`` s, and write the shared analysis: returns
    (``Output``, ``SpikeStats``, metrics)."""
    sizes = {g.label: g.n_neurons for g in net.groups if g.label in labels}
    stats = SpikeStats(sizes, t_start, config["t_stop"], config["bin"])
    out = Output()
    sim = run_groups(net, config["dt"], config["t_stop"], config["seed"], stats, out)
    metrics = write_group_analysis(out, sim, stats, labels)
    return out, stats, metrics
