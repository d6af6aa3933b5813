"""Brunel (2000) model A: a sparse E/I network's regimes (SR, AI, SI fast, SI slow).

The network of ``models/brunel.toml``: N_E excitatory and N_I = N_E / 4 inhibitory
integrate-and-fire neurons (τ_m = 20 ms, θ = 20 mV, V_r = 10 mV, τ_rp = 2 ms),
delta synapses J = 0.1 mV (excitatory) and −g J (inhibitory) after D = 1.5 ms, each
neuron with C_E excitatory and C_I = C_E / 4 inhibitory inputs (fixed in-degree)
and C_E Poisson sources at ν_ext = ``nu_ext_over_nu_thr`` · ν_thr, ν_thr = θ /
(J C_E τ_m). Every fixed number comes from the model file; its values of g (5),
ν_ext / ν_thr (2) and N_E (10 000) are this experiment's defaults, and the
configuration sets them: ``neurosim run brunel --set g=6 --set
nu_ext_over_nu_thr=4`` (one key per ``--set``) for SI fast.

Configuration: ``g``, ``nu_ext_over_nu_thr``, ``N_E`` and ``scaling``, how a
smaller network keeps its inputs: ``"in_degree"`` (default) keeps C_E = 1000 and
C_I = 250 — Brunel's mean-field theory depends on N only through C_E, and N_E =
2500 reproduces the rates, CVs and oscillation frequencies of N_E = 10 000 at the
four textbook points, with larger synchrony from the shared inputs (C_E / N_E =
0.4); ``"fraction"`` keeps C_E = 0.1 N_E (and J): the recurrent input then shrinks
with N and the regimes move (N_E = 2000 at g = 5, ν = 2 fires regularly at 75
Hz). N_E must exceed C_E. ``t_stop``, ``dt`` (s), ``transient`` (s, left out of
every statistic), ``bin`` (s, of the population rate), ``raster_neurons`` and
``raster_span`` (s: the figure shows the run's last ``raster_span`` s).

Metrics (over [transient, t_stop]): ``rate``, ``rate_E``, ``rate_I``, ``cv`` and
``cv_E``, ``cv_I`` (mean ISI CV over neurons with >= 3 spikes), ``chi`` (spike-
count synchrony χ in ``bin`` bins), ``fano`` (Fano factor of the population
count), ``rate_cv`` (CV of the population rate less its independent-Poisson
part), ``peak_frequency`` and ``oscillation_index`` (Welch spectrum of the
population rate: the share of its power above 5 Hz within a factor 1.2 of the
peak), ``regime`` and ``regime_code`` (``classify``), ``C_E``, ``C_I``, ``nu_thr``,
``nu_ext`` (Hz), ``g``, ``nu_ext_over_nu_thr``, ``n_synapses``, ``build_seconds``,
``run_seconds``. Arrays as ``neurosim.group_runs`` writes them, and
``/analysis/spectrum/{f, power}``. Figure ``brunel.png``.

``classify`` (thresholds in ``THRESHOLDS``): below ``silent_rate`` Hz "silent";
synchronous when the oscillation index is >= ``oscillation_index`` or the
population-rate CV >= ``rate_cv``; then mean ISI CV < ``regular_cv``: "SR"
(synchronous) or "AR"; otherwise "SI-fast" or "SI-slow" (peak frequency at or
above, or below, ``slow_frequency`` Hz) when synchronous, else "AI". Measured
(1 s, transient 0.2 s; N_E = 2500 at seeds 0–2, N_E = 10 000 at seeds 0–1): AI's
oscillation index is 0.27–0.45 and its rate CV 0.56–1.24; SI fast's index
0.63–0.81; SI slow's rate CV 1.77–4.2 at peaks of 16–31 Hz; SR's ISI CV below
0.01. At N_E = 2500 the AI point's population rate is visibly bursty (shared
inputs); it stays "AI" because its fluctuations are broadband.

A sweep over the (g, ν_ext / ν_thr) plane, ``neurosim sweep brunel --grid
g=3,4,5,6,7 --grid nu_ext_over_nu_thr=1,2,4``, draws its regime map
``brunel_regimes.png`` beside its ``summary.h5`` (``sweep_plot``; again later with
``python experiments/brunel.py runs/brunel/sweep-<id>/summary.h5``).
"""

from __future__ import annotations

import logging
import math
import sys
from pathlib import Path

