"""``Simulator``: builds a Network and runs it, spiking or as rates."""

from __future__ import annotations

import copy
import time
import warnings

import numpy as np
from numba.core.errors import NumbaExperimentalFeatureWarning

from ..errors import SimulationError
from ..network import Network, Output
from ..progress import progress
from ..validation import _show, as_choice, as_float, as_int, as_steps
from ..io import ResultsWriter
from . import kernel as K
from .build import Model
from .packing import packed_layout, view
from .results import NetworkResults, probe_attrs, probe_units

#: Steps per compiled call (the progress bar and the Python work between calls).
CHUNK_STEPS = 2000


def _run_chunk(*args):
    """``kernel.run_chunk``, quiet about numba's first-class functions (the neuron
    groups' step functions), which it calls "experimental" at every call."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaExperimentalFeatureWarning)
        return K.run_chunk(*args)


class Simulator:
    """Run a ``Network``.

    Parameters
    ----------
    network : Network
    dt : float, s
        Time step. Hodgkin–Huxley populations sub-step internally (0.01 ms), and
        populations of group models (AdEx, Izhikevich, ...) at their model's
        ``default_dt``.
    mode : {"spiking", "rate"}
        Spiking neurons, or every neuron replaced by its rate curve — the same
        description run both ways.
    seed : int, optional
        Seeds the populations that got no seed from the network or themselves.
    progress : bool, optional
        Show a progress bar (default: when a run takes over a second on a terminal).
    stream : ResultsWriter, optional
        Write every chunk of probe data to this open results file and flush it, and
        keep nothing in memory: runs longer than memory allows, and a run that is
        killed leaves a readable file up to its last chunk. ``close()`` marks the
        file complete.

    The whole time loop runs compiled; ``run`` and ``run_steps`` can be called
    repeatedly and continue where the last call stopped. Probes hold what they
    record in memory unless streamed; ``run_pieces`` (or ``clear_probes`` between
    runs) keeps a long run in constant memory, and probes given a ``window`` or
    ``neurons`` hold only those.
    """

    def __init__(self, network: Network, dt: float = 1e-3, mode: str = "spiking",
                 seed: int | None = None, progress: bool | None = None,
                 stream=None):
        if not isinstance(network, Network):
            raise TypeError(f"network must be a Network, got {_show(network)}")
        self.dt = as_float("dt (s)", dt, positive=True)
        self.mode = as_choice("mode", mode, {"spiking", "rate"})
        self.progress = progress
        if seed is not None:
            seed = as_int("seed", seed, minimum=0)
        if self.mode == "rate" and (network.groups or network.poisson_groups):
            raise ValueError("rate mode replaces NEF populations by their rate curves; "
                             "a network with neuron groups or Poisson groups runs in "
                             "spiking mode only")
        network = self._without_spiking_probes(network)
        start = time.perf_counter()
        self.model = Model(network, self.dt, self.mode == "spiking", seed)
        self.build_seconds = time.perf_counter() - start
        self.network = network
        self.steps = 0
        m = self.model
        self._p_kind = np.array([plan[0] for plan in m.probe_plan], dtype=np.int64)
        self._p_src = np.array([plan[1] for plan in m.probe_plan], dtype=np.int64)
        self._p_every = np.array([s.every for s in m.sampling], dtype=np.int64)
        self._p_first = np.array([s.first for s in m.sampling], dtype=np.int64)
        self._p_last = np.array([s.last for s in m.sampling], dtype=np.int64)
        n_pop = len(m.populations)
        self._record_spikes = m.record[:n_pop].copy()
        self._g_record = m.record[n_pop:].copy()
        self._g_max_fire = m.sparse.max_spikes_per_step(self._g_record)
        #: every spike source, in the kernel's numbering of spike records
        self._sources = [*m.populations, *m.sparse.sources]
        self.results = NetworkResults(network, self.dt, self.mode, m.sampling,
                                      [self._sample_shape(q) for q in
                                       range(len(m.probe_plan))])
        for probe in network.probes:  # a probed source that never fires: no spikes
            if probe.what == "spikes":
                self.results.spikes.append(probe.target, np.zeros(0),
                                           np.zeros(0, np.int64))
        self.stream = stream
        if stream is not None:
            if not isinstance(stream, ResultsWriter):
                raise TypeError(f"stream must be an open ResultsWriter, got "
                                f"{_show(stream)}")
            self._open_stream()

    @property
    def synapse_counts(self) -> dict[str, int]:
        """The number of synapses drawn for each synapse set, by label (as Brian2's
        ``len(S)``)."""
        return dict(self.model.sparse.n_synapses)

    def weights(self, synapses) -> np.ndarray:
        """The weights of a synapse set now (a copy, one per synapse in the order of
        ``pairs``; changed by the run where the set has a learning rule), as
        Brian2's ``S.w``."""
        return self.model.sparse.weights_of(self._synapse_set(synapses)).copy()

    def pairs(self, synapses) -> tuple[np.ndarray, np.ndarray]:
        """The (pre, post) neuron indices of a synapse set's synapses, in the order
        of its weights (Brian2's ``S.i``, ``S.j``)."""
        pre, post = self.model.sparse.pairs[self._synapse_set(synapses)]
        return pre.copy(), post.copy()

    def decoders(self, connection) -> np.ndarray:
        """The decoders a connection from a population applies now, (N, k) (a
        copy): those solved or given — or, where it learns, as learned so far, its
        transform folded in (k = its post's dimensions)."""
        conns = self.network.connections
        c = next((i for i, conn in enumerate(conns) if conn is connection), None)
        if c is None or self.model.c_src_kind[c] != K.SRC_POPULATION:
            raise ValueError(f"connection must be a connection with decoders (from a "
                             f"population, weights='factored') of the simulated "
                             f"network, got {_show(connection)}")
        return view(*self.model.decs, c).copy()

    def _synapse_set(self, synapses) -> str:
        if not any(synapses is s for s in self.network.synapse_sets):
            raise ValueError(f"synapses must be a synapse set of the simulated "
                             f"network (net.synapses), got {_show(synapses)}")
        return synapses.label

    def _final_weights(self):
        """Put the weights of every plastic synapse set, as they stand, in the
        results (``/analysis/synapses/<label>/{weights, pre, post}``), and the
        decoders of every learning connection (``/analysis/connections/<label>/
        decoders``, (N, k))."""
        for conn in self.network.connections:
            if conn.learning_rule is None:
                continue
            path, decoders = f"connections/{conn.label}/decoders", self.decoders(conn)
            if self.stream is None:
                self.results.add(path, decoders, units="1/Hz",
                                 t=self.steps * self.dt)
            else:
                self.stream.analysis(path, decoders, {"units": "1/Hz",
                                                      "t": self.steps * self.dt})
        for _, conn in self.model.sparse.plastic_sets:
            units = conn.post.channels[conn.channel].units(conn.post.neuron)
            pre, post = self.model.sparse.pairs[conn.label]
            base = f"synapses/{conn.label}"
            arrays = ((f"{base}/weights", self.weights(conn), units),
                      (f"{base}/pre", pre.astype(np.uint64), "1"),
                      (f"{base}/post", post.astype(np.uint64), "1"))
            for path, array, unit in arrays:
                if self.stream is None:
                    self.results.add(path, array, units=unit,
                                     **({"t": self.steps * self.dt}
                                        if path.endswith("weights") else {}))
                else:
                    self.stream.analysis(path, array, {"units": unit})

    def _without_spiking_probes(self, network: Network) -> Network:
        """In rate mode, ``network`` less its spike and voltage probes (with a
        warning), so one description runs in both modes."""
        if self.mode != "rate":
            return network
        kept = [p for p in network.probes if p.what not in ("spikes", "voltage")]
        skipped = [p for p in network.probes if p.what in ("spikes", "voltage")]
        if not skipped:
            return network
        warnings.warn("rate mode has no spikes or voltages; not recording "
                      + ", ".join(repr(p.label) for p in skipped), stacklevel=3)
        view = copy.copy(network)
        view.probes = kept
        return view

    def run(self, t: float) -> NetworkResults:
        """Advance by ``t`` seconds (a whole number of steps); returns all results
        since the start."""
        return self.run_steps(as_steps("t", t, self.dt))

    def run_steps(self, n_steps: int) -> NetworkResults:
        """Advance by ``n_steps`` steps; returns all results since the start."""
        n_steps = as_int("n_steps", n_steps, minimum=0)
        bar = progress(total=n_steps, desc="simulating", enabled=self.progress,
                       unit="step")
        try:
            self._advance(n_steps, bar)
        finally:
            bar.close()
        return self.results

    def run_pieces(self, t: float, piece: float = 10.0):
        """Advance by ``t`` seconds in pieces of at most ``piece`` seconds (both whole
        numbers of steps), yielding after each piece the results of that piece
        alone: the probes are cleared before it (``clear_probes``), so a run however
        long holds one piece at a time. For metrics taken as the run goes::

            for res in sim.run_pieces(1000.0):
                errors.append(np.sum((res[probe] - ideal(res.times(probe))) ** 2))
        """
        n_steps = as_steps("t", t, self.dt)
        return self._pieces(n_steps, as_steps("piece", piece, self.dt, minimum=1))

    def _pieces(self, n_steps: int, size: int):
        bar = progress(total=n_steps, desc="simulating", enabled=self.progress,
                       unit="step")
        end = self.steps + n_steps
        try:
            while self.steps < end:
                self.clear_probes()
                self._advance(min(size, end - self.steps), bar)
                yield self.results
        finally:
            bar.close()

    def _advance(self, n_steps: int, bar):
        """Run ``n_steps`` steps, recording, and move ``bar`` along."""
        m = self.model
        done_total = 0
        spike_cap = 1024
        while done_total < n_steps:
            chunk = min(CHUNK_STEPS, n_steps - done_total)
            inputs = m.input_values(self.steps, chunk)
            q_rates = m.sparse.poisson_rates(self.steps, chunk)
            records = self._allocate_records(chunk)
            rows = np.zeros(len(m.probe_plan), dtype=np.int64)
            done = 0
            chunk_start = self.steps
            while done < chunk:
                spk_t = np.empty(spike_cap)
                spk_id = np.empty(spike_cap, np.int64)
                spk_pop = np.empty(spike_cap, np.int64)
                n_spk = np.zeros(1, np.int64)
                steps, status, bad = _run_chunk(
                    chunk - done, self.dt, self.steps, m.spiking, m.pop_kind,
                    m.pop_start, m.pop_stop, m.gain, m.bias, m.J, m.rate, m.v,
                    m.ref, m.ref_decay, m.lif_par, m.pop_fused, m.hv, m.hm, m.hh,
                    m.hn, m.hh_par, m.hh_sub,
                    m.rate_code, m.rate_par, m.table_start, m.table_stop, m.table_j,
                    m.table_r, inputs[done:], m.input_start, m.input_stop,
                    m.c_src_kind, m.c_src, m.c_dst_kind, m.c_dst, m.c_order, m.c_tau,
                    *m.decs, *m.encs, *m.states, *m.phis, *m.gammas, *m.outputs,
                    self._p_kind, self._p_src, self._p_every, self._p_first,
                    self._p_last, m.p_cols, m.p_col_start, rows, *records,
                    self._record_spikes, m.spk_some, m.spk_lo, m.spk_hi, m.spk_keep,
                    spk_t, spk_id, spk_pop, n_spk, *self._sparse_args(q_rates[done:]))
                self._spikes(spk_t[:n_spk[0]], spk_id[:n_spk[0]],
                             spk_pop[:n_spk[0]])
                done += steps
                self.steps += steps
                self._chunk_steps = self.steps - chunk_start
                if status in (K.DIVERGED, K.GROUP_DIVERGED):
                    self._store(records, rows)
                    self.results.t_stop = self.steps * self.dt
                    if status == K.DIVERGED:
                        self._diverged(bad)
                    self._group_diverged(bad)
                if status == K.SPIKES_FULL:
                    spike_cap *= 2
            self._store(records, rows)
            done_total += chunk
            bar.update(chunk)
        self.results.t_stop = self.steps * self.dt
        if self.stream is None:
            self._final_weights()

    def _sample_shape(self, q: int) -> tuple:
        """The shape of one sample of probe ``q``: (width,), or a decoder probe's
        (N, k)."""
        m = self.model
        if m.probe_plan[q][0] == K.PROBE_DECODERS:
            return view(*m.decs, self._p_src[q]).shape
        return (int(m.p_col_start[q + 1] - m.p_col_start[q]),)

    def _allocate_records(self, chunk):
        """Every probe's rows for the next ``chunk`` steps, zeroed, packed."""
        m = self.model
        layout = packed_layout([(sampling.count(self.steps, self.steps + chunk),
                                 m.p_col_start[q + 1] - m.p_col_start[q])
                                for q, sampling in enumerate(m.sampling)])
        return np.zeros(int((layout[:, 1] * layout[:, 2]).sum())), layout

    def clear_probes(self):
        """Forget what the probes recorded so far (samples and spikes), as Nengo's
        ``Simulator.clear_probes``: the results then hold only what later runs
        record, so a long run taken piece by piece stays in constant memory. (A
        streamed run keeps nothing in memory: there is nothing to clear.)"""
        self.results._clear(self.steps)

    def _sparse_args(self, q_rates):
        """The kernel's arguments for the neuron groups, sparse synapses and PES
        rules."""
        m = self.model
        g = m.sparse
        return (g.models, g.g_start, g.g_slot, *g.state, *g.par, *g.syn, g.g_ch_start,
                g.ch_group, g.ch_tau, g.ch_rev, g.ch_kind, *g.ring, g.i_const, g.i_ext,
                g.noise_mean, g.noise_std, g.noise_keep, g.noise_kick, g.noise_state,
                g.pi_group, g.pi_channel, g.pi_mean, g.pi_weight, g.q_start,
                np.ascontiguousarray(q_rates), g.s_pre_kind, g.s_pre, g.s_channel,
                g.s_ptr_off, g.s_syn_off, g.ptr, g.targets, g.weights, g.delays,
                self._g_record, self._g_max_fire, g.rng, m.gp_group, m.gp_block,
                m.gp_row, g.plastic, m.pes_conn, m.pes_act, m.pes_err, m.pes_coef,
                m.pop_slot, m.pop_sub, m.pop_floor, *m.pop_state, *m.pop_par)

    def _spikes(self, times, ids, pops):
        if self.stream is None:
            self.results._add_spikes(times, ids, pops, self._sources)
            return
        for p in np.unique(pops):
            pop = self._sources[p]
            mask = pops == p
            self.stream.spikes(pop.label, times[mask], ids[mask], pop.n_neurons)

    def _open_stream(self):
        """Give every probe its (empty, growable) place in the streamed file — a
        population that never fires still appears — so that each chunk only
        appends; then, for a crash-safe writer, protect the file."""
        m = self.model
        for q, (probe, sampling) in enumerate(zip(self.network.probes, m.sampling)):
            if probe.what == "spikes":
                self.stream.spikes(probe.target.label, [], [],
                                   n_neurons=probe.target.n_neurons)
                continue
            self._stream_rows(probe, sampling, np.zeros((0, *self._sample_shape(q))),
                              np.zeros(0))
            place = self.results.places[id(probe)]
            if place is not None and probe.neurons is not None:
                self.stream.analysis(f"{place[0]}_node_ids",
                                     probe.neurons.astype(np.uint64), {"units": "1"})
        self._flush_stream()

    def _stream_rows(self, probe, sampling, rows, t):
        """Append a probe's samples ``rows`` at times ``t`` (s) to the streamed file."""
        place = self.results.places[id(probe)]
        if place is None:
            self.stream.report(probe.target.label, rows, self.dt * sampling.start,
                               self.dt * sampling.every,
                               units=probe_units(probe), node_ids=probe.neurons)
        else:
            values, times = place
            self.stream.append(values, rows, {"units": probe_units(probe),
                                              **probe_attrs(probe, sampling, self.dt)})
            self.stream.append(times, t, {"units": "s"})

    def _flush_stream(self):
        self.stream.flush()
        if self.stream.crash_safe:
            self.stream.protect()

    def _store(self, records, rows):
        first = self.steps - self._chunk_steps
        for q, (probe, n) in enumerate(zip(self.network.probes, rows)):
            if probe.what == "spikes":
                continue
            rec = view(*records, q)
            rec = rec.reshape(rec.shape[0], *self._sample_shape(q))
            if self.stream is None:
                self.results._add_samples(probe, rec[:n])
                continue
            sampling = self.model.sampling[q]
            self._stream_rows(probe, sampling, rec[:n],
                              self.dt * sampling.steps(first, self.steps))
        if self.stream is not None:
            self._flush_stream()

    def close(self, complete: bool = True):
        """Finish a streamed run: mark its file complete (or not) and close it."""
        if self.stream is not None:
            self._final_weights()
            self.stream.metrics({"t_stop": self.steps * self.dt, "dt": self.dt})
            return self.stream.close(complete=complete)
        return None

    def _group_diverged(self, neuron):
        g_start = self.model.sparse.g_start
        g = int(np.searchsorted(g_start, neuron, side="right")) - 1
        group = self.model.sparse.groups[g]
        t = self.steps * self.dt
        local = int(neuron - g_start[g])
        raise SimulationError(
            f"group {group.label!r} ({type(group.neuron).__name__}), neuron {local}: "
            f"its membrane potential went non-finite in the step from t={t:.6g} s "
            f"(dt={self.dt:g} s, method {group.neuron.methods[0]!r}); weights or "
            "currents too strong for dt; results up to then are kept in error.partial",
            t=t, method=group.neuron.methods[0], step=self.dt, system=local,
            partial=self.results)

    def _diverged(self, neuron):
        m = self.model
        p = int(np.searchsorted(m.pop_stop, neuron, side="right"))
        pop = m.populations[p]
        t = self.steps * self.dt
        raise SimulationError(
            f"population {pop.label!r} ({type(pop.neuron).__name__}), neuron "
            f"{neuron - m.pop_start[p]}: its input current or state went non-finite in "
            f"the step from t={t:.6g} s (dt={self.dt:g} s, {self.mode} mode); the "
            "network is unstable (check recurrent transforms and weights) or dt is too "
            "large; results up to then are kept in error.partial",
            t=t, method=self.mode, step=self.dt, system=int(neuron - m.pop_start[p]),
            partial=self.results)


__all__ = ["NetworkResults", "Output", "Simulator"]
