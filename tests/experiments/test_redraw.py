"""``neurosim plot`` redraws the figures of the ANN experiments byte for byte (the
other experiments check this in their own test files), on small configurations."""

import pytest

from .cli import neurosim

SMALL = {
    "hopfield": ["capacity_counts=1,5,10", "capacity_trials=2"],
    "lstm-sequence": ["epochs=2", "n_train=64", "n_validation=32", "n_test=32",
                      "delay=10"],
    "mlp-digits": ["epochs=2"],
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_plot_redraws_the_run_figures_byte_for_byte(name, tmp_path):
    settings = [arg for item in SMALL[name] for arg in ("--set", item)]
    run = neurosim("run", name, *settings, "--out", "r", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    drawn = sorted((tmp_path / "r").glob("*.png"))
    assert drawn
    redraw = neurosim("plot", "r/results.h5", "--out", "again", cwd=tmp_path)
    assert redraw.returncode == 0, redraw.stderr
    assert sorted(p.name for p in (tmp_path / "again").glob("*.png")) == \
        [p.name for p in drawn]
    for png in drawn:
        assert (tmp_path / "again" / png.name).read_bytes() == png.read_bytes(), png.name
