"""An LIF neuron under a time-varying input; exact, Euler and RK45 spike times compared.

v(t), its spikes and refractory periods are drawn for each method.

A normalised LIF neuron (``tau_rc``, ``tau_ref`` in s; threshold 1, reset 0) starts at
v = 0 and is driven for ``t_stop`` seconds by

* ``input = "sine"``: J(t) = ``J_base`` + ``J_amplitude`` sin(2π ``frequency`` t), or
* ``input = "step"``: J(t) = ``J_base``, plus ``J_amplitude`` from ``onset`` for
  ``duration`` seconds (whole numbers of steps),

sampled at the step starts k ``dt``. Each of ``methods`` simulates it: ``exact``
(exponential update with the input held over each step, spikes at their exact
crossing times, refractory period carried across steps: exact for that held input),
``euler`` (forward Euler, spikes on the grid) and ``rk45`` (adaptive, ``rtol`` and
``atol``; it interpolates the samples linearly, so it sees a slightly different
input where J changes). Every spike of ``exact`` is paired with the nearest spike of
each other method.

Writes each method's spikes (SONATA ``/spikes/lif_<method>``) and potential
(``/report/lif_<method>``), the input (``/analysis/traces/input/{t, J}``) and the
pairing (``/analysis/spike_comparison/<method>/{exact_times, difference}``);
metrics: spike counts and the largest timing difference to ``exact`` per method.
Figure ``lif_spike_train.png`` (with a zoom on ``zoom_start`` + ``zoom_duration``).
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
from neurosim.plots import figure, plot_traces, save_figure
from neurosim.validation import as_choice, as_float, as_steps

CONFIG = {
    "tau_rc": 0.02,
    "tau_ref": 0.002,
    "input": "sine",
    "J_base": 1.5,
    "J_amplitude": 1.0,
    "frequency": 2.0,
    "onset": 0.2,
    "duration": 0.6,
    "t_stop": 1.0,
    "dt": 1e-4,
    "methods": ["exact", "euler", "rk45"],
    "rtol": 1e-6,
    "atol": 1e-9,
    "zoom_start": 0.1,
    "zoom_duration": 0.06,
}

log = logging.getLogger("neurosim.experiments.lif_spike_train")


def integration_methods(config) -> list[str]:
    """``methods``, checked: LIF methods, ``exact`` among them."""
    methods = [as_choice("methods entry", m, set(ns.LIF.methods))
               for m in config["methods"]]
    if "exact" not in methods:
        raise ValueError(f"methods must include 'exact' (the reference of the "
                         f"comparison), got {config['methods']!r}")
    return methods


def lif_neuron(config) -> ns.LIF:
    """The LIF neuron of ``tau_rc`` and ``tau_ref`` (s)."""
    return ns.LIF(tau_rc=config["tau_rc"], tau_ref=config["tau_ref"])


def input_current(config) -> np.ndarray:
    """The input at the step starts.

    Parameters
    ----------
    config : dict
        The experiment's configuration (``input``, ``J_base``, ``J_amplitude``,
        ``frequency``, ``onset``, ``duration``, ``t_stop``, ``dt``).

    Returns
    -------
    array (T,), normalised (threshold 1)
        J at t = k ``dt`` for k = 0 .. T - 1, T = ``t_stop / dt`` rounded up.
    """
    dt = as_float("dt (s)", config["dt"], positive=True)
    t_stop = as_float("t_stop (s)", config["t_stop"], positive=True)
    kind = as_choice("input", config["input"], {"sine", "step"})
    base = as_float("J_base", config["J_base"])
    amplitude = as_float("J_amplitude", config["J_amplitude"])
    k = np.arange(int(np.ceil(t_stop / dt - 1e-9)))
    if kind == "sine":
        frequency = as_float("frequency (Hz)", config["frequency"], nonnegative=True)
        return base + amplitude * np.sin(2 * np.pi * frequency * k * dt)
    on = as_steps("onset", config["onset"], dt)
    off = on + as_steps("duration", config["duration"], dt, minimum=1)
    return np.where((k >= on) & (k < off), base + amplitude, base)


def pair_spikes(reference, other) -> np.ndarray:
    """The offset of the nearest spike of ``other`` from each spike of ``reference``.

    Parameters
    ----------
    reference : array (k,), s
        Spike times.
    other : array (m,), s
        Spike times, sorted.

    Returns
    -------
    array (k,), s
        Nearest spike of ``other`` minus each reference spike; NaN when ``other``
        is empty.
    """
    if other.size == 0:
        return np.full(reference.size, np.nan)
    right = np.clip(np.searchsorted(other, reference), 0, other.size - 1)
    left = np.clip(right - 1, 0, other.size - 1)
    nearer = np.where(np.abs(other[left] - reference) <= np.abs(other[right]
                                                                 - reference),
                      left, right)
    return other[nearer] - reference


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    integration_methods(config)
    as_float("zoom_start (s)", config["zoom_start"], nonnegative=True)
    as_float("zoom_duration (s)", config["zoom_duration"], positive=True)
    lif_neuron(config)
    input_current(config)


def run(config, out):
    methods = integration_methods(config)
    neuron = lif_neuron(config)
    current = input_current(config)
    dt = config["dt"]
    results = ns.Results()
    spikes = {}
    for method in methods:
        run_ = ns.simulate(neuron, current[:, None], config["t_stop"], dt=dt,
                           method=method, rtol=config["rtol"], atol=config["atol"])
        run_.add_to(results, f"lif_{method}")
        spikes[method] = run_.spike_times[0]
        results.metrics[f"n_spikes_{method}"] = int(spikes[method].size)
    t = run_.t
    results.add("traces/input/t", t, units="s")
    results.add("traces/input/J", current[np.minimum(np.arange(t.size),
                                                      current.size - 1)],
                units="1", description="input at each recorded time (held over the "
                "step after)")
    results.set_attrs("traces/input", kind=config["input"], J_base=config["J_base"],
                      J_amplitude=config["J_amplitude"],
                      frequency=config["frequency"], onset=config["onset"],
                      duration=config["duration"])
    results.set_attrs("spike_comparison", tau_rc=neuron.tau_rc, tau_ref=neuron.tau_ref,
                      dt=dt, rtol=config["rtol"], atol=config["atol"],
                      zoom_start=config["zoom_start"],
                      zoom_duration=config["zoom_duration"],
                      methods=",".join(methods))
    for method in methods:
        if method == "exact":
            continue
        difference = pair_spikes(spikes["exact"], spikes[method])
        base = f"spike_comparison/{method}"
        results.add(f"{base}/exact_times", spikes["exact"], units="s")
        results.add(f"{base}/difference", difference, units="s",
                    description=f"nearest {method} spike minus exact spike")
        worst = float(np.max(np.abs(difference))) if difference.size else 0.0
        results.metrics[f"max_timing_difference_ms_{method}"] = worst * 1e3
        log.info("%s: %d spikes (exact %d), largest timing difference %.3g ms",
                 method, spikes[method].size, spikes["exact"].size, worst * 1e3)
    return results


STYLES = {"exact": "-", "euler": "--", "rk45": ":"}


def plot(results, outdir):
    info = results.attrs["spike_comparison"]
    methods = info["methods"].split(",")
    source = results.attrs["traces/input"]
    t, J = results["traces/input/t"], results["traces/input/J"]
    tau_ref = info["tau_ref"]
    zoom = (info["zoom_start"], info["zoom_start"] + info["zoom_duration"])
    if source["kind"] == "sine":
        shape = (f"J(t) = {source['J_base']:g} + {source['J_amplitude']:g} "
                 f"sin(2π·{source['frequency']:g} Hz·t)")
    else:
        shape = (f"J = {source['J_base']:g}, + {source['J_amplitude']:g} from "
                 f"{source['onset']:g} s for {source['duration']:g} s")
    fig, axes = figure(4, 1, width=8.5, height=2.5)
    ax_j, ax_v, ax_zoom, ax_d = axes
    plot_traces(t, J, ax=ax_j, ylabel="input J (normalised)",
                title=f"LIF, τ_rc = {info['tau_rc'] * 1e3:g} ms, τ_ref = "
                      f"{tau_ref * 1e3:g} ms, dt = {info['dt'] * 1e3:g} ms; {shape}")
    ax_j.axhline(1.0, color="grey", ls=":", lw=0.8, label="threshold J = 1")
    ax_j.legend(fontsize="small", loc="upper right")
    exact = results.reports["lif_exact"]
    spikes = results.spikes["lif_exact"].times
    ax_v.plot(exact.t, exact.data[:, 0], lw=0.8, label="v(t), exact")
    ax_v.vlines(spikes, 1.0, 1.4, color="k", lw=0.8,
                label=f"{spikes.size} spikes (exact)")
    ax_v.axvspan(*zoom, color="C1", alpha=0.15, label="zoomed below")
    ax_v.set_ylim(-0.1, 1.9)
    ax_v.set_ylabel("v (normalised)")
    ax_v.set_title("membrane potential of the exact method (threshold 1, reset 0)")
    ax_v.legend(fontsize="small", loc="upper right", ncol=3)
    window = (t >= zoom[0]) & (t <= zoom[1])
    for method in methods:
        report = results.reports[f"lif_{method}"]
        line, = ax_zoom.plot(report.t[window], report.data[window, 0],
                             ls=STYLES.get(method, "-"), lw=1.2, label=f"v, {method}")
        times = results.spikes[f"lif_{method}"].times
        shown = times[(times >= zoom[0]) & (times <= zoom[1])]
        ax_zoom.plot(shown, np.full(shown.size, 1.05 + 0.05 * methods.index(method)),
                     "|", ms=10, mew=1.5, color=line.get_color(),
                     label=f"spikes, {method}")
    for k, start in enumerate(spikes[(spikes >= zoom[0] - tau_ref)
                                     & (spikes <= zoom[1])]):
        ax_zoom.axvspan(start, start + tau_ref, color="grey", alpha=0.25, lw=0,
                        label=f"refractory ({tau_ref * 1e3:g} ms)" if k == 0 else None)
    ax_zoom.axhline(1.0, color="grey", ls=":", lw=0.8)
    ax_zoom.set_xlim(*zoom)
    ax_zoom.set_ylim(-0.05, 1.75)
    ax_zoom.set_ylabel("v (normalised)")
    ax_zoom.set_title(f"zoom on {zoom[0]:g}–{zoom[1]:g} s: v is held at the reset "
                      f"for τ_ref after each spike")
    ax_zoom.legend(fontsize="x-small", loc="upper center", ncol=2 * len(methods) + 1)
    for method in methods:
        if method == "exact":
            continue
        base = f"spike_comparison/{method}"
        difference = np.abs(results[f"{base}/difference"])
        worst = results.metrics[f"max_timing_difference_ms_{method}"]
        ax_d.semilogy(results[f"{base}/exact_times"], np.maximum(difference, 1e-16),
                      "o", ms=3.5, label=f"{method} (largest {worst:.3g} ms)")
    ax_d.set_ylabel("|t − t_exact| (s)")
    ax_d.set_title("spike-time difference to the exact method, per exact spike\n"
                   "(exact holds J over each step, which delays it by dt/2; rk45 joins "
                   "the samples linearly; Euler spikes on the grid)", fontsize="small")
    ax_d.grid(True, which="both", alpha=0.3)
    if len(methods) > 1:
        ax_d.legend(fontsize="small")
    for ax in axes:
        ax.set_xlabel("time (s)")
        if ax is not ax_zoom:
            ax.set_xlim(t[0], t[-1])
    return [save_figure(fig, outdir / "lif_spike_train.png")]
