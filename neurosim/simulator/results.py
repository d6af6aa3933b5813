"""``NetworkResults``: what a Simulator recorded, readable by probe and savable."""

from __future__ import annotations

import numpy as np

from ..network import Network, Probe
from ..results import Results, SpikeStore, SpikeTrains


class NetworkResults(Results):
    """Probe data of a run, plus everything ``Results`` holds.

    ``res[probe]`` is the probe's samples (T, width); ``res.times(probe)`` their
    times (s); ``res.spikes(population)`` the spikes of a population with a spike
    probe, as events (times, ids).
    ``save`` writes SONATA spikes for every population with a spike probe, voltage
    probes as reports, and decoded, current and rate probes under ``/analysis``.
    """

    def __init__(self, network: Network, dt: float, mode: str):
        super().__init__(name=network.label)
        self.spikes = _GrowingSpikes()
        self.network = network
        self.dt = dt
        self.mode = mode
        self.t_stop = 0.0
        self._chunks: dict[int, list[np.ndarray]] = {id(p): [] for p in network.probes}

    def _add_samples(self, probe: Probe, rows: np.ndarray):
        self._chunks[id(probe)].append(rows.copy())

    def _add_spikes(self, times, ids, pops, populations):
        for p in np.unique(pops):
            mask = pops == p
            self.spikes.append(populations[p], times[mask], ids[mask])

    def __getitem__(self, key):
        if isinstance(key, Probe):
            if key.what == "spikes":
                raise KeyError(f"probe {key.label!r} records spikes: use "
                               f"results.spikes(population)")
            chunks = self._chunks.get(id(key))
            if chunks is None:
                raise KeyError(f"probe {key.label!r} was not recorded in this run "
                               "(another network's probe, or spikes or voltage in "
                               "rate mode)")
            width = chunks[0].shape[1] if chunks else 0
            return np.vstack(chunks) if chunks else np.zeros((0, width))
        return super().__getitem__(key)

    @property
    def t(self) -> np.ndarray:
        """Times of every step run so far (s)."""
        return self.dt * np.arange(1, round(self.t_stop / self.dt) + 1)

    def times(self, probe: Probe) -> np.ndarray:
        """Times (s) of a probe's samples."""
        every = probe.sample_every
        return self.dt * every * np.arange(1, round(self.t_stop / self.dt) // every + 1)

    def save(self, path, provenance: dict | None = None):
        """Write the results file (probes laid out as described in the class doc)."""
        for probe in self.network.probes:
            target = probe.target
            if probe.what == "spikes":
                if target.label not in self.spikes:  # a population that never fired
                    self.add_spikes(target.label, [], [], n_neurons=target.n_neurons)
                continue
            data, t = self[probe], self.times(probe)
            if probe.what == "voltage":
                self.add_report(target.label, data, t[0] if t.size else 0.0,
                                self.dt * probe.sample_every,
                                units=probe_units(probe), variable="v")
            else:
                values, times = probe_paths(probe)
                self.add(values, data, units=probe_units(probe), **probe_attrs(probe))
                self.add(times, t, units="s")
        self.metrics.setdefault("t_stop", self.t_stop)
        self.metrics.setdefault("dt", self.dt)
        return super().save(path, provenance)


def probe_paths(probe: Probe) -> tuple[str, str]:
    """Where a (non-spike, non-voltage) probe's samples and times go in /analysis."""
    if probe.what == "decoded":
        return f"decoded/{probe.label}/x_hat", f"decoded/{probe.label}/t"
    label = probe.target.label
    return f"traces/{label}/{probe.what}", f"traces/{label}/{probe.what}_t"


def probe_units(probe: Probe) -> str:
    """Units of a probe's samples."""
    if probe.what == "decoded":
        return "1"
    if probe.what == "rates":
        return "Hz"
    channel = getattr(probe.target, "channels", {}).get(probe.what)
    if channel is not None:
        return channel.units(probe.target.neuron)
    if probe.what in probe.target.neuron.state_units:
        return probe.target.neuron.state_units[probe.what]
    name = "v" if probe.what == "voltage" else "current"
    return probe.target.neuron.state_units.get(name, "1")


def probe_attrs(probe: Probe) -> dict:
    """Attributes stored with a probe's samples."""
    if probe.what != "decoded":
        return {}
    return {"source": probe.target.label,
            "synapse": repr(probe.synapse) if probe.synapse else "none"}



class _GrowingSpikes(SpikeStore):
    """Spike trains that grow chunk by chunk during a run, merged when read.

    Every chunk's spikes come after all earlier ones in time, so each chunk is
    sorted on its own and appended: recording costs O(n log chunk), not a re-sort of
    everything so far at every chunk. Within a chunk the simulator emits spikes step
    by step, and within a step in ascending neuron order, so a stable sort on the
    times alone orders them by time and then id (and is fast on data that is
    already almost sorted)."""

    def __init__(self):
        super().__init__()
        self._pending: dict[str, list] = {}
        self._sizes: dict[str, int] = {}

    def append(self, population, times, ids):
        order = np.argsort(times, kind="stable")
        self._pending.setdefault(population.label, []).append((times[order],
                                                               ids[order]))
        self._sizes[population.label] = population.n_neurons

    def _merge(self):
        for label, parts in self._pending.items():
            before = dict.get(self, label)
            times = [before.times] if before is not None else []
            ids = [before.ids] if before is not None else []
            times += [t for t, _ in parts]
            ids += [i for _, i in parts]
            dict.__setitem__(self, label, SpikeTrains(np.concatenate(times),
                                                      np.concatenate(ids),
                                                      self._sizes[label]))
        self._pending.clear()

    def __getitem__(self, key):
        self._merge()
        return super().__getitem__(key)

    def __contains__(self, key):
        self._merge()
        return super().__contains__(key)

    def __iter__(self):
        self._merge()
        return super().__iter__()

    def __len__(self):
        self._merge()
        return super().__len__()

    def get(self, key, default=None):
        self._merge()
        return super().get(key, default)

    def items(self):
        self._merge()
        return super().items()

    def keys(self):
        self._merge()
        return super().keys()

    def values(self):
        self._merge()
        return super().values()
