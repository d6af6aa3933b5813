"""Statistics of spiking networks, gathered chunk by chunk as a run streams.

``SpikeStats`` takes the spikes of neuron groups in time order, a chunk at a time,
and keeps only what the statistics need — per neuron a spike count, the last spike
time and the sums of its interspike intervals (ISIs) and their squares, per neuron
and bin the sum of squared spike counts, per group the spike count in each time
bin — so its memory grows with the number of neurons and of bins, not of spikes.
Spikes before ``t_start`` (a transient) are left out of every statistic.

Definitions (``t_start`` to ``t_stop``, bins of width ``bin`` s):

* rate of a neuron: its spikes / (t_stop − t_start), Hz; a group's mean rate is the
  mean over all its neurons (silent ones too);
* ISI CV of a neuron: std / mean of its ISIs (population std, ``ddof = 0``), for
  neurons with at least 3 spikes (2 ISIs) in the window; NaN for the others; the
  mean ISI CV is the mean over the neurons that have one;
* population rate A_b: the spikes of the group in bin b / (n_neurons · bin), Hz;
* spike-count synchrony χ (Golomb 2007) of groups together:
  χ² = Var_b(mean_i n_ib) / mean_i Var_b(n_ib), n_ib the count of neuron i in bin b
  (0 for independent Poisson neurons up to a 1/N bias; 1 for identical trains);
* Fano factor of the population count: Var_b(Σ_i n_ib) / mean_b(Σ_i n_ib) (1 for
  independent Poisson neurons).

Functions on the population rate: ``rate_cv`` (its CV less the part that
independent Poisson neurons would give), ``spectrum`` (Welch) and
``oscillation_index`` (the share of its power near the spectral peak).
"""

from __future__ import annotations

import math

import numpy as np

from .validation import as_float, as_int


