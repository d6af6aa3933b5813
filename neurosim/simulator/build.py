"""Build: a Network description becomes the flat arrays the kernel runs on."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.special import gammainc

from ..nef.population import Population
from ..nef.weights import encoding_matrix
from ..groups import NeuronGroup, PoissonGroup, Synapses
from ..network import Connection, Input, Learning, Output
from ..neurons.hh import HodgkinHuxley
from ..neurons.iaf import IAF
from ..neurons.lif import LIF
from ..neurons.rate_table import TabulatedRates
from ..neurons.rate import (Arctan, LIFRate, ReLU, Sigmoid, Softplus, Tanh,
                            Threshold)
from ..validation import as_steps
from . import kernel as K
from .packing import packed
from .sparse_build import SparseModel

#: Hodgkin–Huxley populations integrate with sub-steps no longer than this (s).
HH_SUBSTEP = 1e-5
#: The last step of a probe without a window's end (the kernel's int64).
LAST_STEP = 2 ** 62

_ACTIVATIONS = {ReLU: K.ACT_RELU, Sigmoid: K.ACT_SIGMOID, Tanh: K.ACT_TANH,
                Arctan: K.ACT_ARCTAN, Softplus: K.ACT_SOFTPLUS,
                Threshold: K.ACT_THRESHOLD}


def _is_group_model(neuron) -> bool:
    """Whether ``neuron`` steps as the neuron groups' models do (``group_step``)."""
    return hasattr(neuron, "group_step")


