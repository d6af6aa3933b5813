"""CUBA (Vogels & Abbott 2005, Brian2's examples/CUBA.py): 4000 current-based LIF
neurons, 3200 excitatory and 800 inhibitory, connected at random (p = 0.02), 1 s at
dt = 0.1 ms: neurosim vs Brian2 (when installed, ``[bench]``) on the same network in
the same run — Brian2's runtime mode (Cython code generation, else numpy) and its
C++ standalone mode (when a C++ compiler exists).

    τ_m dv/dt = ge + gi − (v − E_l)   (unless refractory);  τ_e, τ_i: ge, gi decay
    τ_m = 20 ms, τ_e = 5 ms, τ_i = 10 ms, V_t = −50 mV, V_r = −60 mV, E_l = −49 mV,
    refractory 5 ms, w_e = 1.62 mV, w_i = −9 mV, v(0) uniform in [V_r, V_t)

neurosim runs it as ``IAF`` groups with ``PSC`` channels (R = 1 MΩ, so a current in
nA is the voltage it drives in mV). Prints, per simulator, the build and run seconds
(``spiking.py`` says what each includes), the synapse count, the mean firing rate,
the mean ISI CV (neurons with >= 3 spikes), the speed ratios and how far the rate
(goal: 10 %) and the CV (goal: 0.1) are from Brian2's. Both simulators are built
first and then take turns run by run, so that a slow spell of the machine falls on
all; the fastest of ``--repeats`` runs counts, the statistics are the first run's
(means over ``--seeds`` networks). Larger networks keep 80 synapses per neuron (p =
80 / N) and the same weights.

    python benchmarks/cuba.py [--neurons 4000] [--repeats 3] [--seeds 1] [--no-cpp]
    python benchmarks/cuba.py --memory --neurons 4000 16000 64000 100000

``--memory`` runs each (simulator, N) in a process of its own and adds the peak
resident memory.
"""

from __future__ import annotations

import spiking
import neurosim as ns

TAU_M, TAU_E, TAU_I = 20.0, 5.0, 10.0  # ms
V_T, V_R, E_L = -50.0, -60.0, -49.0  # mV
REFRACTORY = 5.0  # ms
W_E, W_I = 60 * 0.27 / 10, -20 * 4.5 / 10  # mV: 1.62, -9.0


def ours(net, n, p):
    lif = ns.IAF(V_rest=E_L, V_th=V_T, V_reset=V_R, tau_m=TAU_M, tau_ref=REFRACTORY)
    channels = {"ge": ns.PSC(TAU_E * 1e-3), "gi": ns.PSC(TAU_I * 1e-3)}
    n_e = n * 4 // 5
    E = net.group(n_e, lif, label="E", channels=dict(channels),
                  initial={"v": ns.Uniform(V_R, V_T)})
    I = net.group(n - n_e, lif, label="I", channels=dict(channels),
                  initial={"v": ns.Uniform(V_R, V_T)})
    for pre, channel, w in ((E, "ge", W_E), (I, "gi", W_I)):
        for post in (E, I):
            net.synapses(pre, post, p=p, weight=w, synapse=channel)
    return [E, I]


def theirs(b2, n, p):
    mV, ms = b2.mV, b2.ms
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    namespace = {"taum": TAU_M * ms, "taue": TAU_E * ms, "taui": TAU_I * ms,
                 "Vt": V_T * mV, "Vr": V_R * mV, "El": E_L * mV,
                 "we": W_E * mV, "wi": W_I * mV, "n_e": n * 4 // 5, "p": p}
    P = b2.NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr",
                       refractory=REFRACTORY * ms, method="exact", namespace=namespace)
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    # n_e and p from the namespace: the same code (and Cython cache) for every N
    Ce = b2.Synapses(P, P, on_pre="ge += we", namespace=namespace)
    Ci = b2.Synapses(P, P, on_pre="gi += wi", namespace=namespace)
    Ce.connect("i<n_e", p="p")
    Ci.connect("i>=n_e", p="p")
    monitor = b2.SpikeMonitor(P)
    return [P, Ce, Ci, monitor], monitor, [Ce, Ci]


MODEL = spiking.Model("cuba", ours, theirs)

if __name__ == "__main__":
    spiking.main(MODEL, __doc__)
