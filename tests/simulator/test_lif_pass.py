"""The network kernel's LIF step — ``_lif_fast`` for all, then ``_lif_spikes`` for
the gathered spiking neurons — against ``exact_step``, one neuron at a time."""

import math

import numpy as np

from neurosim.neurons.lif import exact_step
from neurosim.simulator import kernel as K
from neurosim.compaction import compact

DT, TAU, TAU_REF, V_RESET = 1e-3, 0.02, 0.002, 0.0


def random_states(n, seed):
    """v in [0, 1), 40 % refractory (some leaving within the step), J in [0, 6)."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.0, 1.0, n)
    ref = np.where(rng.random(n) < 0.4, rng.uniform(0.0, TAU_REF, n), 0.0)
    v[ref > 0] = V_RESET
    w = np.where(ref > 0, np.exp((ref - DT) / TAU), 1.0)  # the carried factor
    return v, ref, w, rng.uniform(0.0, 6.0, n)


def test_two_passes_step_like_exact_step():
    v, ref, w, J = random_states(20000, 0)
    v0, ref0 = v.copy(), ref.copy()
    decay = math.exp(-DT / TAU)
    flags = np.zeros(v.size, np.bool_)
    K._lif_fast(v, ref, w, J, False, J, J, 0.0, DT, decay, -np.inf, True, flags)
    ids = np.empty(v.size, np.int64)
    count = compact(flags, 0, ids)
    ids = ids[:count]
    sv, sr, sw, sj = v[ids].copy(), ref[ids].copy(), w[ids].copy(), J[ids].copy()
    after = np.empty(count)
    redo = K._lif_spikes(sv, sr, sw, sj, count, DT, decay, TAU, TAU_REF, V_RESET,
                         after)
    assert count > 1000 and redo == 0  # tau_ref > dt: one spike at most, all exact
    v[ids], ref[ids], w[ids] = sv, sr, sw
    spike_at = np.full(v.size, np.nan)
    spike_at[ids] = DT - after
    times = np.empty(4)
    for i in range(v.size):
        v_ref, ref_ref, fired = exact_step(v0[i], ref0[i], J[i], DT, decay, TAU, TAU_REF,
                                           V_RESET, -np.inf, times)
        assert fired == (1 if flags[i] else 0)
        assert abs(v[i] - v_ref) <= 1e-12 and abs(ref[i] - ref_ref) <= 1e-15
        if fired:
            assert abs(spike_at[i] - times[0]) <= 1e-15
    # w stays exp(−(dt − ref)/τ) wherever the neuron is refractory
    refractory = ref > 0
    np.testing.assert_allclose(w[refractory], np.exp((ref[refractory] - DT) / TAU),
                               rtol=1e-12)
