"""Independent neurons of a group model (``IAF``, ``AdEx``, ``Izhikevich``,
``EquationNeuron``, ...) driven by an input current, without a network: the
compiled loop ``simulate`` runs for them, calling the model's own group step
(``GROUP_STEP_SIGNATURE``) once per step with no synaptic channels.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.core.typing.typeof import typeof_impl

from .base import GROUP_STEP_SIGNATURE


class CompiledStep:
    """A compiled group step by its address (numba's wrapper-address protocol),
    typed as a first-class function of ``GROUP_STEP_SIGNATURE``."""

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher  # keeps the compiled code alive
        result = dispatcher.get_compile_result(GROUP_STEP_SIGNATURE)
        self.address = result.library.get_pointer_to_function(
            result.fndesc.llvm_cfunc_wrapper_name)

    def __wrapper_address__(self):
        return self.address


_STEP_TYPE = types.FunctionType(GROUP_STEP_SIGNATURE)


@typeof_impl.register(CompiledStep)
def _typeof_compiled_step(value, context):
    return _STEP_TYPE


@njit(cache=True, error_model="numpy")
def drive(step, state, table, stride, dt, n_steps, par, rec_rows, record_every, rec,
          spike_t, counts):
    """Run ``n_steps`` steps of ``dt`` s of ``step`` on ``state`` (n_state, n), the
    input of step k being ``table[k * stride]`` (n,). Records the state rows
    ``rec_rows`` every ``record_every`` steps into ``rec`` (rows, T, n) from index 1;
    spike times (s) into ``spike_t`` (n, capacity), counting all in ``counts``.
    Returns (step, neuron) of the first non-finite state, or (−1, −1)."""
    n = state.shape[1]
    syn = np.zeros((0, n))
    syn_tau = np.zeros(0)
    syn_kind = np.zeros(0, np.int64)
    spiked = np.zeros(n, np.int64)
    after = np.zeros(n)
    work = np.zeros(n)
    flags = np.zeros(n, np.bool_)
    i_ext = np.empty(n)
    for k in range(n_steps):
        i_ext[:] = table[k * stride]
        fired = step(state, i_ext, syn, syn_tau, syn_tau, syn_kind, dt, par, spiked,
                     after, work, flags)
        if fired < 0:
            return k, -1 - fired
        t_end = (k + 1) * dt
        for q in range(fired):
            i = spiked[q]
            if counts[i] < spike_t.shape[1]:
                spike_t[i, counts[i]] = t_end - after[q]
            counts[i] += 1
        if (k + 1) % record_every == 0:
            r = (k + 1) // record_every
            for a in range(rec_rows.size):
                rec[a, r] = state[rec_rows[a]]
    return -1, -1
