"""Figures drawn from ``Results`` (never from a live simulator).

Every ``plot_*`` function takes ``ax=None`` (the current pyplot axes then) and returns
the Axes it drew on. ``figure`` and ``save_figure`` make files whose bytes depend only
on the data: no timestamps, no software tag.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from .results import Results

DPI = 110
#: Above this many neurons a raster becomes a spike-density image.
RASTER_EVENT_LIMIT = 200
_SVG_COPIES: ContextVar[bool] = ContextVar("svg_copies", default=False)


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    return ax


def figure(nrows: int = 1, ncols: int = 1, width: float = 6.4, height: float = 4.0):
    """A new figure (not registered with pyplot) and its axes array, squeezed."""
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


@contextmanager
def svg_copies(enabled: bool = True):
    """Inside this context ``save_figure`` also writes an SVG next to each PNG."""
    token = _SVG_COPIES.set(enabled)
    try:
        yield
    finally:
        _SVG_COPIES.reset(token)


def save_figure(fig: Figure, path) -> Path:
    """Write ``fig`` as PNG (or SVG by suffix) with reproducible bytes, plus an SVG
    copy of a PNG inside ``svg_copies()``; returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".svg":
        _save_svg(fig, path)
    else:
        fig.savefig(path, dpi=DPI, metadata={"Software": None})
        if _SVG_COPIES.get() and path.suffix == ".png":
            _save_svg(fig, path.with_suffix(".svg"))
    return path


def _save_svg(fig: Figure, path: Path):
    """SVG with fixed element ids and no date, so the bytes depend on the data."""
    with rc_context({"svg.hashsalt": "neurosim"}):
        fig.savefig(path, metadata={"Date": None})


def plot_loglog(curves: dict, ax=None, xlabel: str = "", ylabel: str = "",
                title: str = "", slopes: dict | None = None):
    """Log–log lines, one per entry of ``curves = {label: (x, y)}``.

    ``slopes`` (label -> fitted slope) is shown in the legend.
    """
    ax = _axes(ax)
    for label, (x, y) in curves.items():
        shown = label if not slopes or label not in slopes else \
            f"{label} (slope {slopes[label]:.2f})"
        ax.loglog(x, y, "o-", ms=4, label=shown)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_raster(times, ids, ax=None, n_neurons: int | None = None, title: str = "",
                t_range=None):
    """Spike raster: one tick per spike (times in s); a density image for large
    populations so thousands of neurons stay readable."""
    ax = _axes(ax)
    times = np.asarray(times)
    ids = np.asarray(ids)
    n = n_neurons or (int(ids.max()) + 1 if ids.size else 1)
    lo, hi = t_range if t_range is not None else (
        (times.min(), times.max()) if times.size else (0.0, 1.0))
    if n <= RASTER_EVENT_LIMIT:
        ax.scatter(times, ids, marker="|", s=12, linewidths=0.8, color="k")
        ax.set_ylim(-0.5, n - 0.5)
        ax.set_ylabel("neuron")
    else:
        t_bins = np.linspace(lo, hi if hi > lo else lo + 1.0, 201)
        n_bins = np.linspace(0, n, min(n, 200) + 1)
        counts, _, _ = np.histogram2d(times, ids, bins=(t_bins, n_bins))
        rate = counts.T / (np.diff(t_bins)[None, :] * np.diff(n_bins)[:, None])
        image = ax.imshow(rate, aspect="auto", origin="lower", cmap="Greys",
                          extent=(t_bins[0], t_bins[-1], 0, n), interpolation="nearest")
        ax.figure.colorbar(image, ax=ax, label="rate per neuron (Hz)")
        ax.set_ylabel("neuron")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("time (s)")
    if title:
        ax.set_title(title)
    return ax


