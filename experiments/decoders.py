"""Decoding error vs population size: x and x² from 1-D, x₀·x₁ from 2-D populations.

Optimal linear decoding (course §26–27): from activities A (P, N) at evaluation points
X, decoders D = argmin |A D − f(X)|² (ridge-regularised, σ = ``reg`` · max rate) give
the estimate f̂(x) = a(x) D. The error is measured on held-out points (1000 by
default, never used in the fit): the RMS of f̂ − f over them.

Modes:

- ``lif``: LIF populations decoded from their tuning curves (rates), for every N in
  ``n_neurons`` and ``n_seeds`` seeds;
- ``lif_spiking``: LIF populations whose decoders are fitted to activities measured
  from spike trains filtered by a PSC of ``tau_synapse`` (``Population.decoders(
  spiking=True)``), for N in ``n_neurons_spiking`` and ``n_seeds_spiking`` seeds.
  Two errors: on the tuning curves at the held-out points (the decoders' distortion),
  and on filtered-spike activities measured at ``n_test_points_spiking`` held-out
  points (distortion plus spike noise — what a spiking network sees);
- ``hh``: Hodgkin–Huxley populations (max rates uniform in ``hh_max_rates``)
  decoded from their tuning curves, for N in ``n_neurons_hh`` and ``n_seeds``
  seeds.

Functions: ``x`` and ``x2`` (x²) from a 1-D population (one solve, two outputs:
ridge regression treats each output separately, so this equals two solves) and
``product`` (x₀·x₁) from a 2-D population on the unit disc (radius 1). Seed k of a
mode uses populations with seed ``seed + k``.

Writes ``/analysis/decoders/<mode>/<function>/{n_neurons, rmse, rmse_fit}`` (rmse,
rmse_fit: (seeds, sizes); ``rmse_spikes`` too for ``lif_spiking``; attrs: fitted
log–log slope of the mean rmse) and ``.../estimates/{x, target, estimate}`` at
N = ``shown_neurons`` (or the largest N below it) for the first seed
(``x_spikes``, ``target_spikes``, ``estimate_spikes`` too for ``lif_spiking``).
Metrics ``rmse_<mode>_<function>_N<n>`` (mean over seeds; ``..._spikes`` for the
spike-measured error) and ``slope_<mode>_<function>``. Figures ``decoders_rmse.png``
and ``decoders_estimates.png``.
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
from neurosim.plots import figure, plot_loglog, save_figure
from neurosim.progress import progress
from neurosim.validation import as_float, as_int

CONFIG = {
    "n_neurons": [10, 20, 50, 100, 200, 500, 1000, 2000],
    "n_neurons_spiking": [10, 20, 50, 100, 200],
    "n_neurons_hh": [10, 20, 50, 100, 200, 500],
    "n_seeds": 3,
    "n_seeds_spiking": 1,
    "max_rates": [200.0, 400.0],
    "hh_max_rates": [80.0, 120.0],
    "reg": 0.1,
    "tau_synapse": 0.005,
    "n_test_points": 1000,
    "n_test_points_spiking": 500,
    "shown_neurons": 1000,
}

MODES = ("lif", "lif_spiking", "hh")
FUNCTIONS = ("x", "x2", "product")
#: Stream of the held-out points: the one ``Population.decoders`` tests on.
TEST_STREAM = 5
#: Stream of the read-out times of the spike-measured held-out activities (the fit
#: reads on stream 3).
SPIKE_READ_STREAM = 7

log = logging.getLogger("neurosim.experiments.decoders")


def x_and_square(X):
    """x and x² of 1-D points: (P, 1) -> (P, 2)."""
    return np.hstack([X, X ** 2])


def product(X):
    """x₀·x₁ of 2-D points: (P, 2) -> (P,)."""
    return X[:, 0] * X[:, 1]


def sizes(config, key: str) -> list[int]:
    """The population sizes of a mode, checked and sorted."""
    values = [as_int(f"{key} entry", n, minimum=1) for n in config[key]]
    if not values:
        raise ValueError(f"{key} must list at least one population size, got []")
    return sorted(set(values))


def bounds(name: str, value) -> ns.Uniform:
    """``[low, high]`` from the config as a ``Uniform``."""
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"{name} must be a list [low, high], got {value!r}")
    return ns.Uniform(as_float(f"{name}[0]", value[0]), as_float(f"{name}[1]",
                                                                 value[1]))


def population(mode: str, n: int, dimensions: int, seed: int, config) -> ns.Population:
    """A population of ``mode``'s neuron type."""
    if mode == "hh":
        return ns.Population(n, dimensions, neuron=ns.HodgkinHuxley(),
                             max_rates=bounds("hh_max_rates", config["hh_max_rates"]),
                             seed=seed)
    return ns.Population(n, dimensions, neuron=ns.LIF(),
                         max_rates=bounds("max_rates", config["max_rates"]), seed=seed)


