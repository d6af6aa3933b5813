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
probes read the states at t_k.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..neurons.hh import derivatives
from ..neurons.hh_kernels import _step_exp_euler, crossing_fraction
from ..neurons.lif import exact_step
from ..vecmath import vexp

# population kinds
LIF_SPIKING, HH_SPIKING, RATE = 0, 1, 2
# rate activations
ACT_LIF, ACT_RELU, ACT_SIGMOID, ACT_TANH, ACT_ARCTAN, ACT_SOFTPLUS, ACT_THRESHOLD, \
    ACT_TABLE = range(8)
# connection sources and destinations
SRC_INPUT, SRC_POPULATION, SRC_POPULATION_FULL = 0, 1, 2
DST_POPULATION, DST_OUTPUT, DST_SINK = 0, 1, 2
# probe kinds (spike probes are -1: their spikes go to the event buffer)
PROBE_SPIKES = -1
PROBE_SINK, PROBE_VOLTAGE, PROBE_CURRENT, PROBE_RATES, PROBE_OUTPUT = range(5)
# results
RUNNING, DONE, SPIKES_FULL, DIVERGED = 0, 1, 2, 3
_FINITE = 1e300


@njit(cache=True, error_model="numpy")
def _rates(code, J, par, table_j, table_r, rate):
    """rate = the population's rate curve at J (Hz), in place; ``par`` holds the
    amplitude and, for LIF, tau_rc, tau_ref and v_reset. One loop per kind, so no
    call or branch on the kind per neuron."""
    n = J.shape[0]
    amplitude = par[0]
    if code == ACT_LIF:
        tau, tau_ref, top = par[1], par[2], 1.0 - par[3]
        for i in range(n):
            rate[i] = 1.0 / (tau_ref + tau * math.log1p(top / (J[i] - 1.0))) \
                if J[i] > 1.0 else 0.0
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
def _encode(enc_t, z, weight, J):
    """J += weight * enc_tᵀ @ (output of the synapse state z); ``enc_t`` is (d, M)
    and ``J`` the destination population's slice."""
    top = z.shape[0] - 1
    for col in range(enc_t.shape[0]):
        w = weight * z[top, col]
        if w != 0.0:
            row = enc_t[col]
            for i in range(J.shape[0]):
                J[i] += row[i] * w


@njit(cache=True, error_model="numpy")
def _lif_fast(v, ref, J, dt, decay, tau, v_min, v_old, ref_old, flags):
    """Advance a LIF population one step assuming no neuron spikes, and flag those
    that do (their exact update is redone by ``exact_step``). Branch-free, indexed
    from 0, alone in its function: it vectorises. Returns the OR of the flags."""
    any_flag = 0
    for i in range(v.shape[0]):
        vi = v[i]
        ri = ref[i]
        drive = J[i]
        v_old[i] = vi
        ref_old[i] = ri
        span = dt - min(ri, dt)
        factor = decay if span == dt else vexp(-span / tau)
        v_end = drive + (vi - drive) * factor
        flag = 1 if (v_end > 1.0) or (vi >= 1.0) else 0
        v[i] = max(v_end, v_min)
        ref[i] = max(ri - dt, 0.0)
        flags[i] = flag
        any_flag |= flag
    return any_flag


@njit(cache=True, error_model="numpy", inline="always")
def _kick(before_end, tau, levels, out):
    """h_j(before_end) for j < levels: the cascade's response to a unit impulse."""
    x = before_end / tau
    e = vexp(-x) / tau
    term = 1.0
    for j in range(levels):
        out[j] = term * e
        term *= x / (j + 1)


