"""LIF rates simulated at dt = 1 ms against the analytic rate curve G(J).

G(J) = 1 / (τ_ref + τ_rc ln(J / (J - 1))) for J > 1, else 0 (normalised LIF,
threshold 1, reset 0). One neuron per input J on the grid 0, ``J_step``, ...,
``J_max`` (points below the threshold included) is simulated for ``t_stop`` seconds
at step ``dt`` by each of ``methods``: ``exact`` (exponential update with the spike
at its exact time inside the step and the refractory period carried over) and
``euler`` (forward Euler, spikes on the grid). The rate is measured from the
inter-spike intervals (``neurosim.neurons.spike_rate`` over the whole run) and
compared with G(J); the relative error (sim - G) / G is defined where G > 0.

Writes ``/analysis/fi_curves/lif/{J, analytic, <method>, relative_error_<method>}``;
metrics: per method the largest |relative error| for J in [``accept_from``,
``J_max``] and the largest rate below the threshold. Figure ``lif_rate_curve.png``.
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
from neurosim.neurons import spike_rate
from neurosim.plots import figure, save_figure
from neurosim.validation import as_choice, as_float

CONFIG = {
    "tau_rc": 0.02,
    "tau_ref": 0.002,
    "J_max": 10.0,
    "J_step": 0.05,
    "dt": 1e-3,
    "t_stop": 2.0,
    "methods": ["exact", "euler"],
    "accept_from": 1.05,
}

log = logging.getLogger("neurosim.experiments.lif_rate_curve")


def integration_methods(config) -> list[str]:
    """``methods``, checked: at least one, each an LIF method."""
    methods = [as_choice("methods entry", m, set(ns.LIF.methods))
               for m in config["methods"]]
    if not methods:
        raise ValueError("methods must name at least one method, got []")
    return methods


def lif_neuron(config) -> ns.LIF:
    """The LIF neuron of ``tau_rc`` and ``tau_ref`` (s)."""
    return ns.LIF(tau_rc=config["tau_rc"], tau_ref=config["tau_ref"])


def input_grid(config) -> np.ndarray:
    """The inputs 0, ``J_step``, ..., ``J_max``.

    Returns
    -------
    array (k,), normalised (threshold 1)
    """
    step = as_float("J_step", config["J_step"], positive=True)
    top = as_float("J_max", config["J_max"], positive=True)
    if not top > 1.0:
        raise ValueError(f"J_max must be above the threshold 1, got {top}")
    return step * np.arange(int(np.floor(top / step + 1e-9)) + 1)


def simulated_rates(neuron, J, method: str, t_stop: float, dt: float) -> np.ndarray:
    """Firing rates measured in simulation.

    Parameters
    ----------
    neuron : LIF
    J : array (k,), normalised
        One constant input per neuron.
    method : str
        Integration method.
    t_stop, dt : float, s
        Duration and step.

    Returns
    -------
    array (k,), Hz
        Rate from the inter-spike intervals over the whole run (0 without spikes).
    """
    run = ns.simulate(neuron, J, t_stop, dt=dt, method=method, record=())
    return np.array([spike_rate(s, 0.0, t_stop) for s in run.spike_times])


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    integration_methods(config)
    lif_neuron(config)
    input_grid(config)
    as_float("accept_from", config["accept_from"])


def run(config, out):
    methods = integration_methods(config)
    neuron = lif_neuron(config)
    J = input_grid(config)
    accept_from = config["accept_from"]
    band = J >= accept_from - 1e-12
    below = J <= 1.0
    analytic = neuron.rates(J)
    results = ns.Results()
    results.add("fi_curves/lif/J", J, units="1")
    results.add("fi_curves/lif/analytic", analytic, units="Hz",
                description="G(J) = 1 / (tau_ref + tau_rc ln(J / (J - 1))), 0 for "
                            "J <= 1")
    results.set_attrs("fi_curves/lif", tau_rc=neuron.tau_rc, tau_ref=neuron.tau_ref,
                      dt=config["dt"], t_stop=config["t_stop"],
                      accept_from=accept_from, methods=",".join(methods))
    for method in methods:
        rates = simulated_rates(neuron, J, method, config["t_stop"], config["dt"])
        with np.errstate(divide="ignore", invalid="ignore"):
            error = np.where(analytic > 0, (rates - analytic) / analytic, np.nan)
        results.add(f"fi_curves/lif/{method}", rates, units="Hz",
                    description="from inter-spike intervals over the whole run")
        results.add(f"fi_curves/lif/relative_error_{method}", error, units="1",
                    description="(simulated - G) / G where G > 0, else NaN")
        worst = float(np.max(np.abs(error[band]))) if band.any() else float("nan")
        results.metrics[f"max_relative_error_{method}"] = worst
        results.metrics[f"max_rate_below_threshold_{method}"] = float(
            np.max(rates[below]))
        log.info("%s: largest relative error %.3g for J >= %g, largest rate %.3g Hz "
                 "for J <= 1", method, worst, accept_from, np.max(rates[below]))
    return results


MARKERS = {"exact": "o", "euler": "x", "rk45": "^"}


def plot(results, outdir):
    info = results.attrs["fi_curves/lif"]
    methods = info["methods"].split(",")
    J = results["fi_curves/lif/J"]
    fig, (ax_rate, ax_error) = figure(1, 2, width=5.8, height=4.4)
    ax_rate.plot(J, results["fi_curves/lif/analytic"], "k-", lw=1.2,
                 label="analytic G(J)")
    for method in methods:
        ax_rate.plot(J, results[f"fi_curves/lif/{method}"], MARKERS.get(method, "."),
                     ms=4, mfc="none", label=f"simulated, {method}")
        error = np.abs(results[f"fi_curves/lif/relative_error_{method}"])
        defined = np.isfinite(error)
        worst = results.metrics[f"max_relative_error_{method}"]
        ax_error.semilogy(J[defined], np.maximum(error[defined], 1e-17),
                          MARKERS.get(method, "."), ms=4, mfc="none",
                          label=f"{method}: largest {worst:.2g} for J ≥ "
                                f"{info['accept_from']:g}")
    ax_rate.axvline(1.0, color="grey", ls=":", lw=0.8, label="threshold J = 1")
    ax_rate.set_xlabel("input J (normalised; threshold 1)")
    ax_rate.set_ylabel("firing rate (Hz)")
    ax_rate.set_title(f"LIF rate curve, τ_rc = {info['tau_rc'] * 1e3:g} ms, "
                      f"τ_ref = {info['tau_ref'] * 1e3:g} ms\n(simulated with dt = "
                      f"{info['dt'] * 1e3:g} ms for {info['t_stop']:g} s)")
    ax_rate.legend(fontsize="small", loc="upper left")
    ax_error.axhline(5e-3, color="C3", ls="--", lw=1, label="0.5 % acceptance")
    ax_error.axvspan(info["accept_from"], J[-1], color="grey", alpha=0.1,
                     label="acceptance band")
    ax_error.set_xlim(0.0, J[-1] * 1.02)
    ax_error.set_xlabel("input J (normalised; threshold 1)")
    ax_error.set_ylabel("|simulated − G(J)| / G(J)")
    ax_error.set_title("relative error of the simulated rate\n"
                       "(exact zeros drawn at 1e-17; undefined for J ≤ 1)")
    ax_error.grid(True, which="both", alpha=0.3)
    ax_error.legend(fontsize="small", loc="center right")
    ax_rate.grid(True, alpha=0.3)
    return [save_figure(fig, outdir / "lif_rate_curve.png")]
