"""The compiled time loop of the network simulator.

One call advances the whole network by a chunk of steps; no Python runs per step or
per connection. The model is flat arrays (``build.Model``): populations are ranges of
neurons; each connection carries a decoder, an encoder (or full weight) matrix and
the state of its synapse.

A synapse PSC(τ, n) is the cascade z_0 → … → z_n (z_j: the input filtered by
t^j e^(−t/τ)/(j! τ^(j+1))); its output is z_n. Each step it propagates exactly
(z_j ← Σ_i c_(j−i) z_i, c_m = (dt/τ)^m e^(−dt/τ)/m!). Spiking input: a spike at
time s before the end of the step adds its exact response h_j(s) to z_j — sub-step
spike times are kept. Rate input held over the step adds γ_j u (γ_j = ∫₀^dt h_j).
Without a synapse the "state" is the latest input (a spike is an impulse of 1/dt).

Order within a step k (from t_(k−1) to t_k): inputs (sampled mid-step by the
caller) enter their synapses; every population's current, held over the step, is
its bias plus the encoded outputs of its incoming synapses — from inputs, their mean
over the step (the average of the outputs at t_(k−1) and t_k, so that no half-step
shift enters), from populations, their output at t_(k−1) (one step of delay); neurons
advance; synapses from populations take in this step's spikes or rates; outputs and
PES rules update their connections' decoders from those outputs (the rules'
errors) and their filtered activities; probes read the states at t_k. (A spiking LIF population whose one input is 1-D gets
its current in the neuron pass itself: the same numbers, one pass fewer.)

LIF neurons advance in two passes: one vectorised pass over all (exact for those
that do not spike), then the spiking ones — listed by ``compaction.compact`` straight
into the step's event list, and gathered — in a second vectorised pass;
each spike's exact time needs one log and no exp, as the decay factor for the step
in which the refractory period ends, w = exp(−(dt − ref)/τ), is carried with ref.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.lib.stride_tricks import as_strided

from ..neurons.hh import derivatives
from ..neurons.hh_kernels import _step_exp_euler, crossing_fraction
from ..neurons.lif import exact_step
from ..vecmath import vexp, vlog
from ..compaction import compact
from .sparse_kernel import OK, _block, sparse_step

# population kinds
LIF_SPIKING, HH_SPIKING, RATE, GROUP_SPIKING = 0, 1, 2, 3
# rate activations
ACT_LIF, ACT_RELU, ACT_SIGMOID, ACT_TANH, ACT_ARCTAN, ACT_SOFTPLUS, ACT_THRESHOLD, \
    ACT_TABLE = range(8)
# connection sources and destinations
SRC_INPUT, SRC_POPULATION, SRC_POPULATION_FULL = 0, 1, 2
DST_POPULATION, DST_OUTPUT, DST_SINK = 0, 1, 2
# probe kinds (spike probes are -1: their spikes go to the event buffer)
PROBE_SPIKES = -1
PROBE_SINK, PROBE_VOLTAGE, PROBE_CURRENT, PROBE_RATES, PROBE_OUTPUT, \
    PROBE_GROUP, PROBE_WEIGHTS, PROBE_DECODERS = range(8)
# results
RUNNING, DONE, SPIKES_FULL, DIVERGED, GROUP_DIVERGED = 0, 1, 2, 3, 4
_FINITE = 1e300


@njit(cache=True, error_model="numpy", inline="always")
def _view(data, layout, i):
    """Array ``i`` of a packed list (``build.packed``): a (rows, columns) view."""
    start = layout[i, 0]
    return as_strided(data[start:start + layout[i, 1] * layout[i, 2]],
                      shape=(layout[i, 1], layout[i, 2]),
                      strides=(layout[i, 2] * data.itemsize, data.itemsize))


@njit(cache=True, error_model="numpy", inline="always")
def _row(data, layout, i):
    """Vector ``i`` of a packed list (``build.packed``)."""
    return data[layout[i, 0]:layout[i, 0] + layout[i, 2]]


@njit(cache=True, error_model="numpy")
def _rates(code, J, par, table_j, table_r, rate):
    """rate = the population's rate curve at J (Hz), in place; ``par`` holds the
    amplitude (for LIF: the scale taking J to units of the threshold) and, for LIF,
    tau_rc, tau_ref and v_reset (normalised). One loop per kind, so no
    call or branch on the kind per neuron."""
    n = J.shape[0]
    amplitude = par[0]
    if code == ACT_LIF:  # the input in units of the threshold: amplitude J
        tau, tau_ref, top = par[1], par[2], 1.0 - par[3]
        for i in range(n):
            j = amplitude * J[i]
            rate[i] = 1.0 / (tau_ref + tau * math.log1p(top / (j - 1.0))) \
                if j > 1.0 else 0.0
    elif code == ACT_RELU:
        for i in range(n):
            rate[i] = amplitude * max(J[i], 0.0)
    elif code == ACT_SIGMOID:
        for i in range(n):
            rate[i] = amplitude * 0.5 * (1.0 + math.tanh(0.5 * J[i]))
    elif code == ACT_TANH:
        for i in range(n):
            rate[i] = amplitude * math.tanh(J[i])
    elif code == ACT_ARCTAN:
        for i in range(n):
            rate[i] = amplitude * math.atan(J[i])
    elif code == ACT_SOFTPLUS:
        for i in range(n):
            rate[i] = amplitude * (max(J[i], 0.0) + math.log1p(math.exp(-abs(J[i]))))
    elif code == ACT_THRESHOLD:
        for i in range(n):
            rate[i] = amplitude if J[i] >= 0.0 else 0.0
    else:  # tabulated (Hodgkin–Huxley in rate mode): linear interpolation, 0 below
        last = table_j.shape[0] - 1
        for i in range(n):
            if J[i] <= table_j[0]:
                rate[i] = 0.0
            elif J[i] >= table_j[last]:
                rate[i] = table_r[last]
            else:
                k = np.searchsorted(table_j, J[i]) - 1
                frac = (J[i] - table_j[k]) / (table_j[k + 1] - table_j[k])
                rate[i] = table_r[k] + frac * (table_r[k + 1] - table_r[k])


@njit(cache=True, error_model="numpy")
def _propagate(z, coef):
    """z_j ← Σ_(i<=j) coef[j−i] z_i for every column, in place."""
    levels = z.shape[0]
    for j in range(levels - 1, -1, -1):
        for col in range(z.shape[1]):
            acc = 0.0
            for i in range(j + 1):
                acc += coef[j - i] * z[i, col]
            z[j, col] = acc


@njit(cache=True, error_model="numpy")
def _encode(enc_data, enc_lay, c, x, J, bias, fresh):
    """J += enc_tᵀ @ x, with enc_t (d, M) connection ``c``'s packed encoder and ``J``
    the destination population's slice; when ``fresh``, J = bias + enc_tᵀ @ x (one
    pass fewer than setting J to the bias first). Rows are taken as contiguous
    slices, so the inner loop vectorises."""
    start, d, m = enc_lay[c, 0], enc_lay[c, 1], enc_lay[c, 2]
    for col in range(d):
        w = x[col]
        row = enc_data[start + col * m:start + (col + 1) * m]
        if fresh and col == 0:
            for i in range(J.shape[0]):
                J[i] = bias[i] + row[i] * w
        elif w != 0.0:
            for i in range(J.shape[0]):
                J[i] += row[i] * w


@njit(cache=True, error_model="numpy")
def _lif_fast(v, ref, w, J, encode, bias, e, x, dt, decay, v_min, carry, flags):
    """Advance the LIF neurons of one population that do not spike in this step and
    flag the others, which keep their state for ``_lif_spikes``. At rest all step:
    one multiply-add; refractory all step: v held, ``w`` (exp(−(dt − ref)/τ), kept
    while ref > 0) times ``decay``; leaving the refractory period in the step: the
    decay over the rest, ``w`` (without ``carry``: flagged). When ``encode``, the
    current is set here, J = bias + e·x (the population's one 1-D input), rather
    than read. Branch-free: it vectorises. Returns (number flagged, whether every J
    is finite)."""
    count = 0
    bad = False
    for i in range(v.shape[0]):
        vi = v[i]
        ri = ref[i]
        wi = w[i]
        if encode:
            J[i] = bias[i] + e[i] * x
        drive = J[i]
        free = ri <= 0.0
        whole = ri >= dt
        v_end = drive + (vi - drive) * (decay if free else wi)
        flag = (not whole) & ((v_end > 1.0) | (vi >= 1.0) | ((not free) & (not carry)))
        v[i] = vi if flag | whole else max(v_end, v_min)
        ref[i] = ri if flag else (ri - dt if whole else 0.0)
        w[i] = wi * decay if whole else wi
        flags[i] = flag
        count += flag
        bad |= not abs(drive) < _FINITE
    return count, not bad


@njit(cache=True, error_model="numpy")
def _lif_spikes(sv, sr, sw, sj, n, dt, decay, tau, tau_ref, v_reset, after):
    """The step of ``n`` flagged LIF neurons that spike (state ``sv``, ``sr``, ``sw``
    and current ``sj``, updated in place): ``exact_step`` for one spike,
    branch-free so that it vectorises. ``after[q]`` is the time from the spike to
    the end of the step (s), or −1 where a second spike might follow (refractory
    period shorter than the rest of the step) or rounding put the crossing past the
    end: redo with ``exact_step``, the state left as it was. The new ``w`` is
    exp((ref − dt)/τ) by the identities exp(−span/τ) = the factor used and
    exp(s/τ) = (J − v)/(J − 1): no exp. Returns the number to redo."""
    lead = math.exp((tau_ref - dt) / tau)
    redo = 0
    for q in range(n):
        v = sv[q]
        ref = sr[q]
        drive = sj[q]
        span = dt - ref
        start = dt - span
        factor = decay if ref <= 0.0 else sw[q]
        grow = 1.0 if v >= 1.0 else (drive - v) / (drive - 1.0)  # exp(s/τ)
        s = 0.0 if v >= 1.0 else tau * vlog(grow)
        remaining = span - s
        end = dt - (start + s)
        again = not ((tau_ref >= remaining) & (end >= 0.0))  # NaN: redo
        sv[q] = v if again else v_reset
        sr[q] = ref if again else tau_ref - remaining
        sw[q] = sw[q] if again else lead * factor * grow
        after[q] = -1.0 if again else end
        redo += again
    return redo


@njit(cache=True, error_model="numpy")
def _kick_weights(ev_after, n, tau, e):
    """e[q] = h_0(ev_after[q]) = exp(−after/τ)/τ, the response of a synapse's first
    level to each event's unit impulse; vectorises."""
    rate = 1.0 / tau
    for q in range(n):
        e[q] = vexp(-ev_after[q] * rate) * rate


@njit(cache=True, error_model="numpy")
def _next_level(ev_after, n, tau, j, e):
    """h_(j+1) from h_j: e[q] *= (after/τ)/(j+1), in place."""
    factor = 1.0 / (tau * (j + 1))
    for q in range(n):
        e[q] *= ev_after[q] * factor


@njit(cache=True, error_model="numpy")
def _weighted_sum(e, ev_id, n, d, first, col):
    """Σ_q e[q] d[ev_id[q] − first, col], in four interleaved partial sums."""
    a0 = a1 = a2 = a3 = 0.0
    q = 0
    while q + 4 <= n:
        a0 += e[q] * d[ev_id[q] - first, col]
        a1 += e[q + 1] * d[ev_id[q + 1] - first, col]
        a2 += e[q + 2] * d[ev_id[q + 2] - first, col]
        a3 += e[q + 3] * d[ev_id[q + 3] - first, col]
        q += 4
    while q < n:
        a0 += e[q] * d[ev_id[q] - first, col]
        q += 1
    return (a0 + a1) + (a2 + a3)


@njit(cache=True, error_model="numpy")
def _finite(J):
    """Whether every J is finite (an OR-reduction: vectorises)."""
    bad = False
    for i in range(J.shape[0]):
        bad |= not abs(J[i]) < _FINITE
    return not bad


@njit(cache=True, error_model="numpy")
def _first_bad(J, a, b):
    """The first i in [a, b) with J[i] not finite."""
    for i in range(a, b):
        if not abs(J[i]) < _FINITE:
            return i
    return b


@njit(cache=True, error_model="numpy")
def _record_some(ev_id, ev_after, base, n, t_end, first, p, lo, hi, keep, spk_t, spk_id,
                 spk_pop, n_spk):
    """Append the step's events ``base`` .. ``n`` of population ``p`` (its neurons
    from ``first`` on, the step ending at ``t_end``, s) to the spike buffer: those at
    times within [``lo``, ``hi``] (s) of neurons with ``keep``."""
    for q in range(base, n):
        t_spike = t_end - ev_after[q]
        if t_spike >= lo and t_spike <= hi and keep[ev_id[q]]:
            m = n_spk[0]
            spk_t[m] = t_spike
            spk_id[m] = ev_id[q] - first
            spk_pop[m] = p
            n_spk[0] = m + 1


@njit(cache=True, error_model="numpy")
def _pes(d, z, error, coef):
    """One PES step: d (N, k) += coef · a errorᵀ, with a the top level of the
    activity sink's state ``z`` (levels, N)."""
    a = z[z.shape[0] - 1]
    for col in range(d.shape[1]):
        scale = coef * error[col]
        if scale != 0.0:
            for i in range(d.shape[0]):
                d[i, col] += scale * a[i]


@njit(cache=True, error_model="numpy")
def run_chunk(n_steps, dt, step0, spiking,
              pop_kind, pop_start, pop_stop, gain, bias, J, rate,
              v, ref, w, lif_par, pop_fused, hv, hm, hh, hn, hh_par, hh_sub,
              rate_code, rate_par, table_start, table_stop, table_j, table_r,
              inputs, input_start, input_stop,
              c_src_kind, c_src, c_dst_kind, c_dst, c_order, c_tau, dec_data, dec_lay,
              enc_data, enc_lay, st_data, st_lay, phi_data, phi_lay, gam_data, gam_lay,
              out_data, out_lay,
              p_kind, p_src, p_every, p_first, p_last, p_cols, p_col_start, p_rows,
              rec_data, rec_lay, record_spikes, spk_some, spk_lo, spk_hi, spk_keep,
              spk_t, spk_id, spk_pop, n_spk,
              models, g_start, g_slot, gst_data, gst_lay, gpar_data, gpar_lay,
              gsyn_data, gsyn_lay, g_ch_start, ch_group, ch_tau, ch_rev, ch_kind,
              ring_data, ring_lay, i_const, i_ext, noise_mean, noise_std, noise_keep,
              noise_kick, noise_state, pi_group, pi_channel, pi_mean, pi_weight,
              q_start, q_rates, s_pre_kind, s_pre, s_channel, s_ptr_off, s_syn_off,
              ptr_data, targets, weights, delays, g_record, g_max_fire, rng,
              gp_group, gp_block, gp_row, plastic, pes_conn, pes_act, pes_err,
              pes_coef, pop_slot, pop_sub, pop_floor, pst_data, pst_lay, ppar_data,
              ppar_lay):
    """Advance the network ``n_steps`` steps; see the module docstring.
    ``pop_fused[p]`` is the connection whose encoder the neuron pass of population
    ``p`` applies (``build.Model``), or −1. Probe ``q`` records at the steps that are
    multiples of ``p_every[q]`` within ``p_first[q]`` .. ``p_last[q]``, its columns
    ``p_cols[p_col_start[q]:p_col_start[q + 1]]``; population ``p``'s spikes are all
    kept, or where ``spk_some[p]``, those at times within [``spk_lo[p]``,
    ``spk_hi[p]``] (s) of neurons with ``spk_keep``. The arguments from
    ``models`` on are the neuron groups and sparse synapses
    (``sparse_build.SparseModel``), advanced by ``sparse_kernel.sparse_step`` after
    the populations in every step; ``q_rates`` (n_steps, n_poisson_groups) their
    Poisson groups' rates (Hz); ``plastic`` the arrays of their STDP
    (``sparse_build.SparseModel.plastic``). A weight probe's source is its synapse
    set, a decoder probe's its connection. PES rule ``r`` changes the decoders of
    connection ``pes_conn[r]`` by ``pes_coef[r]`` (−κ dt / N) times the outer product
    of the activities (sink ``pes_act[r]``) and the error (output ``pes_err[r]``).
    A population of a group model (``GROUP_SPIKING``: IAF, AdEx, Izhikevich, ...)
    steps its state (block ``p`` of ``pst``, parameters block ``p`` of ``ppar``) with
    the group step in ``models[pop_slot[p]]``, ``pop_sub[p]`` sub-steps per step, J
    (floored at ``pop_floor[p]``) as its input current and no synaptic channels.

    Returns ``(steps done, status, failing neuron)``; status ``SPIKES_FULL`` means
    the spike buffer needs room (grow it and call again), ``DIVERGED`` that a current
    or state went non-finite in step ``step0 + steps done``, ``GROUP_DIVERGED`` that
    a group's membrane potential did (the neuron counted over all groups).
    """
    n_pop = pop_kind.shape[0]
    n_conn = c_src_kind.shape[0]
    n_probe = p_kind.shape[0]
    in_step = np.empty(64)
    # spike events of this step, population p's from 4 * pop_start[p] on: neuron,
    # and time from the spike to the end of the step (s)
    ev_id = np.empty(4 * J.shape[0], np.int64)
    ev_after = np.empty(4 * J.shape[0])
    n_ev = np.zeros(n_pop, np.int64)
    e = np.empty(4 * J.shape[0])
    flags = np.zeros(J.shape[0], np.bool_)
    idx = np.empty(J.shape[0], np.int64)
    sv = np.empty(J.shape[0])
    sr = np.empty(J.shape[0])
    sw = np.empty(J.shape[0])
    sj = np.empty(J.shape[0])
    x = np.empty(64 if input_stop.shape[0] == 0 else max(64, input_stop[-1]))
    after = np.empty(J.shape[0])
    decay = np.empty(n_pop)
    fresh = np.ones(n_pop, np.bool_)
    x_fused = np.zeros(n_pop)  # the input of population p applied in its neuron pass
    for p in range(n_pop):
        decay[p] = math.exp(-dt / lif_par[p, 0]) if pop_kind[p] == LIF_SPIKING else 0.0
    max_fire = g_max_fire
    for p in range(n_pop):
        if record_spikes[p]:
            max_fire += 4 * (pop_stop[p] - pop_start[p])
    has_groups = g_slot.shape[0] + q_start.shape[0] > 1
    # the step's spikes of each group and Poisson group (sparse_step), and scratch
    n_grouped = g_start[g_slot.shape[0]]
    g_spiked = np.empty(n_grouped + 4 * q_start[q_start.shape[0] - 1], np.int64)
    g_after = np.empty(g_spiked.shape[0])
    g_counts = np.zeros(g_slot.shape[0] + q_start.shape[0] - 1, np.int64)
    widest = 0
    for g in range(g_slot.shape[0]):
        widest = max(widest, g_start[g + 1] - g_start[g])
    g_work = np.empty(widest)
    g_flags = np.zeros(widest, np.bool_)
    widest = 1
    for p in range(n_pop):
        if pop_kind[p] == GROUP_SPIKING:
            widest = max(widest, pop_stop[p] - pop_start[p])
    p_spiked = np.empty(widest, np.int64)
    p_after = np.empty(widest)
    p_work = np.empty(widest)
    p_flags = np.zeros(widest, np.bool_)
    no_tau = np.empty(0)
    no_kind = np.empty(0, np.int64)
    for k in range(n_steps):
        step = step0 + k + 1
        if n_spk[0] + max_fire > spk_t.shape[0]:
            return k, SPIKES_FULL, -1
        # -- currents, and inputs into their synapses ---------------------------------
        fresh[:] = True  # J of population p not yet set this step
        for c in range(n_conn):
            if c_src_kind[c] != SRC_INPUT:
                continue
            src = c_src[c]
            z = _view(st_data, st_lay, c)
            filtered = c_order[c] >= 0
            to_pop = c_dst_kind[c] == DST_POPULATION
            if to_pop:
                dst = c_dst[c]
                a, b = pop_start[dst], pop_stop[dst]
            top = z.shape[0] - 1
            for col in range(z.shape[1]):
                x[col] = z[top, col]  # start of step
            if filtered:
                _propagate(z, _row(phi_data, phi_lay, c))
                g = _row(gam_data, gam_lay, c)
                for j in range(z.shape[0]):
                    for col in range(z.shape[1]):
                        z[j, col] += g[j] * inputs[k, input_start[src] + col]
            else:
                for col in range(z.shape[1]):
                    z[0, col] = inputs[k, input_start[src] + col]
            if to_pop:  # the mean over the step
                for col in range(z.shape[1]):
                    x[col] = 0.5 * (x[col] + z[top, col]) if filtered else z[top, col]
                if pop_fused[dst] == c:
                    x_fused[dst] = x[0]
                else:
                    _encode(enc_data, enc_lay, c, x, J[a:b], bias[a:b], fresh[dst])
                    fresh[dst] = False
        for c in range(n_conn):
            if c_dst_kind[c] == DST_POPULATION and c_src_kind[c] != SRC_INPUT:
                z = _view(st_data, st_lay, c)
                dst = c_dst[c]
                a, b = pop_start[dst], pop_stop[dst]
                if pop_fused[dst] == c:
                    x_fused[dst] = z[z.shape[0] - 1, 0]
                else:
                    _encode(enc_data, enc_lay, c, z[z.shape[0] - 1], J[a:b], bias[a:b],
                            fresh[dst])
                    fresh[dst] = False
        for p in range(n_pop):
            if fresh[p] and pop_fused[p] < 0:
                for i in range(pop_start[p], pop_stop[p]):
                    J[i] = bias[i]
        # -- neurons -------------------------------------------------------------------
        for p in range(n_pop):
            kind = pop_kind[p] if spiking else RATE
            a, b = pop_start[p], pop_stop[p]
            base = 4 * a
            n = base
            if kind != LIF_SPIKING and not _finite(J[a:b]):
                return k, DIVERGED, _first_bad(J, a, b)
            if kind == LIF_SPIKING:
                tau, tau_ref, v_reset, v_min = lif_par[p]
                carry = tau_ref - dt < 700.0 * tau  # exp((ref − dt)/τ) fits a float
                c = pop_fused[p]
                enc_in = _row(enc_data, enc_lay, c) if c >= 0 else bias[a:b]
                count, finite = _lif_fast(v[a:b], ref[a:b], w[a:b], J[a:b], c >= 0,
                                          bias[a:b], enc_in, x_fused[p], dt, decay[p],
                                          v_min, carry, flags[a:b])
                if not finite:
                    return k, DIVERGED, _first_bad(J, a, b)
                if count:  # the spiking neurons' ids go straight to the event list
                    count = compact(flags[a:b], a, ev_id[base:])
                    for q in range(count):
                        i = ev_id[base + q]
                        sv[q], sr[q], sw[q], sj[q] = v[i], ref[i], w[i], J[i]
                    redo = _lif_spikes(sv, sr, sw, sj, count, dt, decay[p], tau,
                                       tau_ref, v_reset, ev_after[base:]) \
                        if carry else count
                    if redo == 0:  # one spike each: the events are complete
                        for q in range(count):
                            i = ev_id[base + q]
                            v[i], ref[i], w[i] = sv[q], sr[q], sw[q]
                        n += count
                    else:  # some need exact_step: list the events again
                        idx[:count] = ev_id[base:base + count]
                        after[:count] = ev_after[base:base + count]
                        for q in range(count):
                            i = idx[q]
                            if carry and after[q] >= 0.0:
                                v[i], ref[i], w[i] = sv[q], sr[q], sw[q]
                                ev_id[n] = i
                                ev_after[n] = after[q]
                                n += 1
                                continue
                            v[i], ref[i], fired = exact_step(
                                v[i], ref[i], J[i], dt, decay[p], tau, tau_ref, v_reset,
                                v_min, in_step)
                            w[i] = math.exp((ref[i] - dt) / tau) if carry else 1.0
                            for f in range(min(fired, 4)):
                                ev_id[n] = i
                                ev_after[n] = dt - in_step[f]
                                n += 1
            elif kind == HH_SPIKING:
                n_sub = hh_sub[p]
                sub = dt * 1e3 / n_sub  # ms
                par = hh_par[p]
                for i in range(a, b):
                    fired = 0
                    for s in range(n_sub):
                        v0 = hv[i]
                        v1, m1, h1, n1, dv0 = _step_exp_euler(v0, hm[i], hh[i], hn[i],
                                                              J[i], sub, par)
                        if not abs(v1) + abs(m1) + abs(h1) + abs(n1) < _FINITE:
                            return k, DIVERGED, i
                        if v0 < par[7] <= v1 and fired < 4:
                            dv1 = derivatives(v1, m1, h1, n1, J[i], par)[0]
                            theta = crossing_fraction(v0, dv0, v1, dv1, sub, par[7])
                            ev_id[n] = i
                            ev_after[n] = (n_sub - s - theta) * sub * 1e-3
                            n += 1
                            fired += 1
                        hv[i], hm[i], hh[i], hn[i] = v1, m1, h1, n1
            elif kind == GROUP_SPIKING:
                state = _block(pst_data, pst_lay, p)
                par = _row(ppar_data, ppar_lay, p)
                n_sub = pop_sub[p]
                sub = dt / n_sub
                room = base + 4 * (b - a)
                for i in range(a, b):
                    J[i] = max(J[i], pop_floor[p])
                no_syn = np.empty((0, b - a))  # no channels
                for s in range(n_sub):
                    count = models[pop_slot[p]](
                        state, J[a:b], no_syn, no_tau, no_tau, no_kind, sub, par,
                        p_spiked, p_after, p_work, p_flags)
                    if count < 0:
                        return k, DIVERGED, a - 1 - count
                    for q in range(min(count, room - n)):
                        ev_id[n] = a + p_spiked[q]
                        ev_after[n] = p_after[q] + (n_sub - 1 - s) * sub
                        n += 1
            else:
                _rates(rate_code[p], J[a:b], rate_par[p],
                       table_j[table_start[p]:table_stop[p]],
                       table_r[table_start[p]:table_stop[p]], rate[a:b])
            n_ev[p] = n - base
            if spiking and kind != RATE and record_spikes[p]:
                if spk_some[p]:
                    _record_some(ev_id, ev_after, base, n, step * dt, a, p, spk_lo[p],
                                 spk_hi[p], spk_keep, spk_t, spk_id, spk_pop, n_spk)
                else:
                    for q in range(base, n):
                        m = n_spk[0]
                        spk_t[m] = step * dt - ev_after[q]
                        spk_id[m] = ev_id[q] - a
                        spk_pop[m] = p
                        n_spk[0] = m + 1
        # -- neuron groups and sparse synapses -----------------------------------------
        if has_groups:
            status, bad = sparse_step(
                step, dt, rng, models, g_start, g_slot, gst_data, gst_lay, gpar_data,
                gpar_lay, gsyn_data, gsyn_lay, g_ch_start, ch_group, ch_tau, ch_rev,
                ch_kind, ring_data, ring_lay, i_const, i_ext, noise_mean, noise_std,
                noise_keep, noise_kick, noise_state, pi_group, pi_channel, pi_mean,
                pi_weight, q_start, q_rates[k], s_pre_kind, s_pre, s_channel,
                s_ptr_off, s_syn_off, ptr_data, targets, weights, delays, g_record,
                n_pop, spk_t, spk_id, spk_pop, n_spk, g_spiked, g_after, g_counts,
                g_work, g_flags, plastic)
            if status != OK:
                return k, GROUP_DIVERGED, g_start[status - 1] + bad
        # -- synapses from populations -------------------------------------------------
        for c in range(n_conn):
            kind = c_src_kind[c]
            if kind == SRC_INPUT:
                continue
            p = c_src[c]
            z = _view(st_data, st_lay, c)
            levels = z.shape[0]
            direct = c_order[c] < 0
            if direct:
                for col in range(z.shape[1]):
                    z[0, col] = 0.0
            else:
                _propagate(z, _row(phi_data, phi_lay, c))
            if spiking and pop_kind[p] != RATE:
                first = pop_start[p]
                base = 4 * first
                n = n_ev[p]
                if n == 0:
                    continue
                if direct:
                    for q in range(n):
                        e[q] = 1.0 / dt
                else:
                    _kick_weights(ev_after[base:base + n], n, c_tau[c], e)
                for j in range(levels):
                    if j > 0:
                        _next_level(ev_after[base:base + n], n, c_tau[c], j - 1, e)
                    if kind == SRC_POPULATION:
                        d = _view(dec_data, dec_lay, c)
                        for col in range(z.shape[1]):
                            z[j, col] += _weighted_sum(e, ev_id[base:base + n], n, d,
                                                       first, col)
                    else:
                        for q in range(n):
                            z[j, ev_id[base + q] - first] += e[q]
            else:
                g = _row(gam_data, gam_lay, c)
                if kind == SRC_POPULATION:
                    d = _view(dec_data, dec_lay, c)
                    for col in range(z.shape[1]):
                        u = 0.0
                        for i in range(pop_start[p], pop_stop[p]):
                            u += rate[i] * d[i - pop_start[p], col]
                        for j in range(levels):
                            z[j, col] += (1.0 if direct else g[j]) * u
                else:
                    for i in range(pop_start[p], pop_stop[p]):
                        for j in range(levels):
                            z[j, i - pop_start[p]] += (1.0 if direct else g[j]) * rate[i]
        # -- outputs -------------------------------------------------------------------
        for o in range(out_lay.shape[0]):
            out = _row(out_data, out_lay, o)
            for col in range(out.shape[0]):
                out[col] = 0.0
        for c in range(n_conn):
            if c_dst_kind[c] != DST_OUTPUT:
                continue
            z = _view(st_data, st_lay, c)
            top = z.shape[0] - 1
            enc = _view(enc_data, enc_lay, c)
            out = _row(out_data, out_lay, c_dst[c])
            for row in range(enc.shape[0]):
                acc = 0.0
                for col in range(enc.shape[1]):
                    acc += enc[row, col] * z[top, col]
                out[row] += acc
        # -- learning ------------------------------------------------------------------
        for r in range(pes_conn.shape[0]):
            _pes(_view(dec_data, dec_lay, pes_conn[r]), _view(st_data, st_lay, pes_act[r]),
                 _row(out_data, out_lay, pes_err[r]), pes_coef[r])
        # -- probes --------------------------------------------------------------------
        for q in range(n_probe):
            if p_kind[q] < 0 or step % p_every[q] != 0 or step < p_first[q] \
                    or step > p_last[q]:  # spikes: recorded above
                continue
            rec = _view(rec_data, rec_lay, q)
            row = p_rows[q]
            p_rows[q] = row + 1
            kind = p_kind[q]
            src = p_src[q]
            cols = p_cols[p_col_start[q]:p_col_start[q + 1]]
            if kind == PROBE_SINK:
                z = _view(st_data, st_lay, src)
                top = z.shape[0] - 1
                for j in range(cols.shape[0]):
                    rec[row, j] = z[top, cols[j]]
            elif kind == PROBE_OUTPUT:
                out = _row(out_data, out_lay, src)
                for j in range(cols.shape[0]):
                    rec[row, j] = out[cols[j]]
            elif kind == PROBE_DECODERS:
                first = dec_lay[src, 0]
                for j in range(cols.shape[0]):
                    rec[row, j] = dec_data[first + cols[j]]
            elif kind == PROBE_WEIGHTS:
                first = s_syn_off[src]
                for j in range(cols.shape[0]):
                    rec[row, j] = weights[first + cols[j]]
            elif kind == PROBE_GROUP:
                g = gp_group[src]
                block = _view(gst_data, gst_lay, g) if gp_block[src] == 0 else \
                    _view(gsyn_data, gsyn_lay, g)
                r = gp_row[src]
                for j in range(cols.shape[0]):
                    rec[row, j] = block[r, cols[j]]
            else:
                start = pop_start[src]
                if kind == PROBE_CURRENT:
                    for j in range(cols.shape[0]):
                        rec[row, j] = J[start + cols[j]]
                elif kind == PROBE_RATES:
                    for j in range(cols.shape[0]):
                        rec[row, j] = rate[start + cols[j]]
                elif pop_kind[src] == HH_SPIKING:
                    for j in range(cols.shape[0]):
                        rec[row, j] = hv[start + cols[j]]
                elif pop_kind[src] == GROUP_SPIKING:
                    state = _block(pst_data, pst_lay, src)
                    for j in range(cols.shape[0]):
                        rec[row, j] = state[0, cols[j]]
                else:
                    for j in range(cols.shape[0]):
                        rec[row, j] = v[start + cols[j]]
    return n_steps, DONE, -1
