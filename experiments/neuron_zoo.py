"""Firing patterns of the standard neuron models under a current step; their f–I curves.

Models (one panel each): Izhikevich (2003) RS, IB, CH, FS and LTS at the paper's
I = 10 mV/ms; AdEx with the five sets of Naud et al. (2008), each at its own step
current (pA: tonic 500, adapting 500, initial_burst 400, regular_bursting 210,
irregular 160); ``IAF`` (defaults) at ``iaf_current`` nA and ``AdaptiveIAF``
(``adaptive_iaf``'s b, tau_w) at ``adaptive_iaf_current`` nA. Each neuron starts in
its model's initial state (Izhikevich: v = −65 mV, u = b v, which is not quite its
rest; AdEx at E_L, w = 0; the IAFs at V_rest), sees no input until ``onset`` and
the step from ``onset`` to ``t_stop`` (``ns.simulate`` with a current table, one
row per step: the models' own group steps, without a network).

Step ``dt`` = 0.01 ms for every model: the models' tests measure fixed-step RK4
spike-time errors over 1 s of 1.4e-3 to 1.3e-2 ms (Izhikevich) and 5e-4 to 5.6e-3 ms
(AdEx; the chaotic irregular set excepted) at 0.01 ms, but 0.15 to 1.25 ms
(Izhikevich FS: one of its 7.3 ms ISIs shifted by a sixth) at 0.1 ms; the IAFs are
stepped exactly, so dt only places their threshold crossings. V is recorded every
``record_every`` (0.1 ms) to keep the file small; spikes are drawn as lines to the
model's peak (Izhikevich v_peak 30 mV, AdEx V_peak 0 mV, IAFs 0 mV by convention).

Spike-train measures, over the spikes at t >= onset (ISIs x_1 .. x_N, ms):

* ``n_spikes``; ``rate_hz`` = n_spikes / step duration; ``first_isi_ms`` x_1 and
  ``last_isi_ms`` x_N; ``isi_ratio`` = x_N / x_1;
* ``adaptation_index`` A = mean over k of (x_{k+1} − x_k) / (x_{k+1} + x_k), all
  N − 1 pairs (Naud et al. 2008's index without dropping transient ISIs; the
  Allen Cell Types definition): 0 for a regular train, > 0 when the ISIs lengthen.
* ``pattern``, from this classifier (Naud et al.'s initiation / steady-state
  classes, ``Neuronal Dynamics`` §6.2.1):

  - ``sparse``: fewer than 3 ISIs.
  - A *break* is an ISI more than 3x the one before (x_{k+1} > 3 x_k: a pause
    after a burst). The *late period* p is the smallest p >= 1 such that the last
    half of the ISIs (x_{N//2+1} ..) repeats with period p to 5 % (|x_{i+p} − x_i|
    <= 0.05 x_i for every i, over at least two whole periods and two pairs);
    none if no p fits.
  - breaks, all among the first 4 ISIs: ``initial_burst`` (a burst of <= 4 spikes,
    then single spikes);
  - other breaks: ``bursting`` if p >= 2 (bursts repeating regularly), else
    ``irregular``;
  - no break, ISIs non-decreasing (each >= 0.98 x the one before) or p = 1:
    ``adapting`` if x_N / x_1 >= 2 (the rate at least halves from the first ISI
    to the last), else ``tonic``;
  - otherwise ``irregular``.

  The AdEx irregular set is chaotic with near-periodic stretches: over 0.5 s it
  is ``irregular`` at dt = 5, 10 and 20 µs, but over 1 s at dt = 10 µs its last
  ISIs repeat with period 10 to 5 % and it reads ``bursting``.

  There is no ``fast_spiking`` class: FS differs from a tonic cell by its rate
  only, and AdEx tonic fires 104 Hz too. Measured at the defaults, Izhikevich FS's
  x_N / x_1 = 1.86 and RS's 2.14 lie either side of the threshold 2.

f–I curves: for each model a group of ``fi_neurons`` neurons with currents spread
evenly over ``fi_range`` (per family, in its units), under the same step (one
``simulate`` call per model): the first-ISI rate 1 / x_1, the mean rate over the
step, and the steady-state rate (spikes in the second half of the step / its
duration: an average over bursts for the bursters).

With ``equation_twin``, the Izhikevich CH cell is also run as its equation-written
twin (``Izhikevich.equations_twin()``, an ``EquationNeuron``); its spikes are
drawn as ticks on the CH panel, with the largest difference to the built-in's.

Writes spikes (SONATA ``/spikes/<panel>``), V (``/report/<panel>``), the step
(``/analysis/patterns/<panel>`` attrs) and the f–I curves
(``/analysis/fi/<panel>/{current, rate_first, rate_mean, rate_steady}``); metrics
``<panel>_<measure>``. Figures ``neuron-zoo.png`` (firing patterns) and
``neuron-zoo-fi.png`` (f–I curves).
"""

