"""A Hodgkin–Huxley neuron under a current step: V(t), the gates m, h, n, the spikes.

One neuron with the classic squid-axon parameters starts at rest (V = -65 mV, gates
at their steady state) and receives ``amplitude`` µA/cm² from ``onset`` for
``duration`` seconds (0 otherwise) over ``t_stop`` seconds, integrated with
``method`` (``exp_euler``, ``rk4``, ``euler`` with step ``dt``; ``rk45`` with
tolerances ``rtol``/``atol``, ``dt`` then being the sampling interval). ``onset``
and ``duration`` must be whole numbers of steps, so the fixed-step methods see the
step exactly; rk45 interpolates the sampled current linearly, so it sees each edge
of the step as a ramp over one ``dt`` before it.

Writes the spikes (SONATA ``/spikes/hh``), the potential (``/report/hh``), the gates
and the input current (``/analysis/traces/hh/{m, h, n, current, t}``); metrics:
spike count, first-spike latency after the onset, and the mean inter-spike interval
and rate of the spikes during the step. Figure ``hh_spike_train.png``.
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
from neurosim.plots import figure, plot_traces, save_figure
from neurosim.validation import as_choice, as_float, as_steps

CONFIG = {
    "amplitude": 10.0,
    "onset": 0.01,
    "duration": 0.07,
    "t_stop": 0.1,
    "method": "exp_euler",
    "dt": 1e-5,
    "rtol": 1e-6,
    "atol": 1e-9,
}

log = logging.getLogger("neurosim.experiments.hh_spike_train")


def integration_method(config) -> str:
    """``method``, checked (lower-cased)."""
    return as_choice("method", config["method"], set(ns.HodgkinHuxley.methods))


def step_current(config) -> tuple[np.ndarray, int, int]:
    """The input current, one value per step.

    Returns
    -------
    current : array (T,), µA/cm²
        ``amplitude`` on steps ``on <= k < off``, 0 elsewhere (step k starts at
        ``k dt``); T = ``t_stop / dt`` rounded up.
    on, off : int
        First step of the pulse and first step after it.
    """
    dt = as_float("dt (s)", config["dt"], positive=True)
    t_stop = as_float("t_stop (s)", config["t_stop"], positive=True)
    amplitude = as_float("amplitude (uA/cm^2)", config["amplitude"])
    onset = as_float("onset (s)", config["onset"], nonnegative=True)
    duration = as_float("duration (s)", config["duration"], positive=True)
    if not onset < t_stop:
        raise ValueError(f"onset must be before t_stop = {t_stop} s, got {onset} s")
    on = as_steps("onset", onset, dt)
    off = on + as_steps("duration", duration, dt)
    k = np.arange(int(np.ceil(t_stop / dt - 1e-9)))
    return np.where((k >= on) & (k < off), amplitude, 0.0), on, off


def spike_summary(spikes, onset: float, offset: float) -> dict:
    """Count, latency and regularity of a spike train under a step.

    Parameters
    ----------
    spikes : array (k,), s
        Spike times, sorted.
    onset, offset : float, s
        Start and end of the step.

    Returns
    -------
    dict
        ``n_spikes`` (all spikes), ``first_spike_latency_ms`` (first spike after
        the onset, ms), ``mean_isi_ms`` and ``rate_hz`` (from the intervals between
        the spikes inside [onset, offset]); NaN where there are too few spikes.
    """
    after = spikes[spikes >= onset]
    during = after[after <= offset]
    latency = (after[0] - onset) * 1e3 if after.size else float("nan")
    isi = float(np.mean(np.diff(during))) if during.size >= 2 else float("nan")
    return {"n_spikes": int(spikes.size), "first_spike_latency_ms": float(latency),
            "mean_isi_ms": isi * 1e3, "rate_hz": 1.0 / isi}


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    integration_method(config)
    step_current(config)


def run(config, out):
    method = integration_method(config)
    current, on, off = step_current(config)
    dt = config["dt"]
    neuron = ns.HodgkinHuxley()
    run_ = ns.simulate(neuron, current[:, None], config["t_stop"], dt=dt, method=method,
                       rtol=config["rtol"], atol=config["atol"],
                       record=("v", "m", "h", "n"))
    results = ns.Results()
    run_.add_to(results, "hh")
    steps = np.minimum(np.arange(run_.t.size), current.size - 1)
    results.add("traces/hh/current", current[steps], units="uA/cm^2",
                description="input at each recorded time (held over the step after)")
    results.set_attrs("traces/hh", method=method, dt=dt, amplitude=config["amplitude"],
                      onset=on * dt, duration=(off - on) * dt,
                      threshold=neuron.threshold)
    spikes = run_.spike_times[0]
    summary = spike_summary(spikes, on * dt, off * dt)
    results.metrics.update(summary)
    log.info("%s, dt = %g ms: spikes at %s ms; %s", method, dt * 1e3,
             np.round(spikes * 1e3, 4), summary)
    return results


def plot(results, outdir):
    report = results.reports["hh"]
    t_ms = results["traces/hh/t"] * 1e3
    attrs = results.attrs["traces/hh"]
    spikes_ms = results.spikes["hh"].times * 1e3
    metrics = results.metrics
    onset, duration = attrs["onset"] * 1e3, attrs["duration"] * 1e3
    fig, axes = figure(3, 1, width=8.0, height=2.7)
    ax_i, ax_v, ax_g = axes
    plot_traces(t_ms, results["traces/hh/current"], ax=ax_i, ylabel="I (µA/cm²)",
                title=f"Hodgkin–Huxley under a {attrs['amplitude']:g} µA/cm² step "
                      f"from {onset:g} to {onset + duration:g} ms "
                      f"({attrs['method']}, dt = {attrs['dt'] * 1e3:g} ms)")
    ax_i.fill_between(t_ms, results["traces/hh/current"], alpha=0.2)
    ax_v.plot(report.t * 1e3, report.data[:, 0], lw=1, label="V(t)")
    ax_v.axhline(attrs["threshold"], color="grey", ls=":", lw=0.8,
                 label=f"spike threshold {attrs['threshold']:g} mV")
    ax_v.plot(spikes_ms, np.full(spikes_ms.size, attrs["threshold"]), "v", color="C3",
              ms=6, label="spikes (upward crossings)")
    ax_v.set_ylabel(f"V ({report.units})")
    ax_v.set_title(f"{metrics['n_spikes']} spikes, first-spike latency "
                   f"{metrics['first_spike_latency_ms']:.3f} ms, mean ISI "
                   f"{metrics['mean_isi_ms']:.3f} ms ({metrics['rate_hz']:.2f} Hz)")
    ax_v.legend(fontsize="small", loc="upper right")
    plot_traces(t_ms, np.column_stack([results[f"traces/hh/{g}"][:, 0]
                                       for g in ("m", "h", "n")]),
                ax=ax_g, labels=["m (Na activation)", "h (Na inactivation)",
                                 "n (K activation)"],
                ylabel="gate (open fraction)", title="gating variables")
    for ax in axes:
        ax.set_xlim(t_ms[0], t_ms[-1])
        ax.set_xlabel("time (ms)")
        ax.grid(True, alpha=0.3)
    return [save_figure(fig, outdir / "hh_spike_train.png")]
