"""``NetworkResults``: what a Simulator recorded, readable by probe and savable."""

from __future__ import annotations

import numpy as np

from ..network import Network, Probe
from ..results import Results


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
            pop = populations[p]
            before = self.spikes.get(pop.label)
            if before is not None:
                times_p = np.concatenate([before.times, times[mask]])
                ids_p = np.concatenate([before.ids, ids[mask]])
            else:
                times_p, ids_p = times[mask], ids[mask]
            self.add_spikes(pop.label, times_p, ids_p, n_neurons=pop.n_neurons)

    def __getitem__(self, key):
        if isinstance(key, Probe):
            if key.what == "spikes":
                raise KeyError(f"probe {key.label!r} records spikes: use "
                               f"results.spikes(population)")
            chunks = self._chunks.get(id(key))
            if chunks is None:
                raise KeyError(f"probe {key.label!r} is not part of this network")
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
                units = target.neuron.state_units.get("v", "1")
                self.add_report(target.label, data, t[0] if t.size else 0.0,
                                self.dt * probe.sample_every, units=units,
                                variable="v")
            elif probe.what == "decoded":
                self.add(f"decoded/{probe.label}/t", t, units="s")
                self.add(f"decoded/{probe.label}/x_hat", data, units="1",
                         source=target.label,
                         synapse=repr(probe.synapse) if probe.synapse else "none")
            else:
                units = "Hz" if probe.what == "rates" else \
                    target.neuron.state_units.get("current", "1")
                self.add(f"traces/{target.label}/{probe.what}", data, units=units)
                self.add(f"traces/{target.label}/{probe.what}_t", t, units="s")
        self.metrics.setdefault("t_stop", self.t_stop)
        self.metrics.setdefault("dt", self.dt)
        return super().save(path, provenance)