def fit_settings(config) -> dict:
    """The decoders' settings, checked: ``synapse`` (a PSC of ``tau_synapse``), ``reg``,
    ``n_test`` and ``n_test_spiking`` (held-out points on tuning curves and spikes)."""
    return {"synapse": ns.PSC(as_float("tau_synapse (s)", config["tau_synapse"],
                                       positive=True)),
            "reg": as_float("reg", config["reg"], nonnegative=True),
            "n_test": as_int("n_test_points", config["n_test_points"], minimum=1),
            "n_test_spiking": as_int("n_test_points_spiking",
                                     config["n_test_points_spiking"], minimum=1)}


def rms(error) -> np.ndarray:
    """Root mean square over the points (axis 0): (P, L) -> (L,)."""
    return np.sqrt(np.mean(np.square(error), axis=0))


def decode(pop: ns.Population, function, spiking: bool, config) -> dict:
    """Decoders of ``function`` from ``pop`` and their errors.

    Parameters
    ----------
    pop : Population
    function : callable
        Vectorised, (P, d) -> (P, L) or (P,).
    spiking : bool
        Fit to spike-measured activities (and also measure the error on
        spike-measured held-out activities).

    Returns
    -------
    dict
        ``rmse`` (L,) on the tuning curves at the held-out points, ``rmse_fit`` (L,)
        on the activities fitted, ``x`` (P, d), ``target`` and ``estimate``
        (P, L); for ``spiking`` also
        ``rmse_spikes`` (L,), ``x_spikes``, ``target_spikes``, ``estimate_spikes``.
    """
    settings = fit_settings(config)
    synapse, n_test = settings["synapse"], settings["n_test"]
    dec = pop.decoders(function, reg=settings["reg"], spiking=spiking, synapse=synapse,
                       n_test_points=n_test)
    x = pop.eval_points(n_test, stream=TEST_STREAM)
    target = np.asarray(function(x)).reshape(n_test, -1)
    estimate = pop.rates(x) @ dec.D
    out = {"rmse": rms(estimate - target),
           "rmse_fit": np.atleast_1d(dec.info["rmses"]), "x": x, "target": target,
           "estimate": estimate}
    if spiking:
        n_spk = settings["n_test_spiking"]
        xs = pop.eval_points(n_spk, stream=TEST_STREAM)
        activities = pop.spiking_rates(xs, synapse, seed_stream=SPIKE_READ_STREAM)
        target_s = np.asarray(function(xs)).reshape(n_spk, -1)
        estimate_s = activities @ dec.D
        out.update(rmse_spikes=rms(estimate_s - target_s), x_spikes=xs,
                   target_spikes=target_s, estimate_spikes=estimate_s)
    return out


def fitted_slope(n, rmse) -> float:
    """Least-squares slope of log rmse against log N (NaN for a single size)."""
    if len(n) < 2:
        return float("nan")
    return float(np.polyfit(np.log(n), np.log(rmse), 1)[0])


def plan(config) -> dict:
    """Sizes and number of seeds of each mode, checked before any work: mode ->
    (sizes, n_seeds)."""
    for name in ("max_rates", "hh_max_rates"):
        bounds(name, config[name])
    as_int("shown_neurons", config["shown_neurons"], minimum=1)
    seeds = as_int("n_seeds", config["n_seeds"], minimum=1)
    return {"lif": (sizes(config, "n_neurons"), seeds),
            "lif_spiking": (sizes(config, "n_neurons_spiking"),
                            as_int("n_seeds_spiking", config["n_seeds_spiking"],
                                   minimum=1)),
            "hh": (sizes(config, "n_neurons_hh"), seeds)}