@njit(cache=True, error_model="numpy")
def run_chunk(n_steps, dt, step0, spiking,
              pop_kind, pop_start, pop_stop, gain, bias, J, rate,
              v, ref, lif_par, hv, hm, hh, hn, hh_par, hh_sub,
              rate_code, rate_par, table_start, table_stop, table_j, table_r,
              inputs, input_start, input_stop,
              c_src_kind, c_src, c_dst_kind, c_dst, c_order, c_tau, decs, encs,
              states, phis, gammas, outputs,
              p_kind, p_src, p_every, p_rows, records,
              record_spikes, spk_t, spk_id, spk_pop, n_spk):
    """Advance the network ``n_steps`` steps; see the module docstring.

    Returns ``(steps done, status, failing neuron)``; status ``SPIKES_FULL`` means
    the spike buffer needs room (grow it and call again), ``DIVERGED`` that a current
    or state went non-finite in step ``step0 + steps done``.
    """
    n_pop = pop_kind.shape[0]
    n_conn = c_src_kind.shape[0]
    n_probe = p_kind.shape[0]
    kicks = np.empty(16)
    in_step = np.empty(64)
    fired_n = np.zeros(J.shape[0], np.int64)
    fired_at = np.empty((J.shape[0], 4))
    fired_list = np.empty(J.shape[0], np.int64)  # per population, from pop_start
    n_fired = np.zeros(pop_kind.shape[0], np.int64)
    v_old = np.empty(J.shape[0])
    ref_old = np.empty(J.shape[0])
    flags = np.zeros(J.shape[0], np.int64)
    decay = np.empty(n_pop)
    for p in range(n_pop):
        decay[p] = math.exp(-dt / lif_par[p, 0]) if pop_kind[p] == LIF_SPIKING else 0.0
    max_fire = 0
    for p in range(n_pop):
        if record_spikes[p]:
            max_fire += 4 * (pop_stop[p] - pop_start[p])
    for k in range(n_steps):
        step = step0 + k + 1
        if n_spk[0] + max_fire > spk_t.shape[0]:
            return k, SPIKES_FULL, -1
        # -- currents, and inputs into their synapses ---------------------------------
        for i in range(J.shape[0]):
            J[i] = bias[i]
        for c in range(n_conn):
            if c_src_kind[c] != SRC_INPUT:
                continue
            src = c_src[c]
            z = states[c]
            filtered = c_order[c] >= 0
            to_pop = c_dst_kind[c] == DST_POPULATION
            if to_pop:
                J_dst = J[pop_start[c_dst[c]]:pop_stop[c_dst[c]]]
            if filtered and to_pop:
                _encode(encs[c], z, 0.5, J_dst)  # start of step
            if filtered:
                _propagate(z, phis[c])
                g = gammas[c]
                for j in range(z.shape[0]):
                    for col in range(z.shape[1]):
                        z[j, col] += g[j] * inputs[k, input_start[src] + col]
            else:
                for col in range(z.shape[1]):
                    z[0, col] = inputs[k, input_start[src] + col]
            if to_pop:  # end of step: the mean over the step
                _encode(encs[c], z, 0.5 if filtered else 1.0, J_dst)
        for c in range(n_conn):
            if c_dst_kind[c] == DST_POPULATION and c_src_kind[c] != SRC_INPUT:
                _encode(encs[c], states[c], 1.0,
                        J[pop_start[c_dst[c]]:pop_stop[c_dst[c]]])
        for i in range(J.shape[0]):
            if not abs(J[i]) < _FINITE:
                return k, DIVERGED, i
        # -- neurons -------------------------------------------------------------------
        for p in range(n_pop):
            kind = pop_kind[p] if spiking else RATE
            n_fired[p] = 0
            if kind == LIF_SPIKING:
                a, b = pop_start[p], pop_stop[p]
                if _lif_fast(v[a:b], ref[a:b], J[a:b], dt, decay[p], lif_par[p, 0],
                             lif_par[p, 3], v_old[a:b], ref_old[a:b], flags[a:b]):
                    for i in range(a, b):
                        if flags[i] == 0:
                            continue
                        v[i], ref[i], fired = exact_step(
                            v_old[i], ref_old[i], J[i], dt, decay[p], lif_par[p, 0],
                            lif_par[p, 1], lif_par[p, 2], lif_par[p, 3], in_step)
                        fired = min(fired, 4)
                        fired_n[i] = fired
                        if fired > 0:
                            fired_list[a + n_fired[p]] = i
                            n_fired[p] += 1
                        for f in range(fired):
                            fired_at[i, f] = dt - in_step[f]
            elif kind == HH_SPIKING:
                n_sub = hh_sub[p]
                sub = dt * 1e3 / n_sub  # ms
                par = hh_par[p]
                for i in range(pop_start[p], pop_stop[p]):
                    fired_n[i] = 0
                    for s in range(n_sub):
                        v0 = hv[i]
                        v1, m1, h1, n1, dv0 = _step_exp_euler(v0, hm[i], hh[i], hn[i],
                                                              J[i], sub, par)
                        if not abs(v1) + abs(m1) + abs(h1) + abs(n1) < _FINITE:
                            return k, DIVERGED, i
                        if v0 < par[7] <= v1 and fired_n[i] < 4:
                            dv1 = derivatives(v1, m1, h1, n1, J[i], par)[0]
                            theta = crossing_fraction(v0, dv0, v1, dv1, sub, par[7])
                            fired_at[i, fired_n[i]] = (n_sub - s - theta) * sub * 1e-3
                            fired_n[i] += 1
                        hv[i], hm[i], hh[i], hn[i] = v1, m1, h1, n1
                    if fired_n[i] > 0:
                        fired_list[pop_start[p] + n_fired[p]] = i
                        n_fired[p] += 1
            else:
                a, b = pop_start[p], pop_stop[p]
                _rates(rate_code[p], J[a:b], rate_par[p],
                       table_j[table_start[p]:table_stop[p]],
                       table_r[table_start[p]:table_stop[p]], rate[a:b])
            if spiking and kind != RATE and record_spikes[p]:
                for q in range(pop_start[p], pop_start[p] + n_fired[p]):
                    i = fired_list[q]
                    for f in range(fired_n[i]):
                        n = n_spk[0]
                        spk_t[n] = step * dt - fired_at[i, f]
                        spk_id[n] = i - pop_start[p]
                        spk_pop[n] = p
                        n_spk[0] = n + 1
        # -- synapses from populations -------------------------------------------------
        for c in range(n_conn):
            kind = c_src_kind[c]
            if kind == SRC_INPUT:
                continue
            p = c_src[c]
            z = states[c]
            levels = z.shape[0]
            direct = c_order[c] < 0
            if direct:
                for col in range(z.shape[1]):
                    z[0, col] = 0.0
            else:
                _propagate(z, phis[c])
            if spiking and pop_kind[p] != RATE:
                d = decs[c]
                tau = c_tau[c]
                first = pop_start[p]
                width = z.shape[1]
                for q in range(first, first + n_fired[p]):
                    i = fired_list[q]
                    for f in range(fired_n[i]):
                        if direct:
                            kicks[0] = 1.0 / dt
                        else:
                            _kick(fired_at[i, f], tau, levels, kicks)
                        if kind == SRC_POPULATION:
                            for j in range(levels):
                                for col in range(width):
                                    z[j, col] += kicks[j] * d[i - first, col]
                        else:
                            for j in range(levels):
                                z[j, i - first] += kicks[j]
            else:
                g = gammas[c]
                if kind == SRC_POPULATION:
                    d = decs[c]
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
        for o in range(len(outputs)):
            out = outputs[o]
            for col in range(out.shape[0]):
                out[col] = 0.0
        for c in range(n_conn):
            if c_dst_kind[c] != DST_OUTPUT:
                continue
            z = states[c]
            top = z.shape[0] - 1
            enc = encs[c]
            out = outputs[c_dst[c]]
            for row in range(enc.shape[0]):
                acc = 0.0
                for col in range(enc.shape[1]):
                    acc += enc[row, col] * z[top, col]
                out[row] += acc
        # -- probes --------------------------------------------------------------------
        for q in range(n_probe):
            if p_kind[q] < 0 or step % p_every[q] != 0:  # spikes: recorded above
                continue
            rec = records[q]
            row = p_rows[q]
            p_rows[q] = row + 1
            kind = p_kind[q]
            src = p_src[q]
            if kind == PROBE_SINK:
                z = states[src]
                top = z.shape[0] - 1
                for col in range(z.shape[1]):
                    rec[row, col] = z[top, col]
            elif kind == PROBE_OUTPUT:
                out = outputs[src]
                for col in range(out.shape[0]):
                    rec[row, col] = out[col]
            else:
                start = pop_start[src]
                for i in range(start, pop_stop[src]):
                    if kind == PROBE_CURRENT:
                        rec[row, i - start] = J[i]
                    elif kind == PROBE_RATES:
                        rec[row, i - start] = rate[i]
                    elif pop_kind[src] == HH_SPIKING:
                        rec[row, i - start] = hv[i]
                    else:
                        rec[row, i - start] = v[i]
    return n_steps, DONE, -1
