"""``NetworkResults``: what a Simulator recorded, readable by probe and savable."""

from __future__ import annotations

import numpy as np

from ..network import Network, Probe
from ..results import Results, SpikeStore, SpikeTrains


class NetworkResults(Results):
    """Probe data of a run, plus everything ``Results`` holds.

    ``res[probe]`` is the probe's samples (T, width: its neurons or dimensions;
    of a decoder probe (T, N, k));
    ``res.times(probe)`` their times (s); ``res.spikes(population)`` the spikes of
    a population with a spike probe, as events (times, ids: the neurons' indices in
    the population). Each covers the run since the start or the last
    ``Simulator.clear_probes``, within the probe's window.
    ``save`` writes SONATA spikes for every population with a spike probe, voltage
    probes as reports, and decoded, current and rate probes under ``/analysis``
    (``probe_places``: a second probe of a variable already probed goes under its
    own label).
    """

    def __init__(self, network: Network, dt: float, mode: str, sampling: list,
                 shapes: list):
        super().__init__(name=network.label)
        self.spikes = _GrowingSpikes()
        self.network = network
        self.dt = dt
        self.mode = mode
        self.t_stop = 0.0
        self._sampling = {id(p): s for p, s in zip(network.probes, sampling)}
        #: id(probe) -> None (the SONATA report) or its /analysis (values, times)
        self.places = probe_places(network.probes)
        #: id(probe) -> the shape of one sample: (width,), or (N, k) of decoders
        self._shapes = {id(p): tuple(s) for p, s in zip(network.probes, shapes)}
        self._cleared = 0  # the step after which the probes' data start
        self._chunks: dict[int, list[np.ndarray]] = {id(p): [] for p in network.probes}

    def _add_samples(self, probe: Probe, rows: np.ndarray):
        if rows.shape[0]:
            self._chunks[id(probe)].append(rows.copy())

    def _add_spikes(self, times, ids, pops, populations):
        for p in np.unique(pops):
            mask = pops == p
            self.spikes.append(populations[p], times[mask], ids[mask])

    def _clear(self, step: int):
        """Drop every probe's data recorded up to ``step``."""
        self._cleared = step
        self.spikes = _GrowingSpikes()
        for chunks in self._chunks.values():
            chunks.clear()

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
            return np.concatenate(chunks) if chunks else \
                np.zeros((0, *self._shapes[id(key)]))
        return super().__getitem__(key)

    @property
    def t(self) -> np.ndarray:
        """Times of every step run so far (s)."""
        return self.dt * np.arange(1, round(self.t_stop / self.dt) + 1)

    def times(self, probe: Probe) -> np.ndarray:
        """Times (s) of a probe's samples."""
        sampling = self._sampling.get(id(probe))
        if sampling is None:
            raise KeyError(f"probe {probe.label!r} was not recorded in this run")
        return self.dt * sampling.steps(self._cleared, round(self.t_stop / self.dt))

    def save(self, path, provenance: dict | None = None):
        """Write the results file (probes laid out as described in the class doc)."""
        for probe in self.network.probes:
            target = probe.target
            if probe.what == "spikes":
                if target.label not in self.spikes:  # a population that never fired
                    self.add_spikes(target.label, [], [], n_neurons=target.n_neurons)
                continue
            data, t = self[probe], self.times(probe)
            sampling = self._sampling[id(probe)]
            place = self.places[id(probe)]
            if place is None:
                self.add_report(target.label, data, t[0] if t.size else 0.0,
                                self.dt * sampling.every, units=probe_units(probe),
                                variable="v", node_ids=probe.neurons)
            else:
                values, times = place
                self.add(values, data, units=probe_units(probe),
                         **probe_attrs(probe, sampling, self.dt))
                self.add(times, t, units="s")
                if probe.neurons is not None:
                    self.add(f"{values}_node_ids", probe.neurons, units="1")
        self.metrics.setdefault("t_stop", self.t_stop)
        self.metrics.setdefault("dt", self.dt)
        return super().save(path, provenance)


def probe_places(probes) -> dict:
    """id(probe) -> where each non-spike probe of ``probes`` (the network's) is
    saved: None for the SONATA report ``/report/<target>`` (the first voltage probe
    of its target), else its /analysis (values, times) paths: ``decoded/<probe>/
    {x_hat, t}``; ``traces/<target>/{<what>, <what>_t}`` for the first probe of a
    variable, ``traces/<target>/by_probe/<probe>/{<what>, <what>_t}`` for each
    later one. A probe of some neurons adds ``<values>_node_ids``."""
    seen, places = set(), {}
    for probe in probes:
        if probe.what == "spikes":
            continue
        key = (id(probe.target), probe.what)
        later = key in seen
        seen.add(key)
        if probe.what == "decoded":
            places[id(probe)] = (f"decoded/{probe.label}/x_hat",
                                 f"decoded/{probe.label}/t")
        elif probe.what == "decoders":
            base = f"connections/{probe.target.label}"
            if later:
                base += f"/by_probe/{probe.label}"
            places[id(probe)] = (f"{base}/decoders_over_time", f"{base}/decoders_t")
        elif probe.what == "voltage" and not later:
            places[id(probe)] = None
        else:
            base = f"traces/{probe.target.label}"
            if later:
                base += f"/by_probe/{probe.label}"
            places[id(probe)] = (f"{base}/{probe.what}", f"{base}/{probe.what}_t")
    return places


def probe_units(probe: Probe) -> str:
    """Units of a probe's samples."""
    if probe.what == "decoded":
        return "1"
    if probe.what == "rates":
        return "Hz"
    if probe.what == "decoders":
        return "1/Hz"
    if probe.what == "weights":  # of a synapse set: its channel's units
        syn = probe.target
        return syn.post.channels[syn.channel].units(syn.post.neuron)
    channel = getattr(probe.target, "channels", {}).get(probe.what)
    if channel is not None:
        return channel.units(probe.target.neuron)
    if probe.what in probe.target.neuron.state_units:
        return probe.target.neuron.state_units[probe.what]
    name = "v" if probe.what == "voltage" else "current"
    return probe.target.neuron.state_units.get(name, "1")


def probe_attrs(probe: Probe, sampling, dt: float) -> dict:
    """Attributes stored with a probe's samples: its sampling interval
    ``sample_every`` (s), its ``window`` (s) if it has one, and for decoded values
    their source and synapse."""
    attrs = {"sample_every": sampling.every * dt}
    if probe.window is not None:
        attrs["window"] = np.array(probe.window)
    if probe.what == "decoded":
        attrs.update(source=probe.target.label,
                     synapse=repr(probe.synapse) if probe.synapse else "none")
    return attrs


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