def plot_traces(t, data, ax=None, labels=None, ylabel: str = "", title: str = "",
                max_traces: int = 10):
    """Time series ``data`` (T, k) against ``t`` (s); at most ``max_traces`` lines."""
    ax = _axes(ax)
    data = np.asarray(data)
    if data.ndim == 1:
        data = data[:, None]
    shown = np.unique(np.linspace(0, data.shape[1] - 1, min(max_traces, data.shape[1]))
                      .astype(int))
    for k in shown:
        ax.plot(t, data[:, k], lw=1, label=None if labels is None else labels[k])
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if labels is not None:
        ax.legend(fontsize="small")
    return ax


def plot_results(results: Results, outdir) -> list[Path]:
    """Generic figures for any results file: the decoded probes of a network run
    (``/analysis/decoded/<probe>/{x_hat, t}``) in one figure, a raster per spiking
    population and the traces of every report. Experiments add their own through
    their ``plot``."""
    outdir = Path(outdir)
    paths = []
    decoded = results.children("decoded")
    if decoded:
        fig, axes = figure(len(decoded), 1, width=8.0, height=2.6)
        for ax, probe in zip(np.atleast_1d(axes), decoded):
            x_hat = results[f"decoded/{probe}/x_hat"]
            attrs = results.attrs.get(f"decoded/{probe}/x_hat", {})
            plot_traces(results[f"decoded/{probe}/t"], x_hat, ax=ax,
                        labels=[f"x{i}" for i in range(x_hat.shape[1])]
                        if x_hat.shape[1] > 1 else None, ylabel="decoded value",
                        title=f"{probe} (synapse {attrs.get('synapse', 'none')})")
        paths.append(save_figure(fig, outdir / "decoded.png"))
    for population, trains in sorted(results.spikes.items()):
        fig, ax = figure()
        plot_raster(trains.times, trains.ids, ax=ax, n_neurons=trains.n_neurons,
                    title=f"spikes of {population}")
        paths.append(save_figure(fig, outdir / f"raster_{population}.png"))
    for population, report in sorted(results.reports.items()):
        fig, ax = figure()
        plot_traces(report.t, report.data, ax=ax,
                    ylabel=f"{report.variable} ({report.units})",
                    title=f"{report.variable} of {population}")
        paths.append(save_figure(fig, outdir / f"report_{population}.png"))
    return paths


# -- networks of neuron groups (the layout of ``neurosim.group_runs``) ----------------
def smooth_rate(rate, bin: float, sigma: float) -> np.ndarray:
    """``rate`` (per bin of ``bin`` s) convolved with a unit-area Gaussian of
    standard deviation ``sigma`` s (cut at 4 sigma; edges as if the rate went on
    at its end values)."""
    rate = np.asarray(rate, dtype=np.float64)
    half = max(1, int(np.ceil(4 * sigma / bin)))
    x = np.arange(-half, half + 1) * bin
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.concatenate([np.full(half, rate[0]), rate, np.full(half, rate[-1])]) \
        if rate.size else rate
    return np.convolve(padded, kernel, mode="valid") if rate.size else rate


def plot_population_rate(t, rate, ax=None, bin: float | None = None,
                         smooth: float | None = None, t_range=None, label=None,
                         color=None, title: str = ""):
    """A population rate (Hz) against the bin centres ``t`` (s), binned as a thin
    line and, with ``smooth`` (s), smoothed by a Gaussian of that width on top."""
    ax = _axes(ax)
    t = np.asarray(t)
    rate = np.asarray(rate)
    line, = ax.plot(t, rate, lw=0.5, alpha=0.45 if smooth else 1.0, color=color,
                    label=None if smooth else label)
    if smooth:
        step = bin if bin is not None else (t[1] - t[0] if t.size > 1 else 1.0)
        ax.plot(t, smooth_rate(rate, step, smooth), lw=1.2, color=line.get_color(),
                label=f"{label} ({smooth * 1e3:g} ms Gaussian)" if label else None)
    if t_range is not None:
        ax.set_xlim(*t_range)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("population rate (Hz)")
    if title:
        ax.set_title(title)
    if label:
        ax.legend(fontsize="small", loc="upper right")
    return ax


