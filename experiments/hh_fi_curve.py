"""The Hodgkin–Huxley f–I curve per integration method, and its class II onset.

For each method in ``methods`` (``exp_euler``, ``rk4``, ``euler`` with step ``dt``;
``rk45`` with ``rtol``/``atol``), every constant current on the grid ``I_min`` to
``I_max`` in steps of ``I_step`` (µA/cm²) plus the ``probe_currents`` is applied
to a neuron starting at rest, for ``t_stop`` seconds; the rate is measured from the
spikes after the first ``transient`` fraction of the run (``neurosim.rates``), so a
neuron that fires a few spikes and falls silent counts as 0. The onset of
repetitive firing is then bracketed between the last silent and the first firing
current and refined on a grid of ``onset_resolution`` µA/cm² inside the bracket.
The classic model is class II: at the onset the rate jumps from 0 to about 50 Hz.

Writes ``/analysis/fi_curves/hh_<method>/{I, rates}`` (all currents simulated,
sorted; attrs: onset, the rate there, the settings) and metrics
``rate_<method>_I<current>`` for each probe current, ``onset_<method>`` and
``onset_rate_<method>``. Figure ``hh_fi_curve.png``.
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
from neurosim.plots import figure, save_figure
from neurosim.progress import progress
from neurosim.validation import as_choice, as_float

CONFIG = {
    "I_min": 0.0,
    "I_max": 20.0,
    "I_step": 0.25,
    "probe_currents": [6.2, 6.3, 10.0],
    "methods": ["exp_euler", "rk4", "rk45", "euler"],
    "dt": 1e-5,
    "rtol": 1e-6,
    "atol": 1e-9,
    "t_stop": 1.0,
    "transient": 0.5,
    "onset_resolution": 0.01,
}

log = logging.getLogger("neurosim.experiments.hh_fi_curve")


def current_grid(config) -> np.ndarray:
    """The currents ``I_min, I_min + I_step, ..., I_max``.

    Returns
    -------
    array (k,), µA/cm²
    """
    low = as_float("I_min (uA/cm^2)", config["I_min"])
    high = as_float("I_max (uA/cm^2)", config["I_max"])
    step = as_float("I_step (uA/cm^2)", config["I_step"], positive=True)
    if not high > low:
        raise ValueError(f"I_max must be above I_min = {low}, got {high}")
    return low + step * np.arange(int(np.floor((high - low) / step + 1e-9)) + 1)


def integration_methods(config) -> list[str]:
    """``methods``, checked: at least one, each a Hodgkin–Huxley method."""
    methods = [as_choice("methods entry", m, set(ns.HodgkinHuxley.methods))
               for m in config["methods"]]
    if not methods:
        raise ValueError("methods must name at least one method, got []")
    return methods


def onset_resolution(config) -> float:
    """``onset_resolution`` (µA/cm²), checked."""
    return as_float("onset_resolution (uA/cm^2)", config["onset_resolution"],
                    positive=True)


def onset_bracket(currents, rates) -> tuple[float, float] | None:
    """The currents on either side of the onset of firing.

    Parameters
    ----------
    currents : array (k,), µA/cm², sorted
    rates : array (k,), Hz

    Returns
    -------
    tuple of float (µA/cm²) or None
        (last silent, first firing) current below and at the lowest firing one;
        ``None`` when nothing fires or the lowest current already fires.
    """
    firing = np.flatnonzero(rates > 0)
    if firing.size == 0 or firing[0] == 0:
        return None
    return float(currents[firing[0] - 1]), float(currents[firing[0]])


def fi_curve(neuron, config, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The f–I curve of one method, with its onset refined.

    Parameters
    ----------
    neuron : HodgkinHuxley
    config : dict
        The experiment's configuration.
    method : str
        Integration method.

    Returns
    -------
    currents : array (k,), µA/cm², sorted
        The grid, the probe currents and the refining points inside the onset
        bracket.
    rates : array (k,), Hz
        Rate over the last ``1 - transient`` of each run.
    """
    options = {"t_stop": config["t_stop"], "transient": config["transient"],
               "dt": config["dt"], "method": method}
    if method == "rk45":
        options.update(rtol=config["rtol"], atol=config["atol"])
    currents = np.unique(np.concatenate([current_grid(config),
                                         np.asarray(config["probe_currents"], float)]))
    rates = ns.rates(neuron, currents, **options)
    bracket = onset_bracket(currents, rates)
    if bracket is not None:
        resolution = onset_resolution(config)
        fine = bracket[0] + resolution * np.arange(
            1, int(np.ceil((bracket[1] - bracket[0]) / resolution - 1e-9)))
        currents = np.concatenate([currents, fine])
        rates = np.concatenate([rates, ns.rates(neuron, fine, **options)])
    order = np.argsort(currents, kind="stable")
    return currents[order], rates[order]


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    integration_methods(config)
    current_grid(config)
    onset_resolution(config)


