"""Experiments on a random E/I network file scaled to any size (CUBA, COBAHH).

A ``RandomNetworkExperiment`` holds what such an experiment differs in — its model
file, its figure's title and the peer's reference rate and ISI CV — and gives the
experiment module its ``CONFIG``, ``check``, ``build``, ``run`` and ``plot``
(``entry_points``):

* ``n_neurons`` (the file's size by default) resizes the groups in the file's
  proportions and scales every ``p`` so each neuron keeps its expected number of
  synapses (``scale_random_network``), as Brette et al. (2007) scale their
  benchmarks;
* ``t_stop``, ``dt`` (s), ``bin`` (s, of the population rate), ``smooth`` (s, the
  Gaussian drawn over the population rate), ``raster_neurons`` and
  ``raster_window`` ([start, stop], s) as the figure shows them;
* the run streams its spikes and writes the analysis of ``neurosim.group_runs``:
  metrics ``rate``, ``rate_E``, ``rate_I``, ``cv``, ``cv_E``, ``cv_I`` (mean ISI CV
  over the neurons with >= 3 spikes, std / mean), ``n_synapses``,
  ``build_seconds``, ``run_seconds``, and the per-neuron and population rates;
  the figure ``<name>.png`` is the raster, population rate, ISI-CV and rate
  histograms (``plots.plot_group_activity``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .config import read_toml
from .group_runs import analysed_run
from .network_files import network_from_data
from .plots import figure, plot_group_activity, save_figure
from .validation import as_float, as_int, as_steps, as_window

GROUPS = ("E", "I")


@dataclass(frozen=True)
class RandomNetworkExperiment:
    """One experiment on the network file ``model`` (groups ``GROUPS``).

    ``title`` names the network in the figure (e.g. "CUBA"), ``neurons`` the model
    (e.g. "LIF"); ``reference`` is the peer's {"rate": Hz, "cv": 1} at the file's
    size, 1 s at 0.1 ms, drawn beside ours and logged."""

    name: str
    model: Path
    title: str
    neurons: str
    reference: dict

    def entry_points(self):
        """(CONFIG, check, build, run, plot) for the experiment module."""
        return self.config, self.check, self.build, self.run, self.plot

    @property
    def config(self) -> dict:
        """The defaults (module docstring)."""
        data = read_toml(self.model, str(self.model))
        return {"n_neurons": sum(g["n_neurons"] for g in data["groups"]),
                "t_stop": 1.0, "dt": 1e-4, "bin": 1e-3, "smooth": 0.002,
                "raster_neurons": 200, "raster_window": [0.0, 1.0]}

    def check(self, config):
        """Refuse what the experiment cannot run (ValueError naming the key)."""
        as_int("n_neurons", config["n_neurons"], minimum=5)
        dt = as_float("dt (s)", config["dt"], positive=True)
        as_steps("t_stop", config["t_stop"], dt, minimum=1)
        as_steps("bin", config["bin"], dt, minimum=1)
        as_steps("t_stop", config["t_stop"], config["bin"], minimum=1)
        as_float("smooth (s)", config["smooth"], nonnegative=True)
        as_int("raster_neurons", config["raster_neurons"], minimum=1)
        start, _ = as_window("raster_window", config["raster_window"])
        if not start < config["t_stop"]:
            raise ValueError(f"raster_window must start before t_stop = "
                             f"{config['t_stop']} s, got {config['raster_window']}")

    def build(self, config):
        """The model file's network at ``config["n_neurons"]`` neurons."""
        data = scale_random_network(read_toml(self.model, str(self.model)),
                                    config["n_neurons"])
        net, _ = network_from_data(data, self.model)
        return net

    def run(self, config, out):
        """Build, run and analyse; returns the ``Results`` with the metrics."""
        net = self.build(config)
        output, _, metrics = analysed_run(net, config, GROUPS)
        output.set_attrs("population_rate", smooth=config["smooth"],
                         raster_neurons=config["raster_neurons"],
                         raster_window=config["raster_window"], model=self.name,
                         reference_rate=self.reference["rate"],
                         reference_cv=self.reference["cv"])
        output.results.metrics.update(metrics)
        logging.getLogger(f"neurosim.experiments.{self.name}").info(
            "%d neurons, %d synapses: built in %.2f s, ran %g s in %.2f s; rate "
            "%.3f Hz (E %.3f, I %.3f), ISI CV %.3f (reference: %.2f Hz, %.2f)",
            config["n_neurons"], metrics["n_synapses"], metrics["build_seconds"],
            config["t_stop"], metrics["run_seconds"], metrics["rate"],
            metrics["rate_E"], metrics["rate_I"], metrics["cv"],
            self.reference["rate"], self.reference["cv"])
        return output.results

    def plot(self, results, outdir):
        """``<name>.png``: raster, population rate, ISI-CV and rate histograms."""
        info = results.attrs["population_rate"]
        m = results.metrics
        fig, axes = figure(2, 2, width=6.4, height=3.6)
        lo, hi = info["raster_window"]
        plot_group_activity(results, GROUPS, axes.ravel(), int(info["raster_neurons"]),
                            (lo, min(hi, m["t_stop"])), info["smooth"] or None)
        n = int(sum(results.spikes[g].n_neurons for g in GROUPS))
        fig.suptitle(f"{self.title}, {n} {self.neurons} neurons, {m['n_synapses']} "
                     f"synapses, {m['t_stop']:g} s at dt = {m['dt'] * 1e3:g} ms: rate "
                     f"{m['rate']:.2f} Hz, ISI CV {m['cv']:.3f} (Brian2: "
                     f"{info['reference_rate']:g} Hz, {info['reference_cv']:g})")
        return [save_figure(fig, Path(outdir) / f"{self.name}.png")]


def scale_random_network(data: dict, n_neurons: int) -> dict:
    """A network file's tables (as read) with its groups resized to ``n_neurons``
    in all, in the file's proportions, and every ``p`` of its synapses scaled by
    (the file's neurons / ``n_neurons``), capped at 1: each neuron keeps its
    expected number of synapses (80 for CUBA and COBAHH) and its input, as in
    Brette et al. (2007)'s scaled benchmarks. ``data`` is not changed."""
    groups = [dict(g) for g in data.get("groups", [])]
    sizes = [g["n_neurons"] for g in groups]
    if not groups or not all(isinstance(n, int) and n > 0 for n in sizes):
        raise ValueError("the network file has no [[groups]] of known sizes to scale")
    total = sum(sizes)
    if n_neurons < len(groups):
        raise ValueError(f"n_neurons must be >= {len(groups)} (one per group), got "
                         f"{n_neurons}")
    new = [max(1, round(n * n_neurons / total)) for n in sizes]
    new[-1] = n_neurons - sum(new[:-1])
    if new[-1] < 1:
        raise ValueError(f"n_neurons = {n_neurons} is too few for the groups "
                         f"{[g.get('label') for g in groups]}")
    for group, n in zip(groups, new):
        group["n_neurons"] = n
    synapses = [dict(s) for s in data.get("synapses", [])]
    for s in synapses:
        if isinstance(s.get("p"), (int, float)) and not isinstance(s["p"], bool):
            s["p"] = min(1.0, float(s["p"]) * total / n_neurons)
    return {**data, "groups": groups, "synapses": synapses}
