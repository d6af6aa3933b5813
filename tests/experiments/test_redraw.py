"""``neurosim plot`` redraws the figures of the ANN experiments byte for byte, run
through the command line on small configurations (the other experiments check this
in their own test files, with ``cli.assert_redrawn_alike`` too)."""

import pytest

from .cli import assert_redrawn_alike, neurosim

SMALL = {
    "hopfield": (["capacity_counts=1,5,10", "capacity_trials=2"],
                 ["hopfield_capacity.png", "hopfield_energy.png",
                  "hopfield_recall.png"]),
    "lstm-sequence": (["epochs=2", "n_train=64", "n_validation=32", "n_test=32",
                       "delay=10"], ["lstm_sequence.png"]),
    "mlp-digits": (["epochs=2"], ["confusion.png", "learning_curves.png"]),
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_plot_redraws_the_run_figures_byte_for_byte(name, tmp_path):
    overrides, figures = SMALL[name]
    settings = [arg for item in overrides for arg in ("--set", item)]
    run = neurosim("run", name, *settings, "--out", "r", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert_redrawn_alike(tmp_path / "r", figures, tmp_path)