class Sampling:
    """When a probe records: steps k (step k ends at k dt) that are multiples of
    ``every`` within ``first`` .. ``last``; built from the probe's ``sample_every``
    and ``window`` (s) for step ``dt`` (s). Spike probes use ``window`` as
    ``(lo, hi)`` (s) on the spike times themselves."""

    def __init__(self, probe, dt: float):
        label = f"probe {probe.label!r}: sample_every"
        self.every = 1 if probe.sample_every is None else \
            as_steps(label, probe.sample_every, dt, minimum=1)
        lo, hi = probe.window if probe.window is not None else (0.0, math.inf)
        self.lo, self.hi = lo, hi
        # samples at k dt within the window, to 1e-9 of a step either side
        self.first = max(1, math.ceil(lo / dt - 1e-9))
        self.last = math.floor(hi / dt + 1e-9) if math.isfinite(hi) else LAST_STEP
        self.start = -(-self.first // self.every) * self.every  # the first sample

    def steps(self, after: int, upto: int) -> np.ndarray:
        """The recorded steps k with after < k <= upto, in order."""
        start = max(after + 1, self.first)
        stop = min(upto, self.last)
        if start > stop:
            return np.zeros(0, np.int64)
        return np.arange(-(-start // self.every) * self.every, stop + 1, self.every,
                         dtype=np.int64)

    def count(self, after: int, upto: int) -> int:
        """How many steps ``steps(after, upto)`` holds."""
        start = max(after + 1, self.first)
        stop = min(upto, self.last)
        return max(0, stop // self.every - (start - 1) // self.every)


def synapse_coefficients(synapse, dt):
    """(order, tau, transition coefficients c_m, held-input gains γ_j) of a PSC
    (order -1 and placeholders without a synapse)."""
    if synapse is None:
        return -1, 1.0, np.zeros(1), np.zeros(1)
    n, tau = synapse.n, synapse.tau
    x = dt / tau
    m = np.arange(n + 1)
    coef = np.exp(m * math.log(x) - x - np.cumsum(np.log(np.maximum(m, 1)))) if x > 0 \
        else (m == 0).astype(float)
    gamma = gammainc(m + 1, x)  # ∫₀^dt t^j e^(−t/τ)/(j! τ^(j+1)) dt
    return n, tau, coef, gamma


class Model:
    """Everything the kernel needs, built from ``network`` for step ``dt``.

    Decoders are solved here (through the populations' cache).
    """

    def __init__(self, network, dt: float, spiking: bool, seed: int | None):
        self.dt = dt
        self.spiking = spiking
        self.network = network
        self.populations = [self._seeded(pop, i, seed)
                            for i, pop in enumerate(network.populations)]
        self.pop_index = {id(p): i for i, p in enumerate(network.populations)}
        self._build_populations()
        self._build_inputs()
        self.sparse = SparseModel(network, dt, network.seed if seed is None else seed,
                                  [p.neuron for p in self.populations
                                   if _is_group_model(p.neuron)])
        self.pop_slot = np.array([self.sparse.slot(p.neuron) if _is_group_model(
            p.neuron) else -1 for p in self.populations], dtype=np.int64)
        self._group_probes = []  # (group, block, row) of each group trace probe
        self._build_connections()
        self.gp_group, self.gp_block, self.gp_row = (
            np.array([r[i] for r in self._group_probes], dtype=np.int64)
            for i in range(3))
        # the spikes of NEF populations, then of groups and Poisson groups, recorded?
        self.record = np.zeros(len(self.populations) + len(self.sparse.sources),
                               dtype=np.bool_)
        for plan in self.probe_plan:
            if plan[3] >= 0:
                self.record[plan[3]] = True

    # -- populations ------------------------------------------------------------------
    @staticmethod
    def _seeded(pop: Population, index: int, seed: int | None) -> Population:
        if seed is None or not pop.seed_from_entropy:
            return pop
        child = np.random.SeedSequence(seed, spawn_key=(index,))
        return pop.with_seed(int(child.generate_state(1, dtype=np.uint64)[0] >> 1))

    def _build_populations(self):
        pops = self.populations
        n_pop = len(pops)
        sizes = np.array([p.n_neurons for p in pops], dtype=np.int64)
        self.pop_stop = np.cumsum(sizes)
        self.pop_start = self.pop_stop - sizes
        total = int(sizes.sum())
        self.pop_kind = np.full(n_pop, K.RATE, np.int64)
        self.rate_code = np.zeros(n_pop, np.int64)
        self.rate_par = np.zeros((n_pop, 4))
        self.lif_par = np.ones((n_pop, 4))
        self.hh_par = np.zeros((n_pop, 8))
        self.hh_sub = np.ones(n_pop, np.int64)
        tables_j, tables_r = [], []
        self.gain = np.zeros(total)
        self.bias = np.zeros(total)
        self.v = np.zeros(total)
        self.ref = np.zeros(total)
        # LIF: exp(−(dt − ref)/τ_rc) while refractory (the kernel's w)
        self.ref_decay = np.ones(total)
        self.hv, self.hm, self.hh, self.hn = (np.zeros(total) for _ in range(4))
        # group models: state (variables, N) and parameters of each population
        self.pop_sub = np.ones(n_pop, np.int64)
        self.pop_floor = np.array([p.neuron.input_floor for p in pops], dtype=float)
        blocks, pars = [], []
        for p, pop in enumerate(pops):
            rows = slice(self.pop_start[p], self.pop_stop[p])
            self.gain[rows], self.bias[rows] = pop.gain, pop.bias
            neuron = pop.neuron
            table_j = table_r = np.zeros(1)
            group = _is_group_model(neuron)
            blocks.append(neuron.initial_block(pop.n_neurons) if group
                          else np.zeros((0, pop.n_neurons)))
            pars.append(np.asarray(neuron.packed(), dtype=np.float64) if group
                        else np.zeros(0))
            if isinstance(neuron, TabulatedRates):  # rate mode reads its table
                table = neuron.rate_table()
                self.rate_code[p] = K.ACT_TABLE
                table_j, table_r = table.current, table.rate
            if group:
                self.pop_kind[p] = K.GROUP_SPIKING
                self.pop_sub[p] = max(1, math.ceil(self.dt / neuron.default_dt - 1e-9))
                if isinstance(neuron, IAF) and not isinstance(neuron, TabulatedRates):
                    span = neuron.V_th - neuron.V_rest  # LIF's curve of R J / span
                    self.rate_code[p] = K.ACT_LIF
                    self.rate_par[p] = [neuron.R / span, neuron.tau_m * 1e-3,
                                        neuron.tau_ref * 1e-3,
                                        (neuron.V_reset - neuron.V_rest) / span]
            elif isinstance(neuron, (LIF, LIFRate)):
                self.rate_code[p] = K.ACT_LIF
                self.rate_par[p] = [1.0, neuron.tau_rc, neuron.tau_ref, neuron.v_reset]
                if isinstance(neuron, LIF):
                    self.pop_kind[p] = K.LIF_SPIKING
                    self.lif_par[p] = neuron.packed()
                    self.v[rows] = pop.initial_voltages()
            elif isinstance(neuron, HodgkinHuxley):
                self.pop_kind[p] = K.HH_SPIKING
                self.hh_par[p] = neuron.packed()
                self.hh_sub[p] = max(1, math.ceil(self.dt / HH_SUBSTEP - 1e-9))
                rest = neuron.initial_state(pop.n_neurons)
                self.hv[rows], self.hm[rows] = rest["v"], rest["m"]
                self.hh[rows], self.hn[rows] = rest["h"], rest["n"]
            elif type(neuron) in _ACTIVATIONS:
                self.rate_code[p] = _ACTIVATIONS[type(neuron)]
                self.rate_par[p, 0] = neuron.amplitude
            else:
                raise TypeError(f"population {pop.label!r}: the simulator has no kernel "
                                f"for {type(neuron).__name__}")
            tables_j.append(table_j)
            tables_r.append(table_r)
        lengths = np.array([t.size for t in tables_j], dtype=np.int64)
        self.table_stop = np.cumsum(lengths)
        self.table_start = self.table_stop - lengths
        self.table_j = np.concatenate(tables_j) if tables_j else np.zeros(1)
        self.table_r = np.concatenate(tables_r) if tables_r else np.zeros(1)
        self.J = np.zeros(total)
        self.rate = np.zeros(total)
        self.pop_state = packed(blocks)
        self.pop_par = packed(pars)

    # -- inputs -----------------------------------------------------------------------
    def _build_inputs(self):
        widths = np.array([node.dimensions for node in self.network.inputs],
                          dtype=np.int64)
        self.input_stop = np.cumsum(widths)
        self.input_start = self.input_stop - widths
        self.input_index = {id(n): i for i, n in enumerate(self.network.inputs)}
        self.output_index = {id(n): i for i, n in enumerate(self.network.outputs)}

    def input_values(self, first_step: int, n_steps: int) -> np.ndarray:
        """Every input at steps first_step+1 .. first_step+n_steps, (n_steps, width)."""
        steps = np.arange(first_step + 1, first_step + n_steps + 1)
        if not self.network.inputs:
            return np.zeros((n_steps, 1))
        return np.ascontiguousarray(np.hstack([node.values(steps, self.dt)
                                               for node in self.network.inputs]))

    # -- connections and probes -------------------------------------------------------
    def _build_connections(self):
        rows = []  # (src_kind, src, dst_kind, dst, synapse, decoders, encoder, width)
        for conn in self.network.connections:
            rows.append(self._connection(conn))
        self._build_learning(rows)
        self.probe_plan = []
        for probe in self.network.probes:
            self.probe_plan.append(self._probe(probe, rows))
        self._build_recording()
        n = len(rows)
        self.c_src_kind = np.array([r[0] for r in rows], dtype=np.int64)
        self.c_src = np.array([r[1] for r in rows], dtype=np.int64)
        self.c_dst_kind = np.array([r[2] for r in rows], dtype=np.int64)
        self.c_dst = np.array([r[3] for r in rows], dtype=np.int64)
        coefficients = [synapse_coefficients(r[4], self.dt) for r in rows]
        self.c_order = np.array([c[0] for c in coefficients], dtype=np.int64)
        self.c_tau = np.array([c[1] for c in coefficients])
        # packed lists, one entry per connection (outputs: per output)
        self.decs = packed([r[5] for r in rows])
        # into populations: (d, M), so that each dimension's column is contiguous
        self.encs = packed([r[6].T if r[2] == K.DST_POPULATION else r[6] for r in rows])
        self.states = packed([np.zeros((max(c[0], 0) + 1, r[7]))
                              for c, r in zip(coefficients, rows)])
        self.phis = packed([c[2] for c in coefficients])
        self.gammas = packed([c[3] for c in coefficients])
        self.outputs = packed([np.zeros(o.dimensions) for o in self.network.outputs]
                              + [np.zeros(rule.dimensions) for rule in self.rules])
        # a spiking LIF population whose one input is 1-D gets its current in its
        # neuron pass (J = bias + e·x there): one pass over its neurons fewer
        self.pop_fused = np.full(len(self.populations), -1, np.int64)
        into = [c for c, r in enumerate(rows) if r[2] == K.DST_POPULATION]
        for c in into:
            dst = rows[c][3]
            alone = sum(rows[o][3] == dst for o in into) == 1
            if alone and self.spiking and self.pop_kind[dst] == K.LIF_SPIKING \
                    and self.encs[1][c, 1] == 1:
                self.pop_fused[dst] = c
        if n == 0:  # numba needs typed arrays even when empty
            self.c_tau = np.zeros(0)

    def _build_recording(self):
        """What each probe keeps: its ``sampling`` (``Sampling``), its columns
        (``p_cols[p_col_start[q]:p_col_start[q + 1]]``: neurons of its population, or
        columns of its sink or output), and, per population, the window (s) and
        neurons (``spk_keep``, over all neurons) of its spike probe, and whether it
        has either (``spk_some``)."""
        probes = self.network.probes
        self.sampling = [Sampling(probe, self.dt) for probe in probes]
        cols = [np.arange(plan[2], dtype=np.int64) if probe.neurons is None
                or plan[0] == K.PROBE_SPIKES else probe.neurons
                for probe, plan in zip(probes, self.probe_plan)]
        sizes = np.array([c.size for c in cols], dtype=np.int64)
        self.p_col_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.p_cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        n_pop = len(self.populations)
        self.spk_lo = np.full(n_pop, -math.inf)
        self.spk_hi = np.full(n_pop, math.inf)
        self.spk_keep = np.ones(int(self.pop_stop[-1]) if n_pop else 0, np.bool_)
        self.spk_some = np.zeros(n_pop, np.bool_)  # a window or some neurons
        for probe, plan, sampling in zip(probes, self.probe_plan, self.sampling):
            p = plan[3]
            if p < 0 or p >= n_pop:  # groups' spikes are recorded whole
                continue
            self.spk_some[p] = probe.window is not None or probe.neurons is not None
            if probe.window is not None:
                self.spk_lo[p], self.spk_hi[p] = sampling.lo, sampling.hi
            if probe.neurons is not None:
                keep = self.spk_keep[self.pop_start[p]:self.pop_stop[p]]
                keep[:] = False
                keep[probe.neurons] = True

    def _population_of(self, obj) -> int:
        return self.pop_index[id(obj)]

    def _connection(self, conn):
        dummy = np.zeros((1, 1))
        if isinstance(conn.post, Learning):  # an error: into the rule's own output
            post, dst_kind = None, K.DST_OUTPUT
            dst = len(self.network.outputs) + self._rule_index(conn.post)
        elif isinstance(conn.post, Population):
            post = self.populations[self._population_of(conn.post)]
            dst_kind, dst = K.DST_POPULATION, self._population_of(conn.post)
        else:
            post, dst_kind, dst = None, K.DST_OUTPUT, self.output_index[id(conn.post)]
        if isinstance(conn.pre, Input):
            encoder = encoding_matrix(post) @ conn.transform if post is not None \
                else conn.transform
            return (K.SRC_INPUT, self.input_index[id(conn.pre)], dst_kind, dst,
                    conn.synapse, dummy, encoder, conn.pre.dimensions)
        src = self._population_of(conn.pre)
        pre = self.populations[src]
        options = conn.decoder_options
        D = options["decoders"] if "decoders" in options else \
            pre.decoders(**options).D
        if conn.weights == "full":
            W = encoding_matrix(post) @ conn.transform @ D.T
            return (K.SRC_POPULATION_FULL, src, dst_kind, dst, conn.synapse, dummy, W,
                    pre.n_neurons)
        transform = conn.transform
        if conn.learning_rule is not None:  # it learns D Lᵀ, as Nengo
            D, transform = D @ transform.T, np.eye(transform.shape[0])
        encoder = encoding_matrix(post) @ transform if post is not None \
            else transform
        return (K.SRC_POPULATION, src, dst_kind, dst, conn.synapse,
                np.ascontiguousarray(D, dtype=np.float64), encoder, D.shape[1])

    @property
    def rules(self) -> list[Learning]:
        """The learning rules of the network's connections, in their order."""
        return [c.learning_rule for c in self.network.connections
                if c.learning_rule is not None]

    def _rule_index(self, rule: Learning) -> int:
        return next(i for i, r in enumerate(self.rules) if r is rule)

    def _build_learning(self, rows):
        """PES: for each learning connection, a sink of its pre-synaptic activities
        filtered by the rule's ``pre_synapse`` (Hz), and the arrays of the
        kernel's update — the connection, that sink, its error output, and
        −κ dt / N."""
        conns = self.network.connections
        learning = [c for c, conn in enumerate(conns) if conn.learning_rule is not None]
        fed = {id(conn.post) for conn in conns if isinstance(conn.post, Learning)}
        self.pes_act = np.zeros(len(learning), np.int64)
        for r, c in enumerate(learning):
            conn = conns[c]
            if id(conn.learning_rule) not in fed:
                warnings.warn(f"connection {conn.label!r} learns with PES but no error "
                              f"is connected to it (net.connect(error, "
                              f"conn.learning_rule)): its decoders stay as they are",
                              stacklevel=4)
            src = self._population_of(conn.pre)
            n = self.populations[src].n_neurons
            rows.append((K.SRC_POPULATION_FULL, src, K.DST_SINK, 0,
                         conn.learning_rule.rule.pre_synapse, np.zeros((1, 1)),
                         np.zeros((1, 1)), n))
            self.pes_act[r] = len(rows) - 1
        self.pes_conn = np.array(learning, dtype=np.int64)
        self.pes_err = len(self.network.outputs) + np.arange(len(learning),
                                                               dtype=np.int64)
        self.pes_coef = np.array([-conns[c].learning_rule.rule.learning_rate * self.dt
                                  / conns[c].pre.n_neurons for c in learning])

    def _probe(self, probe, rows):
        """(kind, source, width, spikes population or -1) for one probe (width: of
        all its neurons or columns); decoded and filtered probes add a connection
        into a sink."""
        target = probe.target
        dummy = np.zeros((1, 1))
        if isinstance(target, (NeuronGroup, PoissonGroup)):
            return self._group_probe(probe)
        if isinstance(target, Synapses):
            return self._weight_probe(probe)
        if isinstance(target, Connection):
            c = next(i for i, conn in enumerate(self.network.connections)
                     if conn is target)
            return (K.PROBE_DECODERS, c, rows[c][5].size, -1)
        if isinstance(target, Output):
            return (K.PROBE_OUTPUT, self.output_index[id(target)], target.dimensions, -1)
        if isinstance(target, Input):
            rows.append((K.SRC_INPUT, self.input_index[id(target)], K.DST_SINK, 0,
                         probe.synapse, dummy, dummy, target.dimensions))
            return (K.PROBE_SINK, len(rows) - 1, target.dimensions, -1)
        p = self._population_of(target)
        pop = self.populations[p]
        if probe.what == "decoded":
            rows.append((K.SRC_POPULATION, p, K.DST_SINK, 0, probe.synapse,
                         pop.decoders().D, dummy, pop.dimensions))
            return (K.PROBE_SINK, len(rows) - 1, pop.dimensions, -1)
        if probe.what == "rates" and (self.spiking and pop.neuron.spiking
                                      or probe.synapse is not None):
            rows.append((K.SRC_POPULATION_FULL, p, K.DST_SINK, 0, probe.synapse, dummy,
                         dummy, pop.n_neurons))
            return (K.PROBE_SINK, len(rows) - 1, pop.n_neurons, -1)
        kind = {"voltage": K.PROBE_VOLTAGE, "current": K.PROBE_CURRENT,
                "rates": K.PROBE_RATES, "spikes": K.PROBE_SPIKES}[probe.what]
        return (kind, p, pop.n_neurons if kind >= 0 else 0,
                p if kind == K.PROBE_SPIKES else -1)

    def _weight_probe(self, probe):
        """The plan of a weight probe: its synapse set's weights, all or
        ``probe.neurons`` (synapse indices, checked here, now that they are
        drawn)."""
        sets = self.network.synapse_sets
        s = next(i for i, conn in enumerate(sets) if conn is probe.target)
        n = self.sparse.n_synapses[probe.target.label]
        if probe.neurons is not None and probe.neurons.max() >= n:
            raise ValueError(f"probe {probe.label!r}: synapses must lie in 0 .. "
                             f"{n - 1} (synapse set {probe.target.label!r} has {n}), "
                             f"got {int(probe.neurons.max())}")
        return (K.PROBE_WEIGHTS, s, n, -1)

    def _group_probe(self, probe):
        """The plan of a probe on a neuron group or Poisson group: spikes go to the
        event buffer (source numbered after the populations), traces are read from
        the group's state or channel block."""
        sparse = self.sparse
        target = probe.target
        if probe.what == "spikes":
            source = next(i for i, s in enumerate(sparse.sources) if s is target)
            return (K.PROBE_SPIKES, 0, 0, len(self.populations) + source)
        name = target.neuron.state_names[0] if probe.what == "voltage" else probe.what
        block, row = sparse.state_row(target, name)
        self._group_probes.append((sparse.group_index[id(target)], block, row))
        return (K.PROBE_GROUP, len(self._group_probes) - 1, target.n_neurons, -1)
