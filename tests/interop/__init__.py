"""Results files opened by other tools: SONATA readers, NWB, Neo/Elephant.

Each test needs an optional package (extras ``[interop]``, ``[nwb]``, ``[neo]``)
and is skipped, with the install command as the reason, when it is missing.
"""

from neurosim import runner


def run_hh_spike_train(folder):
    """Run the ``hh-spike-train`` experiment (defaults, no figures) into ``folder``;
    returns the path of its results file."""
    return runner.run("hh-spike-train", out=folder, make_plots=False) / "results.h5"