def plot_histogram(values, ax=None, bins=30, value_range=None, xlabel: str = "",
                   title: str = "", label=None, color=None):
    """A step histogram of the finite ``values`` (NaN left out), its mean in the
    legend."""
    ax = _axes(ax)
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size:
        shown = f"{label}: " if label else ""
        ax.hist(values, bins=bins, range=value_range, histtype="step", lw=1.2,
                color=color, label=f"{shown}mean {values.mean():.3g} "
                                   f"({values.size} neurons)")
        ax.legend(fontsize="small")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("neurons")
    if title:
        ax.set_title(title)
    return ax


def plot_group_activity(results: Results, labels, axes, raster_neurons: int = 200,
                        t_range=None, smooth: float | None = 0.002):
    """Four panels of a group network's run: a raster of ``raster_neurons``
    neurons (the first ones of each group, in proportion to the group sizes,
    groups stacked in order), the population rate of every group, the histogram of
    the neurons' ISI CVs and that of their rates — on ``axes`` (four Axes)."""
    ax_raster, ax_rate, ax_cv, ax_hist = axes
    labels = list(labels)
    sizes = [results.spikes[k].n_neurons or int(results.spikes[k].ids.max() + 1)
             for k in labels]
    share = np.array(sizes) / sum(sizes)
    shown = np.maximum(1, np.round(share * raster_neurons).astype(int))
    shown = np.minimum(shown, sizes)
    base = 0
    t = results["population_rate/t"]
    bin_width = results.attrs.get("population_rate", {}).get(
        "bin", t[1] - t[0] if t.size > 1 else 1.0)
    lo, hi = t_range if t_range is not None else (0.0, t[-1] + bin_width / 2)
    for k, (label, n) in enumerate(zip(labels, shown)):
        times, ids = results.spikes(label)
        keep = (ids < n) & (times >= lo) & (times <= hi)
        ax_raster.scatter(times[keep], ids[keep] + base, marker="|", s=6,
                          linewidths=0.6, color=f"C{k}", label=label)
        base += int(n)
        plot_population_rate(t, results[f"population_rate/{label}"], ax=ax_rate,
                             bin=bin_width, smooth=smooth, t_range=(lo, hi),
                             label=label, color=f"C{k}")
        plot_histogram(results[f"neurons/{label}/isi_cv"], ax=ax_cv, bins=40,
                       label=label, color=f"C{k}", xlabel="ISI CV")
        plot_histogram(results[f"neurons/{label}/rate"], ax=ax_hist,
                       bins=_rate_bins(results, labels), label=label,
                       color=f"C{k}", xlabel="rate (Hz)")
    ax_raster.set_xlim(lo, hi)
    ax_raster.set_ylim(-0.5, base - 0.5)
    ax_raster.set_xlabel("time (s)")
    ax_raster.set_ylabel("neuron (" + ", then ".join(
        f"{n} of {label}" for label, n in zip(labels, shown)) + ")")
    ax_raster.set_title("spikes", fontsize="medium")
    ax_rate.set_title(f"population rate ({bin_width * 1e3:g} ms bins)",
                      fontsize="medium")
    ax_cv.set_title("ISI CV per neuron (>= 3 spikes)", fontsize="medium")
    ax_hist.set_title("firing rate per neuron", fontsize="medium")
    return axes


def _rate_bins(results: Results, labels, most: int = 40) -> np.ndarray:
    """Histogram edges for per-neuron rates, which are whole spike counts over the
    statistics' window: every bin holds the same number of possible counts."""
    info = results.attrs.get("population_rate", {})
    duration = info.get("t_stop", 1.0) - info.get("t_start", 0.0)
    top = max(float(np.nanmax(results[f"neurons/{k}/rate"], initial=0.0))
              for k in labels)
    counts = int(round(top * duration)) + 1
    per = max(1, int(np.ceil(counts / most)))
    return (np.arange(0, counts + per, per) - 0.5) / duration