import numpy as np

from neurosim.config import read_toml
from neurosim.errors import ConfigError
from neurosim.group_runs import analysed_run
from neurosim.network_files import network_from_data
from neurosim.plots import figure, plot_group_activity, save_figure
from neurosim.results import Results
from neurosim.spike_stats import oscillation_index, rate_cv, spectrum
from neurosim.validation import as_choice, as_float, as_int, as_steps

MODEL = Path(__file__).resolve().parent.parent / "models" / "brunel.toml"
GROUPS = ("E", "I")
REGIMES = ("silent", "SR", "AR", "AI", "SI-fast", "SI-slow")  # regime_code: index
THRESHOLDS = {"silent_rate": 0.5, "regular_cv": 0.2, "oscillation_index": 0.55,
              "rate_cv": 1.5, "slow_frequency": 60.0}
#: Brunel's Fig. 8: (g, nu_ext / nu_thr) of each regime.
TEXTBOOK = {"SR": (3.0, 2.0), "AI": (5.0, 2.0), "SI-fast": (6.0, 4.0),
            "SI-slow": (4.5, 0.9)}
COLOURS = {"silent": "0.8", "SR": "C3", "AR": "C1", "AI": "C2", "SI-fast": "C0",
           "SI-slow": "C4"}

log = logging.getLogger("neurosim.experiments.brunel")


def file_numbers(data: dict) -> dict:
    """The model file's numbers: sizes, in-degrees, J, g, D, θ, τ_m, ν_ext/ν_thr."""
    groups = {g["label"]: g for g in data["groups"]}
    syn = {s["label"]: s for s in data["synapses"]}
    neuron = groups["E"]["neuron"]
    J = float(syn["EE"]["weight"])
    C_E = int(syn["EE"]["in_degree"])
    theta = float(neuron["V_th"]) - float(neuron["V_rest"])
    nu_thr = theta / (J * C_E * float(neuron["tau_m"]) * 1e-3)
    return {"N_E": int(groups["E"]["n_neurons"]), "N_I": int(groups["I"]["n_neurons"]),
            "C_E": C_E, "C_I": int(syn["IE"]["in_degree"]), "J": J,
            "g": round(-float(syn["IE"]["weight"]) / J, 12), "theta": theta,
            "tau_m": float(neuron["tau_m"]) * 1e-3,
            "nu_ratio": round(float(data["poisson_inputs"][0]["rate"]) / nu_thr, 12)}


FILE = file_numbers(read_toml(MODEL, str(MODEL)))

CONFIG = {
    "g": FILE["g"],
    "nu_ext_over_nu_thr": FILE["nu_ratio"],
    "N_E": FILE["N_E"],
    "scaling": "in_degree",
    "t_stop": 1.0,
    "dt": 1e-4,
    "transient": 0.2,
    "bin": 1e-3,
    "raster_neurons": 200,
    "raster_span": 0.2,
}


def sizes(config) -> dict:
    """N_E, N_I, C_E, C_I, ν_thr and ν_ext (Hz) of ``config``, checked."""
    N_E = as_int("N_E", config["N_E"], minimum=4)
    scaling = as_choice("scaling", config["scaling"], {"in_degree", "fraction"})
    N_I = max(1, round(N_E * FILE["N_I"] / FILE["N_E"]))
    if scaling == "in_degree":
        C_E, C_I = FILE["C_E"], FILE["C_I"]
    else:
        C_E = max(1, round(N_E * FILE["C_E"] / FILE["N_E"]))
        C_I = max(1, round(N_I * FILE["C_I"] / FILE["N_I"]))
    if C_E >= N_E or C_I >= N_I:
        raise ValueError(f"N_E = {N_E} (N_I = {N_I}) is too small for C_E = {C_E} and "
                         f"C_I = {C_I} distinct inputs (scaling = {scaling!r}): N_E "
                         f"must be > {C_E} and N_I > {C_I}")
    nu_thr = FILE["theta"] / (FILE["J"] * C_E * FILE["tau_m"])
    ratio = as_float("nu_ext_over_nu_thr", config["nu_ext_over_nu_thr"],
                     nonnegative=True)
    return {"N_E": N_E, "N_I": N_I, "C_E": C_E, "C_I": C_I, "nu_thr": nu_thr,
            "nu_ext": ratio * nu_thr}


