"""COBAHH (Brette et al. 2007, benchmark 3; Brian2's examples/COBAHH.py): 4000
Hodgkin–Huxley neurons with Traub–Miles kinetics and conductance-based synapses,
3200 excitatory and 800 inhibitory, connected at random (p = 0.02), 1 s at
dt = 0.1 ms with exponential Euler: neurosim vs Brian2 (when installed, ``[bench]``)
on the same network in the same run — Brian2's runtime mode (Cython code
generation, else numpy) and its C++ standalone mode (when a C++ compiler exists).

    C dv/dt = g_l (E_l − v) + ge (E_e − v) + gi (E_i − v) − g_Na m³h (v − E_Na)
              − g_K n⁴ (v − E_K);   τ_e, τ_i: ge, gi decay
    membrane 20 000 µm²: C = 200 pF, g_l = 10 nS, g_Na = 20 µS, g_K = 6 µS,
    E_l = −60, E_K = −90, E_Na = 50, V_T = −63, E_e = 0, E_i = −80 mV,
    τ_e = 5 ms, τ_i = 10 ms, w_e = 6 nS, w_i = 67 nS, spike: v > −20 mV,
    refractory 3 ms (a spike is not counted twice; v is not held)
    v(0) ~ N(−65, 5) mV, ge(0) ~ N(40, 15) nS, gi(0) ~ N(200, 120) nS

neurosim runs it as ``TraubMiles`` groups (its defaults are these parameters) with
``Conductance`` channels, whose gates start at their steady state at E_l; Brian2's
gates are set to the same values (its example leaves them at 0). Prints, per
simulator, the build and run seconds (``spiking.py`` says what each includes), the
synapse count, the mean firing rate, the mean ISI CV (neurons with >= 3 spikes), the
speed ratios and how far the rate (goal: 10 %) and the CV (goal: 0.1) are from
Brian2's. Both simulators are built first and then take turns run by run, so that a
slow spell of the machine falls on all; the fastest of ``--repeats`` runs counts,
the statistics are the first run's (means over ``--seeds`` networks). Larger
networks keep 80 synapses per neuron (p = 80 / N) and the same weights.

    python benchmarks/cobahh.py [--neurons 4000] [--repeats 3] [--seeds 1] [--no-cpp]
    python benchmarks/cobahh.py --memory --neurons 4000 16000

``--memory`` runs each (simulator, N) in a process of its own and adds the peak
resident memory.
"""

from __future__ import annotations

import spiking
import neurosim as ns

TAU_E, TAU_I = 5.0, 10.0  # ms
E_E, E_I = 0.0, -80.0  # mV
W_E, W_I = 6.0, 67.0  # nS


def ours(net, n, p):
    hh = ns.TraubMiles()
    channels = {"ge": ns.Conductance(TAU_E * 1e-3, E_E),
                "gi": ns.Conductance(TAU_I * 1e-3, E_I)}
    initial = {"v": ns.Gaussian(-65.0, 5.0), "ge": ns.Gaussian(40.0, 15.0),
               "gi": ns.Gaussian(200.0, 120.0)}
    n_e = n * 4 // 5
    E = net.group(n_e, hh, label="E", channels=dict(channels), initial=dict(initial))
    I = net.group(n - n_e, hh, label="I", channels=dict(channels),
                  initial=dict(initial))
    for pre, channel, w in ((E, "ge", W_E), (I, "gi", W_I)):
        for post in (E, I):
            net.synapses(pre, post, p=p, weight=w, synapse=channel)
    return [E, I]


def theirs(b2, size, p):
    # not "n": Brian2 also looks names up among its callers' locals, and n is a gate
    um, cm, mV, ms, nS = b2.umetre, b2.cmetre, b2.mV, b2.ms, b2.nS
    area = 20000 * um ** 2
    namespace = {
        "Cm": 1 * b2.ufarad * cm ** -2 * area,
        "gl": 5e-5 * b2.siemens * cm ** -2 * area,
        "El": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV,
        "g_na": 100 * b2.msiemens * cm ** -2 * area,
        "g_kd": 30 * b2.msiemens * cm ** -2 * area, "VT": -63 * mV,
        "taue": TAU_E * ms, "taui": TAU_I * ms, "Ee": E_E * mV, "Ei": E_I * mV,
        "we": W_E * nS, "wi": W_I * nS, "n_e": size * 4 // 5, "p": p}
    eqs = """
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    """
    P = b2.NeuronGroup(size, model=eqs, threshold="v>-20*mV", refractory=3 * ms,
                       method="exponential_euler", namespace=namespace)
    P.v = "El"  # gates at their steady state at E_l, as neurosim starts them
    P.m = "alpha_m/(alpha_m+beta_m)"
    P.h = "alpha_h/(alpha_h+beta_h)"
    P.n = "alpha_n/(alpha_n+beta_n)"
    P.v = "El + (randn() * 5 - 5)*mV"
    P.ge = "(randn() * 1.5 + 4) * 10.*nS"
    P.gi = "(randn() * 12 + 20) * 10.*nS"
    # n_e and p from the namespace: the same code (and Cython cache) for every N
    Ce = b2.Synapses(P, P, on_pre="ge+=we", namespace=namespace)
    Ci = b2.Synapses(P, P, on_pre="gi+=wi", namespace=namespace)
    Ce.connect("i<n_e", p="p")
    Ci.connect("i>=n_e", p="p")
    monitor = b2.SpikeMonitor(P)
    return [P, Ce, Ci, monitor], monitor, [Ce, Ci]


MODEL = spiking.Model("cobahh", ours, theirs)

if __name__ == "__main__":
    spiking.main(MODEL, __doc__)