from __future__ import annotations

import logging

import numpy as np

import neurosim as ns
from neurosim.neurons import adex, izhikevich
from neurosim.plots import figure, save_figure
from neurosim.validation import as_float, as_steps

CONFIG = {
    "t_stop": 0.5,
    "onset": 0.02,
    "dt": 1e-5,
    "record_every": 1e-4,
    "iaf_current": 25.0,
    "adaptive_iaf_current": 30.0,
    "adaptive_iaf": {"b": 10.0, "tau_w": 100.0},
    "fi_neurons": 50,
    "fi_range": {"izhikevich": [0.0, 20.0], "adex": [0.0, 800.0], "iaf": [0.0, 50.0]},
    "equation_twin": True,
}

#: family -> (title, current units)
FAMILIES = {"izhikevich": ("Izhikevich (2003)", "mV/ms"),
            "adex": ("AdEx (Naud et al. 2008)", "pA"),
            "iaf": ("integrate-and-fire", "nA")}
PATTERNS = ("sparse", "tonic", "adapting", "initial_burst", "bursting", "irregular")
BREAK = 3.0        # a break: an ISI more than BREAK x the one before
PERIOD_TOL = 0.05  # the late ISIs repeat to this relative tolerance
MONOTONE = 0.98    # non-decreasing: each ISI >= MONOTONE x the one before
ADAPTING = 2.0     # adapting: last ISI >= ADAPTING x first ISI
IAF_PEAK = 0.0     # mV, the height IAF spikes are drawn to
#: the classifier, as the figure states it (x_k: the ISIs under the step)
KEY = ("pattern (fewer than 3 ISIs: sparse)\n"
       "  break: x[k+1] > 3 x[k]   period p: the last half of the\n"
       "  ISIs repeats with period p to 5 % (two periods at least)\n"
       "initial_burst: breaks only in the first 4 ISIs\n"
       "bursting:      other breaks, p >= 2 (else irregular)\n"
       "adapting:      no break, ISIs non-decreasing or p = 1,\n"
       "               x_last >= 2 x_first (else tonic)\n"
       "irregular:     none of these\n"
       "A = mean (x[k+1] - x[k]) / (x[k+1] + x[k])")

log = logging.getLogger("neurosim.experiments.neuron_zoo")


def models(config) -> list[dict]:
    """The panels, in drawing order: label, family, name, neuron, step current and
    its units, the height spikes are drawn to (mV)."""
    out = []
    for name in izhikevich.PRESETS:
        neuron = ns.Izhikevich.preset(name)
        out.append(dict(label=f"izhikevich_{name}", family="izhikevich", name=name,
                        neuron=neuron, current=izhikevich.STEP_CURRENTS[name],
                        peak=neuron.v_peak))
    for name in adex.PRESETS:
        neuron = ns.AdEx.preset(name)
        out.append(dict(label=f"adex_{name}", family="adex",
                        name=name.replace("_", " "),
                        neuron=neuron, current=adex.STEP_CURRENTS[name],
                        peak=neuron.V_peak))
    out.append(dict(label="iaf", family="iaf", name="IAF", neuron=ns.IAF(),
                    current=as_float("iaf_current (nA)", config["iaf_current"]),
                    peak=IAF_PEAK))
    params = config["adaptive_iaf"]
    out.append(dict(label="adaptive_iaf", family="iaf", name="AdaptiveIAF",
                    neuron=ns.AdaptiveIAF(**params),
                    current=as_float("adaptive_iaf_current (nA)",
                                     config["adaptive_iaf_current"]),
                    peak=IAF_PEAK))
    for m in out:
        m["units"] = FAMILIES[m["family"]][1]
    return out


