"""What the synaptic channels of a neuron group (``synapses.models``) put into the
membrane equation at a time s (s) into a step, shared by the AdEx, Izhikevich and
adaptive IAF group steps.

A channel k holds x_k at the step's start and decays as x_k e^(−s/τ_k) within it:
a current channel adds x_k, a conductance channel x_k (E_k − V); delta channels
(a jump of V by x_k at the step's start) are not part of the equation. With
``decays(syn_tau, s, d)`` filling d_k = e^(−s/τ_k), ``channel_sums`` gives

    (Σ_current x_k d_k,  Σ_conductance x_k d_k,  Σ_conductance x_k d_k E_k)

so the synaptic input at V is cur + ge − g V (in the model's units).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..synapses.models import CONDUCTANCE, DELTA


@njit(cache=True, error_model="numpy")
def decays(syn_tau, s, out):
    """out[k] = e^(−s/τ_k) (s and τ_k in s)."""
    for k in range(syn_tau.shape[0]):
        out[k] = math.exp(-s / syn_tau[k])


@njit(inline="always", cache=True, error_model="numpy")
def channel_sums(syn, syn_rev, syn_kind, i, d):
    """(cur, g, ge) of neuron i with channel decay factors ``d`` (module docstring)."""
    cur = 0.0
    g = 0.0
    ge = 0.0
    for k in range(syn.shape[0]):
        kind = syn_kind[k]
        if kind == DELTA:
            continue
        x = syn[k, i] * d[k]
        if kind == CONDUCTANCE:
            g += x
            ge += x * syn_rev[k]
        else:
            cur += x
    return cur, g, ge


@njit(cache=True, error_model="numpy")
def step_decays(syn_tau, dt):
    """(3, n_channels): e^(−s/τ_k) at s = 0, dt/2 and dt, the RK4 stages' times."""
    d = np.empty((3, syn_tau.shape[0]))
    decays(syn_tau, 0.0, d[0])
    decays(syn_tau, 0.5 * dt, d[1])
    decays(syn_tau, dt, d[2])
    return d


@njit(inline="always", cache=True, error_model="numpy")
def stage_inputs(syn, syn_rev, syn_kind, i, d):
    """Neuron i's ``channel_sums`` at the step's start, middle and end (``d`` from
    ``step_decays``)."""
    return (channel_sums(syn, syn_rev, syn_kind, i, d[0]),
            channel_sums(syn, syn_rev, syn_kind, i, d[1]),
            channel_sums(syn, syn_rev, syn_kind, i, d[2]))


@njit(inline="always", cache=True, error_model="numpy")
def delta_jump(syn, syn_kind, i):
    """Σ of neuron i's delta channels (mV)."""
    jump = 0.0
    for k in range(syn.shape[0]):
        if syn_kind[k] == DELTA:
            jump += syn[k, i]
    return jump


@njit(cache=True, error_model="numpy")
def decay_channels(syn, syn_tau, syn_kind, dt):
    """Every channel decayed over the step; delta channels consumed (0)."""
    for k in range(syn.shape[0]):
        keep = 0.0 if syn_kind[k] == DELTA else math.exp(-dt / syn_tau[k])
        row = syn[k]
        for i in range(row.shape[0]):
            row[i] *= keep


def decays_numpy(syn_tau, s):
    """Numpy twin of ``decays`` (a new array)."""
    return np.array([math.exp(-s / tk) for tk in syn_tau])


def channel_sums_numpy(x, syn_rev, syn_kind, d):
    """Numpy twin of ``channel_sums`` for channels ``x`` (n_ch,) or (n_ch, n), in the
    kernel's order."""
    cur = g = ge = np.zeros(x.shape[1:])
    for k in range(x.shape[0]):
        if syn_kind[k] == DELTA:
            continue
        xk = x[k] * d[k]
        if syn_kind[k] == CONDUCTANCE:
            g = g + xk
            ge = ge + xk * syn_rev[k]
        else:
            cur = cur + xk
    return cur, g, ge


def delta_jump_numpy(x, syn_kind):
    """Numpy twin of ``delta_jump`` for channels ``x`` (n_ch,) or (n_ch, n)."""
    jump = np.zeros(x.shape[1:])
    for k in range(x.shape[0]):
        if syn_kind[k] == DELTA:
            jump = jump + x[k]
    return jump


def decay_channels_numpy(syn, syn_tau, syn_kind, dt):
    """Numpy twin of ``decay_channels`` (in place)."""
    for k in range(syn.shape[0]):
        syn[k] *= 0.0 if syn_kind[k] == DELTA else math.exp(-dt / syn_tau[k])