class SpikeStats:
    """Streaming spike statistics of groups (see the module docstring).

    Parameters
    ----------
    sizes : dict of str to int
        Neurons per group, by label.
    t_start, t_stop : float, s
        The window of the statistics (0 <= t_start < t_stop).
    bin : float, s
        Width of the time bins; the window must be a whole number of bins.
    """

    def __init__(self, sizes: dict, t_start: float, t_stop: float, bin: float):
        self.t_start = as_float("t_start (s)", t_start, nonnegative=True)
        self.t_stop = as_float("t_stop (s)", t_stop, positive=True)
        self.bin = as_float("bin (s)", bin, positive=True)
        if not self.t_stop > self.t_start:
            raise ValueError(f"t_start must be < t_stop, got t_start = {t_start} s, "
                             f"t_stop = {t_stop} s")
        bins = (self.t_stop - self.t_start) / self.bin
        self.n_bins = round(bins)
        if self.n_bins < 1 or abs(bins - self.n_bins) > 1e-6:
            window = self.t_stop - self.t_start
            raise ValueError(f"the window t_stop - t_start = {window!r} s must be a "
                             f"whole number (>= 1) of bins of {self.bin!r} s")
        self.sizes = {label: as_int(f"size of {label!r}", n, minimum=1)
                      for label, n in sizes.items()}
        self._count = {k: np.zeros(n, np.int64) for k, n in self.sizes.items()}
        self._last = {k: np.full(n, np.nan) for k, n in self.sizes.items()}
        self._n_isi = {k: np.zeros(n, np.int64) for k, n in self.sizes.items()}
        self._s1 = {k: np.zeros(n) for k, n in self.sizes.items()}
        self._s2 = {k: np.zeros(n) for k, n in self.sizes.items()}
        self._sq = {k: np.zeros(n) for k, n in self.sizes.items()}
        self._pending = {k: np.zeros(0, np.int64) for k in self.sizes}
        self._binned = {k: np.zeros(self.n_bins, np.int64) for k in self.sizes}
        self._seen = dict.fromkeys(self.sizes, -math.inf)

    def add(self, label: str, times, ids):
        """Spikes of group ``label`` (times in s, neuron ids), later than any given
        before for that group."""
        if label not in self.sizes:
            raise KeyError(f"no group {label!r}; groups: {sorted(self.sizes)}")
        times = np.asarray(times, dtype=np.float64)
        ids = np.asarray(ids, dtype=np.int64)
        if times.shape != ids.shape or times.ndim != 1:
            raise ValueError("times and ids must be 1-D arrays of one length")
        keep = (times >= self.t_start) & (times <= self.t_stop)
        times, ids = times[keep], ids[keep]
        if not times.size:
            return
        if ids.min() < 0 or ids.max() >= self.sizes[label]:
            raise ValueError(f"group {label!r} has {self.sizes[label]} neurons; got "
                             f"ids in [{ids.min()}, {ids.max()}]")
        if times.min() < self._seen[label]:
            raise ValueError(f"spikes of {label!r} must come in time order: got "
                             f"{times.min()!r} s after {self._seen[label]!r} s")
        self._seen[label] = times.max()
        n = self.sizes[label]
        self._count[label] += np.bincount(ids, minlength=n)
        self._isis(label, times, ids)
        # bin b holds (t_start + b bin, t_start + (b + 1) bin]; bin 0 holds t_start
        b = np.clip(np.ceil((times - self.t_start) / self.bin).astype(np.int64) - 1,
                    0, self.n_bins - 1)
        self._binned[label] += np.bincount(b, minlength=self.n_bins)
        # squared counts per (neuron, bin); the latest bin may grow in the next call
        keys = np.concatenate([self._pending[label], ids * self.n_bins + b])
        last_bin = b.max()
        done = keys % self.n_bins < last_bin
        self._square(label, keys[done])
        self._pending[label] = keys[~done]

    def _isis(self, label, times, ids):
        order = np.lexsort((times, ids))
        t, i = times[order], ids[order]
        n = self.sizes[label]
        same = i[1:] == i[:-1]
        isi = np.diff(t)[same]
        owner = i[1:][same]
        first = np.concatenate([[True], ~same])
        head, t_head = i[first], t[first]
        before = self._last[label][head]
        known = ~np.isnan(before)
        isi = np.concatenate([isi, t_head[known] - before[known]])
        owner = np.concatenate([owner, head[known]])
        self._n_isi[label] += np.bincount(owner, minlength=n)
        self._s1[label] += np.bincount(owner, isi, minlength=n)
        self._s2[label] += np.bincount(owner, isi * isi, minlength=n)
        tail = np.concatenate([~same, [True]])
        self._last[label][i[tail]] = t[tail]

    def _square(self, label, keys):
        if keys.size:
            pairs, counts = np.unique(keys, return_counts=True)
            self._sq[label] += np.bincount(pairs // self.n_bins,
                                           counts.astype(np.float64) ** 2,
                                           minlength=self.sizes[label])

    def _flush(self, label):
        self._square(label, self._pending[label])
        self._pending[label] = np.zeros(0, np.int64)

    # -- per neuron ------------------------------------------------------------------
    @property
    def duration(self) -> float:
        """t_stop − t_start, s."""
        return self.t_stop - self.t_start

    def rates(self, label: str) -> np.ndarray:
        """Rate of each neuron of ``label``, Hz, shape (n,)."""
        return self._count[label] / self.duration

    def isi_cv(self, label: str) -> np.ndarray:
        """ISI CV of each neuron of ``label`` (NaN below 3 spikes), shape (n,)."""
        k = self._n_isi[label]
        cv = np.full(k.size, np.nan)
        ok = k >= 2
        mean = self._s1[label][ok] / k[ok]
        var = np.maximum(self._s2[label][ok] / k[ok] - mean * mean, 0.0)
        cv[ok] = np.sqrt(var) / mean
        return cv

    # -- per group and together ----------------------------------------------------
    def counts(self, label: str) -> np.ndarray:
        """Spikes of ``label`` per bin, shape (n_bins,)."""
        return self._binned[label].copy()

    def population_rate(self, labels=None) -> np.ndarray:
        """Population rate of groups together (all by default), Hz per neuron,
        shape (n_bins,)."""
        labels = self._labels(labels)
        total = sum(self._binned[k] for k in labels)
        return total / (sum(self.sizes[k] for k in labels) * self.bin)

    def bin_times(self) -> np.ndarray:
        """Centres of the bins, s, shape (n_bins,)."""
        return self.t_start + self.bin * (np.arange(self.n_bins) + 0.5)

    def mean_rate(self, labels=None) -> float:
        """Mean rate over the neurons of groups together, Hz."""
        labels = self._labels(labels)
        return float(sum(self._count[k].sum() for k in labels)
                     / (sum(self.sizes[k] for k in labels) * self.duration))

    def mean_cv(self, labels=None) -> tuple[float, int]:
        """(mean ISI CV over the neurons with one, how many have one)."""
        cv = np.concatenate([self.isi_cv(k) for k in self._labels(labels)])
        cv = cv[~np.isnan(cv)]
        return (float(cv.mean()) if cv.size else math.nan), int(cv.size)

    def chi(self, labels=None) -> float:
        """Spike-count synchrony χ of groups together (NaN if none fired)."""
        labels = self._labels(labels)
        n = sum(self.sizes[k] for k in labels)
        B = self.n_bins
        var_each = 0.0
        for k in labels:
            self._flush(k)
            mean = self._count[k] / B
            var_each += float(np.sum(self._sq[k] / B - mean * mean))
        if var_each <= 0.0:
            return math.nan
        pop = sum(self._binned[k] for k in labels) / n
        return math.sqrt(max(float(pop.var()) / (var_each / n), 0.0))

    def fano(self, labels=None) -> float:
        """Fano factor of the population spike count per bin (NaN if none fired)."""
        total = sum(self._binned[k] for k in self._labels(labels)).astype(np.float64)
        return float(total.var() / total.mean()) if total.mean() > 0 else math.nan

    def _labels(self, labels) -> list[str]:
        labels = list(self.sizes) if labels is None else [labels] if isinstance(
            labels, str) else list(labels)
        for k in labels:
            if k not in self.sizes:
                raise KeyError(f"no group {k!r}; groups: {sorted(self.sizes)}")
        return labels


