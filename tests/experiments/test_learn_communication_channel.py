"""The learn-communication-channel experiment run from the command line: PES from
zero decoders reaches the least-squares channel's error within 2× in 30 s for x
and x², its metrics recomputed from the saved traces and decoders, and the figure
redrawn from the file.

Measured at the defaults (30 s, κ = 1e-3, 100 neurons): seed 0 gives 1.01× (x) and
1.29× (x²) the least-squares RMSE over the last second."""

import h5py
import numpy as np
import pytest

from .cli import assert_redrawn_alike, neurosim


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("learn")
    out = neurosim("run", "learn-communication-channel", "--out", "run", cwd=cwd)
    assert out.returncode == 0, out.stderr
    return cwd / "run"


def test_learned_channels_reach_twice_the_least_squares_error(folder):
    with h5py.File(folder / "results.h5", "r") as f:
        a = f["analysis"]
        m = dict(a["metrics"].attrs)
        for k in ("x", "x2"):
            assert m[f"ratio_{k}"] <= 2.0
            assert m[f"rmse_first_{k}"] > 2 * m[f"rmse_solved_{k}"]  # it learned
            g = a[f"learning/{k}"]
            t = g["t"][()]
            last = t > 29.0 + 1e-9
            for which in ("learned", "solved"):
                rmse = np.sqrt(np.mean((g[which][()] - g["target"][()])[last] ** 2))
                assert np.isclose(rmse, m[f"rmse_{which}_{k}"], rtol=1e-12)
            assert g["rmse_learned"].shape == (30,)
            decoders = a[f"connections/A_to_B_{k}"]
            over_time = decoders["decoders_over_time"][()]
            assert over_time.shape == (30, 100, 1)
            assert np.array_equal(over_time[-1], decoders["decoders"][()])
            assert np.abs(over_time[0]).max() > 0  # moved away from zero


def test_the_figure_is_redrawn_from_the_file(folder, tmp_path):
    assert_redrawn_alike(folder, ["learn_communication_channel.png"], tmp_path)