def sweep(results, mode: str, ns_: list[int], n_seeds: int, config):
    """All sizes ``ns_`` and ``n_seeds`` seeds of one mode; stores arrays and
    metrics."""
    spiking = mode == "lif_spiking"
    shown = max([n for n in ns_ if n <= config["shown_neurons"]] or [ns_[0]])
    keys = ["rmse", "rmse_fit"] + (["rmse_spikes"] if spiking else [])
    table = {f: {k: np.zeros((n_seeds, len(ns_))) for k in keys} for f in FUNCTIONS}
    examples = {}
    jobs = [(k, j, n) for k in range(n_seeds) for j, n in enumerate(ns_)]
    for k, j, n in progress(jobs, desc=mode):
        seed = config["seed"] + k
        found = {("x", "x2"): decode(population(mode, n, 1, seed, config),
                                     x_and_square, spiking, config),
                 ("product",): decode(population(mode, n, 2, seed, config), product,
                                      spiking, config)}
        for names, out in found.items():
            for col, name in enumerate(names):
                for key in keys:
                    table[name][key][k, j] = out[key][col]
                if k == 0 and n == shown:
                    examples[name] = {
                        "x": out["x"], "target": out["target"][:, col],
                        "estimate": out["estimate"][:, col],
                        **({"x_spikes": out["x_spikes"],
                            "target_spikes": out["target_spikes"][:, col],
                            "estimate_spikes": out["estimate_spikes"][:, col]}
                           if spiking else {})}
    for name in FUNCTIONS:
        base = f"decoders/{mode}/{name}"
        results.add(f"{base}/n_neurons", np.array(ns_), units="1")
        results.add(f"{base}/rmse", table[name]["rmse"], units="1",
                    description="(seeds, sizes): RMS error on the tuning curves at the "
                                "held-out points")
        results.add(f"{base}/rmse_fit", table[name]["rmse_fit"], units="1",
                    description="(seeds, sizes): RMS error on the activities fitted")
        if spiking:
            results.add(f"{base}/rmse_spikes", table[name]["rmse_spikes"], units="1",
                        description="(seeds, sizes): RMS error on filtered-spike "
                                    "activities at held-out points")
        mean = table[name]["rmse"].mean(axis=0)
        slope = fitted_slope(ns_, mean)
        results.set_attrs(base, slope=slope, n_seeds=n_seeds, first_seed=config["seed"],
                          shown_neurons=shown)
        results.metrics[f"slope_{mode}_{name}"] = slope
        for j, n in enumerate(ns_):
            results.metrics[f"rmse_{mode}_{name}_N{n}"] = float(mean[j])
            if spiking:
                results.metrics[f"rmse_{mode}_{name}_N{n}_spikes"] = float(
                    table[name]["rmse_spikes"][:, j].mean())
        for key, value in examples[name].items():
            results.add(f"{base}/estimates/{key}", value, units="1")
        log.info("%s %s: rmse %s (N = %s), slope %.2f", mode, name,
                 ", ".join(f"{v:.3g}" for v in mean), ", ".join(map(str, ns_)), slope)


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    plan(config)
    fit_settings(config)


def run(config, out):
    results = ns.Results()
    for mode, (ns_, n_seeds) in plan(config).items():
        sweep(results, mode, ns_, n_seeds, config)
    results.set_attrs("decoders", reg=config["reg"], tau_synapse=config["tau_synapse"],
                      n_test_points=config["n_test_points"],
                      n_test_points_spiking=config["n_test_points_spiking"],
                      max_rates=config["max_rates"],
                      hh_max_rates=config["hh_max_rates"])
    return results


LABELS = {"x": "x (1-D population)", "x2": "x² (1-D population)",
          "product": "x₀·x₁ (2-D population, unit disc)"}
#: NEF accuracy targets: function -> (mode, N, RMSE).
TARGETS = {"x": [("lif", 1000, 0.0025), ("hh", 200, 0.02)],
           "x2": [("lif", 1000, 0.006)], "product": [("lif", 1000, 0.006)]}
MODE_LABELS = {"lif": "LIF, tuning curves",
               "lif_spiking": "LIF, spike-fitted, on tuning curves",
               "lif_spiking_spikes": "LIF, spike-fitted, on filtered spikes",
               "hh": "HH, tuning curves"}