def rate_cv(rate, n_neurons: int, bin: float) -> float:
    """CV of a population rate (Hz per neuron, bins of ``bin`` s) with the part that
    ``n_neurons`` independent Poisson neurons at its mean rate would give
    (1 / sqrt(n ν bin)) taken out in quadrature: the depth of the rate's collective
    modulation (0 when asynchronous). NaN for a silent population."""
    rate = np.asarray(rate, dtype=np.float64)
    mean = float(rate.mean()) if rate.size else 0.0
    if mean <= 0.0:
        return math.nan
    cv2 = float(rate.var()) / mean ** 2 - 1.0 / (n_neurons * mean * bin)
    return math.sqrt(max(cv2, 0.0))


def spectrum(rate, bin: float, segment: float = 0.256) -> tuple[np.ndarray, np.ndarray]:
    """Power spectral density of a population rate less its mean (Welch, Hann
    windows of ``segment`` s overlapping by half, or the whole rate if shorter):
    (frequencies (Hz), power (Hz² / Hz))."""
    from scipy.signal import welch
    rate = np.asarray(rate, dtype=np.float64)
    per = max(8, min(rate.size, round(segment / bin)))
    return welch(rate - rate.mean(), fs=1.0 / bin, nperseg=per)


def oscillation_index(f, power, f_min: float = 5.0, width: float = 1.2
                      ) -> tuple[float, float]:
    """(peak frequency (Hz), share of the power above ``f_min`` Hz that lies within
    a factor ``width`` of the peak): near 1 for a clean oscillation, small for
    broadband fluctuations. (NaN, NaN) without power above ``f_min``."""
    f = np.asarray(f, dtype=np.float64)
    power = np.asarray(power, dtype=np.float64)
    above = f >= f_min
    total = float(power[above].sum())
    if not total > 0:
        return math.nan, math.nan
    peak = float(f[above][np.argmax(power[above])])
    near = above & (f >= peak / width) & (f <= peak * width)
    return peak, float(power[near].sum()) / total