def timing(config) -> tuple[float, int, int, int]:
    """(dt, onset step, number of steps, record stride), checked."""
    dt = as_float("dt (s)", config["dt"], positive=True)
    t_stop = as_float("t_stop (s)", config["t_stop"], positive=True)
    onset = as_float("onset (s)", config["onset"], nonnegative=True)
    on = as_steps("onset", onset, dt)
    n_steps = as_steps("t_stop", t_stop, dt, minimum=1)
    stride = as_steps("record_every", config["record_every"], dt, minimum=1)
    if not on < n_steps:
        raise ValueError(f"onset must be before t_stop = {t_stop} s, got {onset} s")
    return dt, on, n_steps, stride


def fi_currents(config, family: str) -> np.ndarray:
    """The f–I currents of ``family`` (its units), ``fi_neurons`` of them."""
    n = config["fi_neurons"]
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"fi_neurons must be an int >= 2, got {n!r}")
    span = config["fi_range"][family]
    if len(span) != 2 or not float(span[0]) < float(span[1]):
        raise ValueError(f"fi_range.{family} must be [low, high] with low < high, "
                         f"got {span!r}")
    return np.linspace(float(span[0]), float(span[1]), n)


def step_table(currents, on: int, n_steps: int) -> np.ndarray:
    """(n_steps, n): 0 before step ``on``, ``currents`` from it."""
    table = np.zeros((n_steps, len(currents)))
    table[on:] = currents
    return table


def is_periodic(late, p: int) -> bool:
    """The ISIs ``late`` repeat with period ``p`` to ``PERIOD_TOL``, over at least
    two whole periods (and two pairs)."""
    if late.size < max(2 * p, p + 2):
        return False
    return bool(np.all(np.abs(late[p:] - late[:-p]) <= PERIOD_TOL * late[:-p]))