def check(config):
    """Refuse what this experiment cannot run (ValueError naming the key)."""
    sizes(config)
    as_float("g", config["g"], nonnegative=True)
    dt = as_float("dt (s)", config["dt"], positive=True)
    as_steps("t_stop", config["t_stop"], dt, minimum=1)
    as_steps("bin", config["bin"], dt, minimum=1)
    transient = as_float("transient (s)", config["transient"], nonnegative=True)
    if not transient < config["t_stop"]:
        raise ValueError(f"transient must be < t_stop = {config['t_stop']} s, got "
                         f"{transient} s")
    as_steps("t_stop - transient", config["t_stop"] - transient, config["bin"],
             minimum=8)
    as_int("raster_neurons", config["raster_neurons"], minimum=1)
    as_float("raster_span (s)", config["raster_span"], positive=True)


def build(config):
    """The network of the model file with ``config``'s g, ν_ext and sizes."""
    n = sizes(config)
    data = read_toml(MODEL, str(MODEL))
    for group in data["groups"]:
        group["n_neurons"] = n["N_E"] if group["label"] == "E" else n["N_I"]
    for s in data["synapses"]:
        inhibitory = s["pre"] == "I"
        s["in_degree"] = n["C_I"] if inhibitory else n["C_E"]
        s["weight"] = -config["g"] * FILE["J"] if inhibitory else FILE["J"]
    for p in data["poisson_inputs"]:
        p.update(n_sources=n["C_E"], rate=n["nu_ext"])
    net, _ = network_from_data(data, MODEL)
    return net, n


def classify(rate, cv, rate_cv_, peak, osc) -> str:
    """The regime of a run from its metrics (module docstring; ``THRESHOLDS``)."""
    t = THRESHOLDS
    if not rate >= t["silent_rate"]:
        return "silent"
    synchronous = osc >= t["oscillation_index"] or rate_cv_ >= t["rate_cv"]
    if cv < t["regular_cv"]:  # NaN (too few spikes) counts as irregular
        return "SR" if synchronous else "AR"
    if not synchronous:
        return "AI"
    return "SI-fast" if peak >= t["slow_frequency"] else "SI-slow"


def run(config, out):
    net, n = build(config)
    log.info("N_E = %d, N_I = %d, C_E = %d, C_I = %d, g = %g, nu_ext = %.4g Hz "
             "(%g nu_thr)", n["N_E"], n["N_I"], n["C_E"], n["C_I"], config["g"],
             n["nu_ext"], config["nu_ext_over_nu_thr"])
    output, stats, metrics = analysed_run(net, config, GROUPS, config["transient"])
    A = stats.population_rate()
    f, power = spectrum(A, config["bin"])
    peak, osc = oscillation_index(f, power)
    metrics.update(chi=stats.chi(), fano=stats.fano(),
                   rate_cv=rate_cv(A, n["N_E"] + n["N_I"], config["bin"]),
                   peak_frequency=peak, oscillation_index=osc, g=config["g"],
                   nu_ext_over_nu_thr=config["nu_ext_over_nu_thr"], **n)
    regime = classify(metrics["rate"], metrics["cv"], metrics["rate_cv"], peak, osc)
    metrics.update(regime=regime, regime_code=REGIMES.index(regime))
    output.add("spectrum/f", f, units="Hz")
    output.add("spectrum/power", power, units="Hz^2/Hz",
               description="Welch PSD of the population rate less its mean")
    output.set_attrs("population_rate", raster_neurons=config["raster_neurons"],
                     raster_span=config["raster_span"], **THRESHOLDS)
    output.results.metrics.update(metrics)
    log.info("built in %.2f s, ran in %.2f s; rate %.2f Hz, ISI CV %.3f, chi %.3f, "
             "rate CV %.3f, peak %.0f Hz, oscillation index %.2f: %s",
             metrics["build_seconds"], metrics["run_seconds"], metrics["rate"],
             metrics["cv"], metrics["chi"], metrics["rate_cv"], peak, osc, regime)
    return output.results


