"""One step of a network's neuron groups, inside the compiled time loop.

Called by ``kernel.run_chunk`` once per step (no Python per step). Order within the
step ending at t_k (``step`` = k):

1. Poisson inputs add their counts to their channels;
2. currents: the constant current plus each group's noise (Ornstein–Uhlenbeck
   updated exactly, or a fresh white-noise draw);
3. each group advances by its model's group step (``neurons.base``), reading the
   channels as they stand at the step's start and leaving them decayed to its end;
   its spikes are recorded (if probed);
4. Poisson groups fire (a Poisson count per source, each spike at a uniform time
   in the step);
5. every channel with delayed synapses takes in its ring-buffer slot ``k mod L``
   (the spikes whose delay ends now), which is cleared;
6. the step's spikes travel along their synapses: with delay 0 straight into the
   post-synaptic channel, with delay d ≥ 1 steps into its ring-buffer slot
   ``(k + d) mod L`` (L = the channel's longest delay + 1);
7. synapse sets with STDP (``learning.STDP``) learn (``plasticity``): the step's
   post-synaptic spikes potentiate their incoming synapses, then the spikes
   arriving now (emitted d steps ago on synapses of delay d) depress theirs.

Spikes therefore act from step k + d + 1 on: one step after they occur when the
delay is 0, and exactly d steps later otherwise — the scheduling of Brian2 and NEST.
Their arrival time for STDP is that of the weight's effect, t_(k+d).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.core.typing.typeof import typeof_impl

from ..neurons.base import GROUP_STEP_SIGNATURE
from ..neurons.group_drive import CompiledStep

_FINITE = 1e300
#: Most spikes a Poisson source emits in one step (beyond: clipped).
POISSON_MAX_PER_STEP = 4
# pre-synaptic kinds of a synapse set
PRE_GROUP, PRE_POISSON = 0, 1
OK = 0


#: Distinct neuron models a network's groups may use (slots of the compiled loop).
MODEL_SLOTS = 8


@njit(GROUP_STEP_SIGNATURE, cache=True)
def no_group(state, i_ext, syn, syn_tau, syn_rev, syn_kind, dt, par, spiked, after,
             work, flags):
    """Placeholder filling the unused model slots."""
    return 0


class ModelSlots(tuple):
    """The group-step functions of a network's models, padded with ``no_group`` to
    ``MODEL_SLOTS``, as the compiled loop takes them: a tuple of first-class
    functions of ``GROUP_STEP_SIGNATURE`` whose numba type and addresses are found
    once here, not again at every call of the loop (milliseconds each)."""

    def __new__(cls, steps):
        if len(steps) > MODEL_SLOTS:
            raise ValueError(f"the network's groups use {len(steps)} neuron models; "
                             f"at most {MODEL_SLOTS} can run together")
        padded = [*steps, *[no_group] * (MODEL_SLOTS - len(steps))]
        return super().__new__(cls, [CompiledStep(step) for step in padded])


_SLOTS_TYPE = types.UniTuple(types.FunctionType(GROUP_STEP_SIGNATURE), MODEL_SLOTS)


@typeof_impl.register(ModelSlots)
def _typeof_model_slots(value, context):
    return _SLOTS_TYPE


@njit(cache=True, error_model="numpy", inline="always")
def _block(data, layout, i):
    """Block ``i`` of a packed list of (rows, columns) arrays, as a C-contiguous view
    (what the group steps take)."""
    start = layout[i, 0]
    return data[start:start + layout[i, 1] * layout[i, 2]].reshape(
        (layout[i, 1], layout[i, 2]))


@njit(cache=True, error_model="numpy", inline="always")
def _row(data, layout, i, r):
    """Row ``r`` of block ``i`` of a packed list, as a 1-D view."""
    start = layout[i, 0] + r * layout[i, 2]
    return data[start:start + layout[i, 2]]


@njit(cache=True, error_model="numpy")
def sparse_step(step, dt, rng, models, g_start, g_slot, st_data, st_lay, par_data,
                par_lay, syn_data, syn_lay, g_ch_start, ch_group, ch_tau, ch_rev,
                ch_kind, ring_data, ring_lay, i_const, i_ext, noise_mean, noise_std,
                noise_keep, noise_kick, noise_state, pi_group, pi_channel, pi_mean,
                pi_weight, q_start, q_rate, s_pre_kind, s_pre, s_channel, s_ptr_off,
                s_syn_off, ptr_data, targets, weights, delays, record, rec_offset,
                spk_t, spk_id, spk_pop, n_spk, spiked, after, counts, work, flags,
                plastic):
    """Advance every group by one step (see the module docstring). ``spiked`` and
    ``after`` hold each source's spikes of the step: group g's from g_start[g],
    Poisson group q's from g_start[-1] + 4 q_start[q]; ``counts`` how many.

    Returns ``(status, neuron)``: ``OK``, or the group index + 1 and its neuron
    whose membrane potential went non-finite.
    """
    n_groups = g_slot.shape[0]
    t_end = step * dt
    # -- 1. Poisson inputs --------------------------------------------------------
    for r in range(pi_group.shape[0]):
        g = pi_group[r]
        syn = _block(syn_data, syn_lay, g)
        local = pi_channel[r] - g_ch_start[g]
        mean = pi_mean[r] * dt
        for i in range(syn.shape[1]):
            syn[local, i] += pi_weight[r] * rng.poisson(mean)
    # -- 2, 3. currents and groups ------------------------------------------------
    for g in range(n_groups):
        a = g_start[g]
        b = g_start[g + 1]
        current = i_const[a:b]
        if noise_std[g] > 0.0 or noise_mean[g] != 0.0:
            keep, kick = noise_keep[g], noise_kick[g]
            mean = noise_mean[g]
            for i in range(a, b):
                if kick > 0.0:
                    noise_state[i] = mean + (noise_state[i] - mean) * keep \
                        + kick * rng.standard_normal()
                i_ext[i] = i_const[i] + noise_state[i]
            current = i_ext[a:b]
        state = _block(st_data, st_lay, g)
        syn = _block(syn_data, syn_lay, g)
        c0 = g_ch_start[g]
        c1 = g_ch_start[g + 1]
        par = par_data[par_lay[g, 0]:par_lay[g, 0] + par_lay[g, 2]]
        count = models[g_slot[g]](state, current, syn, ch_tau[c0:c1], ch_rev[c0:c1],
                                  ch_kind[c0:c1], dt, par, spiked[a:], after[a:],
                                  work, flags)
        if count < 0:
            return g + 1, -1 - count
        counts[g] = count
        _emit(g, count, spiked[a:], after[a:], t_end, record, rec_offset, spk_t,
              spk_id, spk_pop, n_spk)
    # -- 4. Poisson groups --------------------------------------------------------
    for q in range(q_rate.shape[0]):
        mean = q_rate[q] * dt
        base = g_start[n_groups] + 4 * q_start[q]
        count = 0
        for i in range(q_start[q + 1] - q_start[q]):
            fired = min(rng.poisson(mean), POISSON_MAX_PER_STEP) if mean > 0 else 0
            for _ in range(fired):
                spiked[base + count] = i
                after[base + count] = dt * rng.random()
                count += 1
        counts[n_groups + q] = count
        _emit(n_groups + q, count, spiked[base:], after[base:], t_end, record,
              rec_offset, spk_t, spk_id, spk_pop, n_spk)
    # -- 5. arrivals of delayed spikes --------------------------------------------
    for c in range(ch_group.shape[0]):
        length = ring_lay[c, 1]
        if length > 1:
            g = ch_group[c]
            _arrive(_row(syn_data, syn_lay, g, c - g_ch_start[g]),
                    _row(ring_data, ring_lay, c, step % length))
    # -- 6. transmission ----------------------------------------------------------
    for s in range(s_pre_kind.shape[0]):
        base, count = _source_spikes(s, s_pre_kind, s_pre, g_start, q_start,
                                     n_groups, counts)
        if count == 0:
            continue
        c = s_channel[s]
        g = ch_group[c]
        ptr = ptr_data[s_ptr_off[s]:s_ptr_off[s + 1]]
        _transmit(spiked[base:base + count], s_syn_off[s], ptr, targets, weights,
                  delays, step, _row(syn_data, syn_lay, g, c - g_ch_start[g]),
                  ring_data, ring_lay[c])
    # -- 7. plasticity --------------------------------------------------------------
    if plastic[0].shape[0]:
        plasticity(step, dt, plastic, g_start, q_start, n_groups, s_pre_kind, s_pre,
                   s_channel, ch_group, s_ptr_off, s_syn_off, ptr_data, targets,
                   weights, delays, spiked, after, counts)
    return OK, -1


@njit(cache=True, error_model="numpy", inline="always")
def _source_spikes(s, s_pre_kind, s_pre, g_start, q_start, n_groups, counts):
    """(where in ``spiked``/``after`` the step's spikes of synapse set s's source
    start, how many there are): a group's, or a Poisson group's."""
    if s_pre_kind[s] == PRE_GROUP:
        return g_start[s_pre[s]], counts[s_pre[s]]
    return g_start[n_groups] + 4 * q_start[s_pre[s]], counts[n_groups + s_pre[s]]


@njit(cache=True, error_model="numpy")
def plasticity(step, dt, plastic, g_start, q_start, n_groups, s_pre_kind, s_pre,
               s_channel, ch_group, s_ptr_off, s_syn_off, ptr_data, targets, weights,
               delays, spiked, after, counts):
    """Step 7 of ``sparse_step``: STDP (``learning.py``) of every plastic synapse
    set, over the arrays ``sparse_build.SparseModel._build_plasticity`` describes.

    In the step ending at t_k (``step`` = k), for each set:

    1. each post-synaptic spike at t_k − a potentiates every synapse into its
       neuron: the synapse of delay d reads its pre trace at t_(k−1) — the pre
       neuron's trace row (k − 1 − d) mod L — decayed to the spike, by
       exp(−(dt − a)/tau_plus);
    2. the post traces decay to t_k and take this step's spikes, each decayed
       from its time: y ← y e^(−dt/τ₋) + Σ e^(−a/τ₋);
    3. the pre traces at t_k (row k mod L) are those at t_(k−1) decayed, plus
       one per spike of this step; the step's pre spikes join the history;
    4. every spike of step k − d arrives on the synapses of delay d and depresses
       them with the post trace at t_k.

    The post traces, and the pre traces of a set without delays (L = 1), are held
    scaled — trace = stored · S, S (``scale``) decaying by one multiplication a
    step and folded into the stored values when it falls below 1e-100 (every
    ~230 time constants) — so that a step costs nothing per neuron; a set with
    delays keeps each of its last L steps' pre traces (a copy a step).
    """
    pl_set, pl_par, pl_int, h, y, hist, hist_n, col_ptr, col_syn, col_pre, \
        scale, dl_ptr, dl_syn = plastic
    for p in range(pl_set.shape[0]):
        s = pl_set[p]
        a_plus, a_minus, w_max = pl_par[p, 0], pl_par[p, 1], pl_par[p, 2]
        e_plus, e_minus = pl_par[p, 3], pl_par[p, 4]
        tau_plus, tau_minus = pl_par[p, 5], pl_par[p, 6]
        soft = pl_par[p, 7] != 0.0
        length, d_min, d_max = pl_int[p, 0], pl_int[p, 1], pl_int[p, 2]
        n_pre, n_post, room = pl_int[p, 3], pl_int[p, 4], pl_int[p, 5]
        h_off, y_off, hist_off, histn_off = pl_int[p, 6], pl_int[p, 7], \
            pl_int[p, 8], pl_int[p, 9]
        ptr_off, syn_off, dl_off = pl_int[p, 10], pl_int[p, 11], pl_int[p, 12]
        # the step's pre spikes (as in transmission) and post spikes
        pre_base, pre_count = _source_spikes(s, s_pre_kind, s_pre, g_start, q_start,
                                             n_groups, counts)
        g = ch_group[s_channel[s]]
        post_base = g_start[g]
        post_count = counts[g]
        yp = y[y_off:y_off + n_post]
        cptr = col_ptr[ptr_off:ptr_off + n_post + 1]
        # -- 1. potentiation at post spikes --
        if a_plus > 0.0:
            last = (step - 1) % length  # the row of t_(k-1)
            pre_scale = scale[p, 0] if length == 1 else 1.0
            for q in range(post_count):
                j = spiked[post_base + q]
                factor = math.exp(-(dt - after[post_base + q]) / tau_plus) * pre_scale
                for e in range(cptr[j], cptr[j + 1]):
                    syn = col_syn[syn_off + e]
                    row = last - (d_min if d_min == d_max else delays[syn])
                    if row < 0:
                        row += length
                    x = h[h_off + row * n_pre + col_pre[syn_off + e]] * factor
                    w = weights[syn]
                    if soft:
                        w += a_plus * (1.0 - w / w_max) * x
                    else:
                        w += a_plus * x
                    weights[syn] = min(max(w, 0.0), w_max)
        # -- 2. post traces (scaled) --
        s_post = _decayed(scale, p, 1, e_minus, yp)
        for q in range(post_count):
            yp[spiked[post_base + q]] += math.exp(-after[post_base + q] / tau_minus) \
                / s_post
        # -- 3. pre traces and the spike history --
        now = step % length
        hn = h[h_off + now * n_pre:h_off + (now + 1) * n_pre]
        if length == 1:  # scaled, in place
            add = 1.0 / _decayed(scale, p, 0, e_plus, hn)
        else:
            old = (step - 1) % length
            ho = h[h_off + old * n_pre:h_off + (old + 1) * n_pre]
            for i in range(n_pre):
                hn[i] = ho[i] * e_plus
            add = 1.0
        slot = hist[hist_off + now * room:hist_off + (now + 1) * room]
        for q in range(pre_count):
            i = spiked[pre_base + q]
            hn[i] += add
            slot[q] = i
        hist_n[histn_off + now] = pre_count
        # -- 4. depression at arrivals --
        if a_minus > 0.0:
            dptr = dl_ptr[dl_off:dl_off + n_pre * length + 1]
            for d in range(d_min, d_max + 1):
                back = (step - d) % length
                arrived = hist[hist_off + back * room:hist_off + back * room
                               + hist_n[histn_off + back]]
                for q in range(arrived.shape[0]):
                    at = arrived[q] * length + d
                    for k in range(dptr[at], dptr[at + 1]):
                        syn = dl_syn[syn_off + k]
                        w = weights[syn]
                        if soft:
                            w -= a_minus * (w / w_max) * (yp[targets[syn]] * s_post)
                        else:
                            w -= a_minus * (yp[targets[syn]] * s_post)
                        weights[syn] = min(max(w, 0.0), w_max)


#: A trace's scale is folded into its stored values below this.
_SMALLEST_SCALE = 1e-100


@njit(cache=True, error_model="numpy", inline="always")
def _decayed(scale, p, which, factor, stored):
    """Decay the scaled trace ``stored`` (trace = stored · scale[p, which]) by
    ``factor``: the scale alone, folded into ``stored`` when it gets small.
    Returns the new scale."""
    s = scale[p, which] * factor
    if s < _SMALLEST_SCALE:
        for i in range(stored.shape[0]):
            stored[i] *= s
        s = 1.0
    scale[p, which] = s
    return s


@njit(cache=True, error_model="numpy")
def _transmit(spiked, first_syn, ptr, targets, weights, delays, step, channel,
              ring_data, ring):
    """Add the weight of every synapse of the neurons ``spiked`` to its target in
    ``channel`` (delay 0) or in the channel's ring buffer (``ring``: its [offset,
    L, n_post] in ``ring_data``) at slot (step + delay) mod L."""
    offset, length, width = ring[0], ring[1], ring[2]
    for q in range(spiked.shape[0]):
        i = spiked[q]
        for s in range(ptr[i], ptr[i + 1]):
            j = first_syn + s
            d = delays[j]
            if d == 0:
                channel[targets[j]] += weights[j]
            else:
                ring_data[offset + (step + d) % length * width + targets[j]] += \
                    weights[j]


@njit(cache=True, error_model="numpy")
def _arrive(x, arriving):
    """x += arriving; arriving ← 0 (vectorises)."""
    for i in range(x.shape[0]):
        x[i] += arriving[i]
        arriving[i] = 0.0


@njit(cache=True, error_model="numpy")
def _emit(source, count, spiked, after, t_end, record, rec_offset, spk_t, spk_id,
          spk_pop, n_spk):
    """Record the ``count`` spikes of ``source`` (a group, then the Poisson groups)
    when it is probed."""
    if not record[source]:
        return
    m = n_spk[0]
    for q in range(count):
        spk_t[m] = t_end - after[q]
        spk_id[m] = spiked[q]
        spk_pop[m] = rec_offset + source
        m += 1
    n_spk[0] = m


def noise_coefficients(std: float, tau: float, dt: float) -> tuple[float, float]:
    """(keep, kick) of the exact Ornstein–Uhlenbeck step x ← μ + (x − μ) keep + kick ξ
    (stationary standard deviation ``std``, correlation time ``tau`` s); white noise
    (tau = 0): keep 0, kick ``std``."""
    if tau == 0.0:
        return 0.0, std
    keep = math.exp(-dt / tau)
    return keep, std * math.sqrt(-math.expm1(-2.0 * dt / tau))