def late_period(isi) -> int:
    """The smallest period of the last half of ``isi`` (module docstring); 0: none."""
    late = np.asarray(isi)[len(isi) // 2:]
    for p in range(1, late.size):
        if is_periodic(late, p):
            return p
    return 0


def classify(isi) -> tuple[str, dict]:
    """The firing pattern of the ISIs ``isi`` (ms, in order) and its features
    (``breaks``: indices k of x_{k+1} > 3 x_k; ``period``; ``isi_ratio``)."""
    isi = np.asarray(isi, dtype=float)
    if isi.size < 3:
        return "sparse", {"breaks": [], "period": 0, "isi_ratio": float("nan")}
    breaks = [int(k) for k in np.flatnonzero(isi[1:] > BREAK * isi[:-1])]
    period = late_period(isi)
    ratio = float(isi[-1] / isi[0])
    features = {"breaks": breaks, "period": period, "isi_ratio": ratio}
    if breaks:
        if max(breaks) <= 2:  # the break ends one of the first 4 ISIs
            return "initial_burst", features
        return ("bursting" if period >= 2 else "irregular"), features
    if np.all(isi[1:] >= MONOTONE * isi[:-1]) or period == 1:
        return ("adapting" if ratio >= ADAPTING else "tonic"), features
    return "irregular", features


def adaptation_index(isi) -> float:
    """Mean of (x_{k+1} − x_k) / (x_{k+1} + x_k) over all pairs; NaN below 2 ISIs."""
    isi = np.asarray(isi, dtype=float)
    if isi.size < 2:
        return float("nan")
    return float(np.mean((isi[1:] - isi[:-1]) / (isi[1:] + isi[:-1])))


def train_measures(times, onset: float, t_end: float) -> dict:
    """The measures of one spike train (s) under the step [onset, t_end) (module
    docstring)."""
    times = np.asarray(times)
    during = times[(times >= onset) & (times < t_end)]
    isi = np.diff(during) * 1e3
    pattern, features = classify(isi)
    nan = float("nan")
    return {"n_spikes": int(during.size),
            "rate_hz": during.size / (t_end - onset),
            "first_isi_ms": float(isi[0]) if isi.size else nan,
            "last_isi_ms": float(isi[-1]) if isi.size else nan,
            "isi_ratio": features["isi_ratio"],
            "adaptation_index": adaptation_index(isi),
            "n_breaks": len(features["breaks"]),
            "period": features["period"],
            "pattern": pattern}


def fi_rates(spike_times, onset: float, t_end: float) -> dict[str, np.ndarray]:
    """Per neuron: ``rate_first`` (1 / first ISI in the step; 0 below 2 spikes),
    ``rate_mean`` (spikes in the step / its duration), ``rate_steady`` (spikes in
    its second half / half its duration), Hz."""
    half = 0.5 * (onset + t_end)
    first, mean, steady = [], [], []
    for s in spike_times:
        s = s[(s >= onset) & (s < t_end)]
        first.append(1.0 / (s[1] - s[0]) if s.size >= 2 else 0.0)
        mean.append(s.size / (t_end - onset))
        steady.append(np.count_nonzero(s >= half) / (t_end - half))
    return {"rate_first": np.array(first), "rate_mean": np.array(mean),
            "rate_steady": np.array(steady)}


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    timing(config)
    models(config)
    for family in FAMILIES:
        fi_currents(config, family)


def run(config, out):
    dt, on, n_steps, stride = timing(config)
    onset, t_end = on * dt, n_steps * dt
    t_stop = config["t_stop"]
    results = ns.Results()
    results.set_attrs("patterns", onset=onset, t_stop=t_end, dt=dt,
                      labels=[m["label"] for m in models(config)])
    table = {}
    for m in models(config):
        label, neuron = m["label"], m["neuron"]
        run_ = ns.simulate(neuron, step_table([m["current"]], on, n_steps), t_stop,
                           dt=dt, record=("v",), record_every=stride * dt)
        run_.add_to(results, label)
        measures = train_measures(run_.spike_times[0], onset, t_end)
        table[label] = measures
        for key, value in measures.items():
            results.metrics[f"{label}_{key}"] = value
        results.set_attrs(f"patterns/{label}", family=m["family"], name=m["name"],
                          model=type(neuron).__name__, current=m["current"],
                          units=m["units"], peak=m["peak"], pattern=measures["pattern"])
        currents = fi_currents(config, m["family"])
        fi = ns.simulate(neuron, step_table(currents, on, n_steps), t_stop, dt=dt,
                         record=())
        base = f"fi/{label}"
        results.add(f"{base}/current", currents, units=m["units"])
        for key, values in fi_rates(fi.spike_times, onset, t_end).items():
            results.add(f"{base}/{key}", values, units="Hz")
        results.set_attrs(base, family=m["family"], name=m["name"])
    if config["equation_twin"]:
        neuron = ns.Izhikevich.preset("CH")
        twin = ns.simulate(neuron.equations_twin(), step_table([10.0], on, n_steps),
                           t_stop, dt=dt, record=())
        results.add_spikes("izhikevich_CH_twin", twin.spike_times[0],
                           np.zeros(twin.spike_times[0].size, np.int64), n_neurons=1)
        built_in = results.spikes["izhikevich_CH"].times
        got = twin.spike_times[0]
        results.metrics["twin_CH_n_spikes"] = int(got.size)
        results.metrics["twin_CH_max_difference_ms"] = (
            float(np.max(np.abs(got - built_in)) * 1e3) if got.size == built_in.size
            else float("nan"))
    for label, m in table.items():
        log.info("%-24s %3d spikes %7.2f Hz  ISI %7.2f .. %7.2f ms  A = %+.3f  %s",
                 label, m["n_spikes"], m["rate_hz"], m["first_isi_ms"],
                 m["last_isi_ms"], m["adaptation_index"], m["pattern"])
    return results


def plot(results, outdir):
    return [plot_patterns(results, outdir / "neuron-zoo.png"),
            plot_fi(results, outdir / "neuron-zoo-fi.png")]


def _rows(results) -> list[list[str]]:
    labels = list(results.attrs["patterns"]["labels"])
    return [[lb for lb in labels if results.attrs[f"patterns/{lb}"]["family"] == f]
            for f in FAMILIES]


def plot_patterns(results, path):
    rows = _rows(results)
    attrs = results.attrs["patterns"]
    onset_ms, stop_ms = attrs["onset"] * 1e3, attrs["t_stop"] * 1e3
    ncols = max(len(r) for r in rows)
    fig, axes = figure(len(rows), ncols, width=3.3, height=2.3)
    metrics = results.metrics
    for r, row in enumerate(rows):
        for c in range(ncols):
            ax = axes[r, c]
            if c >= len(row):
                ax.set_axis_off()
                if r == len(rows) - 1 and c == len(row):
                    key = ax.text(0.0, 1.0, KEY, transform=ax.transAxes, va="top",
                                  fontsize="small", family="monospace")
                    key.set_in_layout(False)  # it may run over the empty columns
                continue
            label = row[c]
            a = results.attrs[f"patterns/{label}"]
            report = results.reports[label]
            t_ms, v = report.t * 1e3, report.data[:, 0]
            ax.plot(t_ms, v, lw=0.7, color="C0")
            spikes = results.spikes[label].times * 1e3
            if spikes.size:
                ax.vlines(spikes, np.interp(spikes, t_ms, v), a["peak"], lw=0.7,
                          color="C0")
            twin = "izhikevich_CH_twin"
            if label == "izhikevich_CH" and twin in results.spikes:
                ticks = results.spikes[twin].times * 1e3
                ax.plot(ticks, np.full(ticks.size, a["peak"] + 8.0), "|", color="C3",
                        ms=5, label="equation twin's spikes")
                ax.legend(fontsize="x-small", loc="lower right")
            ax.axvspan(onset_ms, stop_ms, color="0.9", zorder=0)
            ax.set_xlim(0.0, stop_ms)
            m = {k: metrics[f"{label}_{k}"] for k in ("n_spikes", "rate_hz",
                                                     "adaptation_index", "pattern")}
            name = (a["model"] if a["name"] == a["model"]
                    else f"{a['model']} {a['name']}")
            ax.set_title(f"{name}, I = {a['current']:g} {a['units']}\n"
                         f"{m['pattern']}: {m['n_spikes']} spikes, "
                         f"{m['rate_hz']:.1f} Hz, A = {m['adaptation_index']:.3f}",
                         fontsize="small")
            ax.tick_params(labelsize="x-small")
            if c == 0:
                ax.set_ylabel("V (mV)", fontsize="small")
            if r == len(rows) - 1 or c >= len(rows[r + 1]):
                ax.set_xlabel("time (ms)", fontsize="small")
    fig.suptitle(f"Firing patterns under a current step from {onset_ms:g} ms "
                 f"(grey; dt = {attrs['dt'] * 1e3:g} ms)")
    return save_figure(fig, path)


def plot_fi(results, path):
    rows = _rows(results)
    kinds = (("rate_first", "first-ISI rate"), ("rate_mean", "mean rate over the step"),
             ("rate_steady", "steady-state rate (2nd half)"))
    fig, axes = figure(len(kinds), len(rows), width=4.2, height=2.8)
    styles = ["-", "--", "-.", ":", (0, (5, 1))]
    for c, (family, row) in enumerate(zip(FAMILIES, rows, strict=True)):
        title, units = FAMILIES[family]
        for r, (key, what) in enumerate(kinds):
            ax = axes[r, c]
            for k, label in enumerate(row):
                name = results.attrs[f"fi/{label}"]["name"]
                ax.plot(results[f"fi/{label}/current"], results[f"fi/{label}/{key}"],
                        ls=styles[k % len(styles)], marker=".", ms=3, lw=1, label=name)
            ax.set_title(f"{title}: {what}", fontsize="small")
            ax.set_xlabel(f"I ({units})", fontsize="small")
            ax.set_ylabel("rate (Hz)", fontsize="small")
            ax.grid(True, alpha=0.3)
            ax.tick_params(labelsize="x-small")
            if r == 0:
                ax.legend(fontsize="x-small")
    fig.suptitle("f–I curves under a current step")
    return save_figure(fig, path)
