"""Every experiment checks its configuration before it writes anything: a bad
setting exits with status 2 and a message naming it, and leaves the folder empty.
The command runs in this process (``neurosim_in_process``): a refusal does no work,
so a new interpreter per experiment only added its 2-3 s start."""

import pytest

from .cli import neurosim_in_process

REFUSALS = [
    ("communication-channel", "raster_window=1.0,0.5",
     "raster_window must have start < stop"),
    ("decoders", "n_test_points=0", "n_test_points must be >= 1"),
    ("hh-fi-curve", "I_max=-1.0", "I_max must be above I_min"),
    ("hh-spike-train", "onset=0.2", "onset must be before t_stop"),
    ("hopfield", "capacity_counts=[0, 5]",
     "capacity_counts must be a non-empty list of integers >= 1"),
    ("integrator", "example_n_neurons=500", "example_n_neurons must be one of n_neurons"),
    ("lif-rate-curve", "J_max=0.5", "J_max must be above the threshold 1"),
    ("lif-spike-train", "methods=euler,rk45", "methods must include 'exact'"),
    ("mlp-digits", "activation=sine", "activation must be one of"),
    ("network", "t_stop=0.0005", "t_stop must be a whole number of steps of dt"),
    ("oscillator", "kick=20.0", "outside the radius"),
    ("product", "radius=0.0", "radius must be > 0"),
    ("psc-shapes", "train_n=[0, 1]", "train_tau and train_n must pair up"),
    ("spiking-vs-rate", "example_index=360", "example_index must be in [0, 359)"),
    ("transformations", "max_rates=100.0", "max_rates must be a list [low, high]"),
    ("tuning-curves", "n_points=2", "n_points must be >= 3"),
    ("xor-perceptron", "gates=and,xnor", "gates must name gates"),
]


@pytest.mark.parametrize("experiment, setting, message", REFUSALS,
                         ids=[row[0] for row in REFUSALS])
def test_bad_config_is_refused_before_anything_is_written(experiment, setting, message,
                                                          tmp_path, capsys):
    out = neurosim_in_process("run", experiment, "--set", setting, "--out", "r",
                              cwd=tmp_path, capsys=capsys)
    assert out.returncode == 2
    assert message in out.stderr
    assert not any(tmp_path.iterdir())