def plot_rmse(results, fig, axes):
    """RMSE vs N per function, one line per mode (mean; band: seed range)."""
    info = results.attrs["decoders"]
    (low, high), (hh_low, hh_high) = info["max_rates"], info["hh_max_rates"]
    for ax, name in zip(axes, FUNCTIONS):
        curves, slopes, bands = {}, {}, {}
        for mode in MODES:
            base = f"decoders/{mode}/{name}"
            n = results[f"{base}/n_neurons"]
            for key, label in (("rmse", mode), ("rmse_spikes", f"{mode}_spikes")):
                if f"{base}/{key}" not in results:
                    continue
                runs = results[f"{base}/{key}"]
                shown = f"{MODE_LABELS[label]} ({runs.shape[0]} seed"\
                        f"{'s' if runs.shape[0] > 1 else ''})"
                curves[shown] = (n, runs.mean(axis=0))
                slopes[shown] = fitted_slope(n, runs.mean(axis=0))
                bands[shown] = (n, runs.min(axis=0), runs.max(axis=0))
        plot_loglog(curves, ax=ax, xlabel="number of neurons N",
                    ylabel="RMS error on held-out points", slopes=slopes,
                    title=f"decoding {LABELS[name]}")
        for color, (n, lo, hi) in zip([line.get_color() for line in ax.get_lines()],
                                      bands.values()):
            ax.fill_between(n, lo, hi, color=color, alpha=0.2, lw=0)
        n_all = np.concatenate([c[0] for c in curves.values()])
        ref_n = np.array([n_all.min(), n_all.max()], dtype=float)
        first = next(iter(curves.values()))
        ax.loglog(ref_n, first[1][0] * first[0][0] / ref_n, "k:", lw=1,
                  label="∝ 1/N (reference)")
        for mode, n, target in TARGETS[name]:
            ax.plot([n], [target], "rv", ms=8, mfc="none",
                    label=f"NEF target {target:g} at N = {n} ({mode.upper()})")
        ax.legend(fontsize="x-small", loc="lower left")
    fig.suptitle(f"Decoding error vs population size (ridge reg = {info['reg']:g} · "
                 f"max rate; held-out points: {info['n_test_points']} on tuning "
                 f"curves, {info['n_test_points_spiking']} on spikes filtered by PSC "
                 f"τ = {info['tau_synapse'] * 1e3:g} ms; max rates: LIF "
                 f"U({low:g}, {high:g}) Hz, HH U({hh_low:g}, {hh_high:g}) Hz)",
                 fontsize="medium")


#: The same colours as the lines of ``plot_rmse`` (matplotlib's cycle, in order).
COLORS = {"lif": "C0", "lif_spiking": "C1", "lif_spiking_spikes": "C2", "hh": "C3"}
SHORT = {"lif": "LIF", "lif_spiking": "LIF, spike-fitted", "hh": "HH"}


def plot_estimates(results, fig, axes):
    """Decoded vs true (top row) and the error of each mode (rows below)."""
    for col, name in enumerate(FUNCTIONS):
        one_d = name != "product"
        shown_name = {"x": "x", "x2": "x²", "product": "x₀·x₁"}[name]
        top = axes[0, col]
        for row, mode in enumerate(MODES, start=1):
            base = f"decoders/{mode}/{name}/estimates"
            n = results.attrs[f"decoders/{mode}/{name}"]["shown_neurons"]
            ax = axes[row, col]
            sets = [("", mode)]
            if f"{base}/estimate_spikes" in results:
                sets.append(("_spikes", f"{mode}_spikes"))
            for suffix, label in sets:
                x = results[f"{base}/x{suffix}"]
                target = results[f"{base}/target{suffix}"]
                estimate = results[f"{base}/estimate{suffix}"]
                along = x[:, 0] if one_d else target
                style = {"ls": "-", "marker": None, "lw": 1} if one_d and not suffix \
                    else {"ls": "none", "marker": ".", "ms": 2}
                error = estimate - target
                what = "filtered spikes" if suffix else "tuning curves"
                ax.plot(along, error, color=COLORS[label], **style,
                        label=f"on {what} (RMS {np.sqrt(np.mean(error ** 2)):.2g})")
                top.plot(along, estimate, color=COLORS[label], **style,
                         label=f"{MODE_LABELS[label]}, N = {n}")
            ax.axhline(0.0, color="k", lw=0.6)
            ax.set_xlabel("x" if one_d else "true x₀·x₁")
            ax.set_ylabel(f"decoded − true {shown_name}")
            ax.set_title(f"{SHORT[mode]}, N = {n}: error of {shown_name}",
                         fontsize="medium")
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize="x-small", loc="upper right")
        truth = np.linspace(-1.0, 1.0, 201) if one_d else np.array([-0.5, 0.5])
        top.plot(truth, truth ** 2 if name == "x2" else truth, "k--", lw=0.8,
                 label="true")
        top.set_xlabel("x" if one_d else "true x₀·x₁")
        top.set_ylabel(f"decoded {shown_name}")
        top.set_title(f"decoded {LABELS[name]}", fontsize="medium")
        top.grid(True, alpha=0.3)
        top.legend(fontsize="x-small", loc="upper center" if name == "x2" else
                   "upper left")
    seed = results.attrs["decoders/lif/x"]["first_seed"]
    fig.suptitle(f"Decoded vs true on held-out points (populations of seed {seed})",
                 fontsize="medium")


def plot(results, outdir):
    fig, axes = figure(1, 3, width=5.6, height=5.0)
    plot_rmse(results, fig, axes)
    paths = [save_figure(fig, outdir / "decoders_rmse.png")]
    fig, axes = figure(4, 3, width=5.0, height=3.2)
    plot_estimates(results, fig, axes)
    paths.append(save_figure(fig, outdir / "decoders_estimates.png"))
    return paths