def run(config, out):
    methods = integration_methods(config)
    probes = np.asarray(config["probe_currents"], dtype=float)
    neuron = ns.HodgkinHuxley()
    results = ns.Results()
    for method in progress(methods, desc="f-I curves"):
        currents, rates = fi_curve(neuron, config, method)
        bracket = onset_bracket(currents, rates)
        onset = bracket[1] if bracket is not None else float("nan")
        onset_rate = float(rates[currents == onset][0]) if bracket else float("nan")
        base = f"fi_curves/hh_{method}"
        results.add(f"{base}/I", currents, units="uA/cm^2")
        results.add(f"{base}/rates", rates, units="Hz",
                    description=f"rate over the last {1 - config['transient']:g} of "
                                f"{config['t_stop']:g} s, from rest")
        results.set_attrs(base, method=method, dt=config["dt"],
                          t_stop=config["t_stop"], transient=config["transient"],
                          onset=onset, onset_rate=onset_rate,
                          onset_resolution=config["onset_resolution"])
        for current in probes:
            results.metrics[f"rate_{method}_I{current:g}"] = float(
                rates[currents == current][0])
        results.metrics[f"onset_{method}"] = onset
        results.metrics[f"onset_rate_{method}"] = onset_rate
        log.info("%s: onset %.4g uA/cm^2 (%.3f Hz there); probes %s -> %s Hz", method,
                 onset, onset_rate, probes,
                 [results.metrics[f"rate_{method}_I{c:g}"] for c in probes])
    results.add("fi_curves/probe_currents", probes, units="uA/cm^2")
    results.add("fi_curves/methods", np.array(methods), units="1")
    return results


STYLES = {"exp_euler": ("o", "-"), "rk4": ("s", "--"), "rk45": ("^", ":"),
          "euler": ("x", "-.")}


def plot(results, outdir):
    methods = [str(m) for m in results["fi_curves/methods"]]
    probes = results["fi_curves/probe_currents"]
    first = results.attrs[f"fi_curves/hh_{methods[0]}"]
    fig, (ax_all, ax_zoom) = figure(1, 2, width=6.0, height=4.6)
    onsets = []
    for method in methods:
        base = f"fi_curves/hh_{method}"
        attrs = results.attrs[base]
        currents, rates = results[f"{base}/I"], results[f"{base}/rates"]
        marker, style = STYLES.get(method, (".", "-"))
        for ax in (ax_all, ax_zoom):
            line, = ax.plot(currents, rates, ls=style, marker=marker, ms=3.5, lw=1,
                            label=f"{method}: onset {attrs['onset']:.2f} µA/cm² "
                                  f"(jump to {attrs['onset_rate']:.1f} Hz)")
            ax.axvline(attrs["onset"], color=line.get_color(), ls=style, lw=0.8)
        onsets.append(attrs["onset"])
    table = [f"{'':9s}" + "".join(f"{c:>8g}" for c in probes)]
    table += [f"{m:9s}" + "".join(f"{results.metrics[f'rate_{m}_I{c:g}']:8.2f}"
                                  for c in probes) for m in methods]
    ax_all.text(0.03, 0.97, "rate (Hz) at I (µA/cm²):\n" + "\n".join(table),
                transform=ax_all.transAxes, va="top", family="monospace",
                fontsize="x-small", bbox={"facecolor": "white", "alpha": 0.8})
    ax_all.set_title(f"Hodgkin–Huxley f–I curves, dt = {first['dt'] * 1e3:g} ms\n"
                     f"(rate over the last {1 - first['transient']:g} of "
                     f"{first['t_stop']:g} s, from rest)")
    finite = [o for o in onsets if np.isfinite(o)]
    centre = float(np.mean(finite)) if finite else float(probes[0])
    ax_zoom.set_xlim(centre - 0.6, centre + 1.2)
    ax_zoom.set_ylim(-3, 70)
    ax_zoom.set_title(f"onset of repetitive firing: a jump (class II)\n"
                      f"(onsets refined to {first['onset_resolution']:g} µA/cm²)")
    for ax in (ax_all, ax_zoom):
        ax.set_xlabel("input current I (µA/cm²)")
        ax.set_ylabel("firing rate (Hz)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="x-small", loc="lower right",
                  title="vertical lines: onsets", title_fontsize="x-small")
    return [save_figure(fig, outdir / "hh_fi_curve.png")]