def _plane(ax, g, nu, labels, rates=None):
    """Regimes as coloured squares on the (g, ν_ext/ν_thr) plane, the textbook
    points marked."""
    for label in REGIMES:
        at = [i for i, x in enumerate(labels) if x == label]
        if at:
            ax.scatter(np.asarray(g)[at], np.asarray(nu)[at], s=260, marker="s",
                       color=COLOURS[label], label=label, edgecolors="k",
                       linewidths=0.5)
    for i in range(len(labels)) if rates is not None else ():
        ax.annotate(f"{rates[i]:.3g} Hz", (g[i], nu[i]), textcoords="offset points",
                    xytext=(0, -16), fontsize="x-small", ha="center", va="center")
    for name, (gx, nx) in TEXTBOOK.items():
        ax.scatter([gx], [nx], marker="x", color="k", s=30, zorder=3)
        ax.annotate(name, (gx, nx), textcoords="offset points", xytext=(6, 6),
                    fontsize="x-small")
    ax.set_xlabel("g (relative inhibition)")
    ax.set_ylabel("ν_ext / ν_thr")
    ax.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.margins(0.15)
    ax.grid(True, alpha=0.3)
    return ax


def plot(results, outdir):
    m = results.metrics
    info = results.attrs["population_rate"]
    fig, axes = figure(3, 2, width=6.4, height=3.2)
    lo = max(m["stats_t_start"], m["t_stop"] - info["raster_span"])
    plot_group_activity(results, GROUPS, axes.ravel()[:4], int(info["raster_neurons"]),
                        (lo, m["t_stop"]), None)
    ax = axes[2, 0]
    f, power = results["spectrum/f"], results["spectrum/power"]
    ax.semilogy(f[1:], power[1:], lw=1)
    ax.axvline(m["peak_frequency"], color="k", lw=0.6, ls="--")
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("PSD of the population rate (Hz²/Hz)")
    ax.set_title(f"peak {m['peak_frequency']:.0f} Hz, oscillation index "
                 f"{m['oscillation_index']:.2f}", fontsize="medium")
    ax.grid(True, alpha=0.3)
    _plane(axes[2, 1], [m["g"]], [m["nu_ext_over_nu_thr"]], [m["regime"]])
    axes[2, 1].set_title("this run (square) among Brunel's Fig. 8 points",
                         fontsize="medium")
    fig.suptitle(f"Brunel model A, N_E = {m['N_E']}, N_I = {m['N_I']}, C_E = "
                 f"{m['C_E']}, g = {m['g']:g}, ν_ext = {m['nu_ext_over_nu_thr']:g} "
                 f"ν_thr: {m['regime']} — rate {m['rate']:.1f} Hz, ISI CV "
                 f"{m['cv']:.2f}, χ {m['chi']:.2f}, rate CV {m['rate_cv']:.2f}")
    return [save_figure(fig, Path(outdir) / "brunel.png")]


def sweep_plot(summary_path, outdir=None) -> list[Path]:
    """The regime map of a ``neurosim sweep brunel`` run from its ``summary.h5``:
    each point a square coloured by its regime on the (g, ν_ext/ν_thr) plane,
    with its rate (the first seed's where there are several); written to
    ``outdir/brunel_regimes.png`` (default: beside the summary). Returns [path]."""
    summary_path = Path(summary_path)
    res = Results.load(summary_path)
    if "sweep/metrics/regime_code" not in res:
        raise ConfigError(f"{summary_path}: no sweep/metrics/regime_code: not a "
                          "summary of a brunel sweep, or no point completed")
    code = res["sweep/metrics/regime_code"]
    done = ~np.isnan(code)
    g = res["sweep/metrics/g"][done]
    nu = res["sweep/metrics/nu_ext_over_nu_thr"][done]
    rates = res["sweep/metrics/rate"][done]
    labels = [REGIMES[int(c)] for c in code[done]]
    first = sorted({(a, b): i for i, (a, b) in reversed(list(enumerate(zip(g, nu))))}
                   .values())
    fig, ax = figure(1, 1, width=6.4, height=5.0)
    _plane(ax, g[first], nu[first], [labels[i] for i in first], rates[first])
    n_e = res["sweep/metrics/N_E"][done]
    ax.set_title(f"Brunel model A regimes, {int(done.sum())} runs"
                 f" (N_E = {', '.join(str(int(v)) for v in np.unique(n_e))})")
    outdir = Path(outdir) if outdir is not None else summary_path.parent
    return [save_figure(fig, outdir / "brunel_regimes.png")]


if __name__ == "__main__":  # python experiments/brunel.py SUMMARY.h5 [OUTDIR]
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python experiments/brunel.py SUMMARY.h5 [OUTDIR]")
    print(*sweep_plot(*sys.argv[1:]), sep="\n")
