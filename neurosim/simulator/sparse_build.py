"""Build: a network's neuron groups, Poisson sources and sparse synapses become the
flat arrays ``sparse_kernel.sparse_step`` runs on.

Randomness (initial states drawn from distributions, connectivity, weights and
delays, and the generator the run draws Poisson counts and noise from) comes from
``SeedSequence(seed)`` keyed by what it is for, so the same seed gives the same
network and the same run, bit for bit.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from scipy.stats import poisson

from ..connectivity import Explicit, row_pointers
from ..learning import STDP
from ..nef.dists import Distribution, as_samples
from ..synapses.models import CONDUCTANCE
from .packing import packed, packed_layout
from .sparse_kernel import (POISSON_MAX_PER_STEP, PRE_GROUP, PRE_POISSON, ModelSlots,
                            noise_coefficients)

def _rng(seed, *key) -> np.random.Generator:
    words = [int(w) for w in np.frombuffer(hashlib.sha256(repr(key).encode()).digest()
                                           [:8], dtype=np.uint32)]
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=tuple(words)))


class SparseModel:
    """The arrays of a network's groups and sparse synapses for step ``dt`` (s).

    ``sources`` lists the groups, then the Poisson groups, in the order of the
    kernel's spike records (after the NEF populations). ``models`` holds the group
    steps of the groups' models and of ``population_models`` (the group models of
    NEF populations), at ``slot(neuron)``.
    """

    def __init__(self, network, dt: float, seed: int | None,
                 population_models=()):
        self.dt = dt
        self.seed = seed
        groups, poissons = network.groups, network.poisson_groups
        self.groups, self.poissons = groups, poissons
        self.sources = [*groups, *poissons]
        self.group_index = {id(g): i for i, g in enumerate(groups)}
        self.poisson_index = {id(q): i for i, q in enumerate(poissons)}
        self._build_groups(network, population_models)
        self._build_synapses(network)
        self._build_plasticity(network)
        self._build_poisson(network)
        self.rng = _rng(seed, "run")

    # -- groups -------------------------------------------------------------------
    def _build_groups(self, network, population_models):
        groups = self.groups
        sizes = np.array([g.n_neurons for g in groups], dtype=np.int64)
        self.g_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._steps = []
        for neuron in [*(g.neuron for g in groups), *population_models]:
            step = neuron.group_step()
            if step not in self._steps:
                self._steps.append(step)
        self.g_slot = np.array([self.slot(g.neuron) for g in groups], dtype=np.int64)
        self.models = ModelSlots(self._steps)
        states, pars, syns = [], [], []
        ch_tau, ch_rev, ch_kind, ch_group, ch_start = [], [], [], [], [0]
        self.channel_index = {}
        self.i_const = np.zeros(int(sizes.sum()))
        for gi, g in enumerate(groups):
            rng = _rng(self.seed, "group", gi)
            block = g.neuron.initial_block(g.n_neurons)
            syn = np.zeros((len(g.channels), g.n_neurons))
            names = list(g.channels)
            for key in sorted(g.initial):  # fixed order: fixed draws
                values = as_samples(f"initial[{key!r}]", g.initial[key], g.n_neurons,
                                    None, rng)
                if key in g.neuron.state_names:
                    block[g.neuron.state_names.index(key)] = values
                else:
                    syn[names.index(key)] = values
            self.i_const[self.g_start[gi]:self.g_start[gi + 1]] = as_samples(
                "current", g.current, g.n_neurons, None, rng)
            states.append(block)
            syns.append(syn)
            pars.append(np.asarray(g.neuron.packed(), dtype=np.float64))
            for name, model in g.channels.items():
                self.channel_index[(gi, name)] = len(ch_tau)
                ch_tau.append(model.tau)
                ch_rev.append(0.0 if math.isnan(model.E_rev) else model.E_rev)
                ch_kind.append(model.kind)
                ch_group.append(gi)
            ch_start.append(len(ch_tau))
        self.state = _packed_blocks(states)
        self.par = packed(pars) if pars else (np.zeros(1), np.zeros((0, 3), np.int64))
        self.syn = _packed_blocks(syns)
        self.g_ch_start = np.array(ch_start, dtype=np.int64)
        self.ch_tau = np.array(ch_tau, dtype=np.float64)
        self.ch_rev = np.array(ch_rev, dtype=np.float64)
        self.ch_kind = np.array(ch_kind, dtype=np.int64)
        self.ch_group = np.array(ch_group, dtype=np.int64)
        self.i_ext = np.zeros_like(self.i_const)
        n_groups = len(groups)
        self.noise_mean = np.zeros(n_groups)
        self.noise_std = np.zeros(n_groups)
        self.noise_keep = np.zeros(n_groups)
        self.noise_kick = np.zeros(n_groups)
        for node in network.noise_currents:
            g = self.group_index[id(node.target)]
            if self.noise_std[g] > 0 or self.noise_mean[g] != 0:
                raise ValueError(f"group {node.target.label!r} has two noise currents; "
                                 "give it one")
            self.noise_mean[g] = node.mean
            self.noise_std[g] = node.std
            self.noise_keep[g], self.noise_kick[g] = noise_coefficients(
                node.std, node.tau, self.dt)
        self.noise_state = np.repeat(self.noise_mean, sizes) if n_groups else np.zeros(0)

    # -- synapses -----------------------------------------------------------------
    def _build_synapses(self, network):
        dt = self.dt
        kinds, pres, channels, ptrs, targets, weights, delays = [], [], [], [], [], [], []
        max_delay = np.zeros(len(self.ch_tau), dtype=np.int64)
        self.n_synapses = {}
        self.pairs = {}  # label: (pre, post) indices of each synapse, in its order
        for si, conn in enumerate(network.synapse_sets):
            rng = _rng(self.seed, "synapses", si)
            if id(conn.pre) in self.group_index:
                kind, pre = PRE_GROUP, self.group_index[id(conn.pre)]
            else:
                kind, pre = PRE_POISSON, self.poisson_index[id(conn.pre)]
            post = self.group_index[id(conn.post)]
            pre_ids, post_ids = conn.rule.pairs(conn.pre.n_neurons, conn.post.n_neurons,
                                                rng, same_group=conn.pre is conn.post)
            n = pre_ids.size
            order = conn.rule.order() if isinstance(conn.rule, Explicit) else None
            w = _per_synapse(f"{conn.label}: weight", conn.weight, n, rng, order)
            if isinstance(conn.weight, Distribution):
                _check_drawn_weights(conn, w, self.groups[post].channels[conn.channel])
                _check_plastic_weights(conn, w)
            d = _per_synapse(f"{conn.label}: delay (s)", conn.delay, n, rng, order)
            if isinstance(conn.delay, Distribution):
                if d.size and d.min() < 0:
                    raise ValueError(f"{conn.label}: delays drawn from {conn.delay!r} "
                                     f"must be >= 0 s, got {d.min():g} s")
                steps = np.rint(d / dt)
            else:
                steps = np.rint(d / dt)
                off = np.abs(steps - d / dt) > 1e-6
                if np.any(off):
                    bad = d[off][0]
                    raise ValueError(f"{conn.label}: delay {float(bad)!r} s is not a whole "
                                     f"number of steps of dt = {dt!r} s; use "
                                     f"{np.floor(bad / dt) * dt:g} or "
                                     f"{np.ceil(bad / dt) * dt:g} s")
            channel = self.channel_index[(post, conn.channel)]
            if n:
                max_delay[channel] = max(max_delay[channel], int(steps.max()))
            kinds.append(kind)
            pres.append(pre)
            channels.append(channel)
            ptrs.append(row_pointers(pre_ids, conn.pre.n_neurons))
            targets.append(post_ids.astype(np.int32))
            weights.append(w)
            delays.append(steps.astype(np.int32))
            self.n_synapses[conn.label] = n
            self.pairs[conn.label] = (pre_ids, post_ids)
        self.s_pre_kind = np.array(kinds, dtype=np.int64)
        self.s_pre = np.array(pres, dtype=np.int64)
        self.s_channel = np.array(channels, dtype=np.int64)
        self.s_ptr_off = np.concatenate([[0], np.cumsum([p.size for p in ptrs])]) \
            .astype(np.int64)
        self.s_syn_off = np.concatenate([[0], np.cumsum([t.size for t in targets])]) \
            .astype(np.int64)
        self.ptr = np.concatenate(ptrs) if ptrs else np.zeros(1, np.int64)
        self.targets = np.concatenate(targets) if targets else np.zeros(1, np.int32)
        self.weights = np.concatenate(weights) if weights else np.zeros(1)
        self.delays = np.concatenate(delays) if delays else np.zeros(1, np.int32)
        # one ring buffer per channel: max delay + 1 slots of the post group's size
        shapes = []
        for (g, _), c in sorted(self.channel_index.items(), key=lambda kv: kv[1]):
            shapes.append((int(max_delay[c]) + 1, self.groups[g].n_neurons))
        self.ring = (np.zeros(int(sum(a * b for a, b in shapes))),
                     packed_layout(shapes))

    # -- plasticity -----------------------------------------------------------------
    def _build_plasticity(self, network):
        """The arrays of the synapse sets with STDP (``sparse_kernel.plasticity``),
        as the tuple ``self.plastic``:

        - ``pl_set`` (P,): each plastic set's synapse-set index;
        - ``pl_par`` (P, 8): A_plus, A_minus, w_max, exp(−dt/tau_plus),
          exp(−dt/tau_minus), tau_plus, tau_minus (s), the rule's code;
        - ``pl_int`` (P, 13): L (longest delay + 1, in steps), the shortest and
          longest delay (steps), the pre and post sizes, the room for one step's
          pre spikes, and the offsets of the set's pre traces, post traces, spike
          history, history counts, CSC pointers, CSC entries and delay pointers
          (below);
        - ``h`` the pre-synaptic traces at the last L step ends, (L, n_pre) per set:
          row k mod L is Σ_spikes exp(−(t_k − t_spike's step end)/tau_plus), the
          trace a synapse of delay d reads at t_(k+d) (with L = 1, scaled by
          ``scale[:, 0]``);
        - ``y`` the post-synaptic traces at the last step end, n_post per set,
          scaled by ``scale[:, 1]``;
        - ``hist`` and ``hist_n``: the pre spikes of the last L steps, (L, room);
        - ``col_ptr`` (n_post + 1 per set), ``col_syn`` and ``col_pre`` (one per
          synapse): the synapses into each post neuron (global synapse indices,
          and their pre neurons) — the CSC index of the set's CSR arrays, in
          memory proportional to the synapse count;
        - ``scale`` (P, 2): the scales of the pre (L = 1) and post traces;
        - ``dl_ptr`` (n_pre L + 1 per set) and ``dl_syn`` (one per synapse): the
          synapses of each pre neuron i and delay d, ``dl_syn[dl_ptr[i L + d]:
          dl_ptr[i L + d + 1]]`` (global indices), so that the spikes arriving
          in a step find exactly their synapses.
        """
        sets, par, ints = [], [], []
        h_n = y_n = hist_size = histn_size = ptr_size = syn_size = dl_size = 0
        col_ptrs, col_syns, col_pres, dl_ptrs, dl_syns = [], [], [], [], []
        self.plastic_sets = []
        for si, conn in enumerate(network.synapse_sets):
            rule = conn.learning_rule
            if rule is None:
                continue
            if not isinstance(rule, STDP):
                raise TypeError(f"{conn.label}: learning_rule must be an STDP, got "
                                f"{rule!r}")
            first, last = self.s_syn_off[si], self.s_syn_off[si + 1]
            steps = self.delays[first:last].astype(np.int64)
            d_min = int(steps.min()) if steps.size else 0
            d_max = int(steps.max()) if steps.size else 0
            length = d_max + 1
            n_pre, n_post = conn.pre.n_neurons, conn.post.n_neurons
            room = n_pre if self.s_pre_kind[si] == PRE_GROUP \
                else POISSON_MAX_PER_STEP * n_pre
            pre_ids, post_ids = self.pairs[conn.label]
            order = np.argsort(post_ids, kind="stable")  # by post, then pre
            col_ptrs.append(row_pointers(post_ids[order], n_post).astype(np.int64))
            col_syns.append((first + order).astype(np.int64))
            col_pres.append(pre_ids[order].astype(np.int64))
            key = pre_ids * length + steps  # (pre, delay), in synapse order
            by_delay = np.argsort(key, kind="stable")
            dl_ptrs.append(row_pointers(key[by_delay], n_pre * length)
                           .astype(np.int64))
            dl_syns.append((first + by_delay).astype(np.int64))
            sets.append(si)
            par.append([rule.A_plus, rule.A_minus, rule.w_max,
                        math.exp(-self.dt / rule.tau_plus),
                        math.exp(-self.dt / rule.tau_minus), rule.tau_plus,
                        rule.tau_minus, float(rule.rule_code)])
            ints.append([length, d_min, d_max, n_pre, n_post, room, h_n, y_n,
                         hist_size, histn_size, ptr_size, syn_size, dl_size])
            h_n += length * n_pre
            y_n += n_post
            hist_size += length * room
            histn_size += length
            ptr_size += n_post + 1
            syn_size += order.size
            dl_size += n_pre * length + 1
            self.plastic_sets.append((si, conn))
        self.plastic = (
            np.array(sets, dtype=np.int64),
            np.array(par, dtype=np.float64).reshape(len(sets), 8),
            np.array(ints, dtype=np.int64).reshape(len(sets), 13),
            np.zeros(h_n), np.zeros(y_n), np.zeros(hist_size, np.int64),
            np.zeros(histn_size, np.int64),
            np.concatenate(col_ptrs) if col_ptrs else np.zeros(0, np.int64),
            np.concatenate(col_syns) if col_syns else np.zeros(0, np.int64),
            np.concatenate(col_pres) if col_pres else np.zeros(0, np.int64),
            np.ones((len(sets), 2)),
            np.concatenate(dl_ptrs) if dl_ptrs else np.zeros(0, np.int64),
            np.concatenate(dl_syns) if dl_syns else np.zeros(0, np.int64))

    def weights_of(self, label: str) -> np.ndarray:
        """The current weights of synapse set ``label`` (a view, in its order)."""
        si = next(i for i, (name, _) in enumerate(self.n_synapses.items())
                  if name == label)
        return self.weights[self.s_syn_off[si]:self.s_syn_off[si + 1]]

    # -- Poisson sources ------------------------------------------------------------
    def _build_poisson(self, network):
        sizes = [q.n_neurons for q in self.poissons]
        self.q_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        inputs = network.poisson_inputs
        self.pi_group = np.array([self.group_index[id(p.target)] for p in inputs],
                                 dtype=np.int64)
        self.pi_channel = np.array([self.channel_index[(self.group_index[id(p.target)],
                                                        p.channel)] for p in inputs],
                                   dtype=np.int64)
        self.pi_mean = np.array([p.n_sources * p.rate for p in inputs], dtype=np.float64)
        self.pi_weight = np.array([p.weight for p in inputs], dtype=np.float64)

    def poisson_rates(self, first_step: int, n_steps: int) -> np.ndarray:
        """Each Poisson group's rate (Hz) at the middle of steps first_step+1 ..
        first_step+n_steps, shape (n_steps, n_groups)."""
        t = (np.arange(first_step + 1, first_step + n_steps + 1) - 0.5) * self.dt
        out = np.zeros((n_steps, len(self.poissons)))
        for q, group in enumerate(self.poissons):
            if callable(group.rate):
                rate = np.asarray(group.rate(t), dtype=np.float64)
                rate = np.broadcast_to(rate, t.shape)
                if not np.all(np.isfinite(rate)) or rate.min(initial=0.0) < 0:
                    raise ValueError(f"Poisson group {group.label!r}: rate(t) must "
                                     "return finite rates >= 0 Hz")
                out[:, q] = rate
            else:
                out[:, q] = group.rate
            most = float(out[:, q].max(initial=0.0))
            if poisson.sf(POISSON_MAX_PER_STEP, most * self.dt) > 1e-6:
                raise ValueError(
                    f"Poisson group {group.label!r}: a rate of {most:g} Hz at dt = "
                    f"{self.dt:g} s would need more than {POISSON_MAX_PER_STEP} "
                    f"spikes of one source in a step (probability "
                    f"{poisson.sf(POISSON_MAX_PER_STEP, most * self.dt):.2g}); use "
                    f"a smaller dt or rates up to "
                    f"{_max_rate(self.dt):.4g} Hz")
        return out

    def slot(self, neuron) -> int:
        """The slot of ``models`` holding ``neuron``'s group step."""
        return self._steps.index(neuron.group_step())

    def max_spikes_per_step(self, record) -> int:
        """Room the spike buffer needs for one step of the recorded sources."""
        total = 0
        for s, source in enumerate(self.sources):
            if record[s]:
                per = 1 if s < len(self.groups) else 4
                total += per * source.n_neurons
        return total

    def state_row(self, group, name) -> tuple[int, int]:
        """(block, row) of state variable or channel ``name`` of ``group``: block 0
        the state, 1 the channels."""
        if name in group.neuron.state_names:
            return 0, group.neuron.state_names.index(name)
        return 1, list(group.channels).index(name)


def _max_rate(dt: float) -> float:
    """The highest Poisson rate (Hz) at step ``dt`` whose sources need more than
    ``POISSON_MAX_PER_STEP`` spikes in a step with probability at most 1e-6."""
    low, high = 0.0, 1.0 / dt
    for _ in range(60):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if poisson.sf(POISSON_MAX_PER_STEP, mid * dt) <= 1e-6 \
            else (low, mid)
    return low


def _check_drawn_weights(conn, w, model):
    """Weights drawn from a distribution keep the rules given ones are checked by
    at the door (``Network.synapses``): conductances >= 0, the declared sign."""
    if not w.size:
        return
    if model.kind == CONDUCTANCE and w.min() < 0:
        raise ValueError(f"{conn.label}: conductance weights drawn from {conn.weight!r} "
                         f"must be >= 0 nS, got {w.min():g}; clip the distribution "
                         "(inhibition comes from the reversal potential)")
    if conn.sign == "excitatory" and w.min() < 0:
        raise ValueError(f"{conn.label}: sign='excitatory' weights drawn from "
                         f"{conn.weight!r} must be >= 0, got {w.min():g}")
    if conn.sign == "inhibitory" and model.kind != CONDUCTANCE and w.max() > 0:
        raise ValueError(f"{conn.label}: sign='inhibitory' weights drawn from "
                         f"{conn.weight!r} must be <= 0, got {w.max():g}")


def _check_plastic_weights(conn, w):
    """STDP weights drawn from a distribution must start in [0, w_max]."""
    rule = conn.learning_rule
    if rule is None or not w.size:
        return
    if w.min() < 0 or w.max() > rule.w_max:
        bad = w.min() if w.min() < 0 else w.max()
        raise ValueError(f"{conn.label}: STDP weights drawn from {conn.weight!r} must "
                         f"lie in [0, w_max] = [0, {rule.w_max:g}], got {bad:g}; clip "
                         "the distribution or raise w_max")


def _per_synapse(name, value, n, rng, order):
    """A weight or delay per synapse: drawn, broadcast, or given (in the rule's pair
    order; explicit pairs are sorted, and their values with them)."""
    if isinstance(value, Distribution):
        return value.sample(n, None, rng)
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a number, a Distribution or an array of one "
                         f"value per synapse ({n}), got shape {arr.shape}")
    return arr[order] if order is not None else arr.copy()


def _packed_blocks(blocks):
    """2-D blocks (rows, columns) laid end to end: (data, layout)."""
    layout = packed_layout([b.shape for b in blocks])
    data = np.concatenate([b.ravel() for b in blocks]) if blocks else np.zeros(1)
    if data.size == 0:
        data = np.zeros(1)
    return np.ascontiguousarray(data, dtype=np.float64), layout
