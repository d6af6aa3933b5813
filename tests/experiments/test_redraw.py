"""``neurosim plot`` redraws the figures of the ANN experiments byte for byte, run
on small configurations (the other experiments check this in their own test files,
with ``cli.assert_redrawn_alike`` too). The run is ``runner.run`` in this process,
with the overrides ``--set`` gives it (the command's own run is checked by
``tests/test_cli.py``); the redraw is ``neurosim plot`` in a new process."""

import pytest

from neurosim import runner

from .cli import assert_redrawn_alike

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
    settings = dict(item.split("=", 1) for item in overrides)
    folder = runner.run(name, settings, out=tmp_path / "r")
    assert folder == tmp_path / "r"
    assert_redrawn_alike(folder, figures, tmp_path)
