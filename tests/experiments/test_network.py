"""The network experiment: any model file from models/, through the command line.

References: the same network loaded and run in Python (the results file must hold
its samples to the bit), the continuous-time filtered sine for the channel, and the
ideal integral 0.1 for the integrator.
"""

from pathlib import Path

import numpy as np

import neurosim as ns

from ..simulator.networks import filtered_sine
from .cli import neurosim, neurosim_in_process

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_channel_file_runs_and_its_results_match_python(tmp_path):
    out = neurosim("run", "network", "--set", "t_stop=1.0", "--out", "r", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    res = ns.Results.load(tmp_path / "r" / "results.h5")
    assert res.complete and res.metrics["t_stop"] == 1.0 and res.metrics["dt"] == 1e-3
    net, probes = ns.load_network(MODELS / "communication_channel.toml", seed=0)
    direct = ns.Simulator(net, progress=False).run(1.0)
    np.testing.assert_array_equal(res["decoded/B.decoded/x_hat"],
                                  direct[probes["B.decoded"]])
    assert res.spikes["A"].times.size == direct.spikes("A")[0].size
    ideal = filtered_sine([0.005, 0.005, 0.01], 1.0, 1e-3)
    rmse = np.sqrt(np.mean((res["decoded/B.decoded/x_hat"][:, 0] - ideal) ** 2))
    assert rmse < 0.03
    redraw = neurosim("plot", "r/results.h5", "--out", "again", cwd=tmp_path)
    assert redraw.returncode == 0, redraw.stderr
    for name in ("decoded.png", "raster_A.png", "raster_B.png"):
        assert (tmp_path / "again" / name).read_bytes() == \
            (tmp_path / "r" / name).read_bytes(), name


def test_integrator_file_in_rate_mode_holds_its_integral(tmp_path):
    out = neurosim("run", "network", "--set", "model=integrator", "--set", "mode=rate",
                   "--set", "t_stop=0.6", "--seed", "3", "--out", "r", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    res = ns.Results.load(tmp_path / "r" / "results.h5")
    held = res["decoded/integrator.decoded/x_hat"][-1, 0]
    assert abs(held - 0.1) < 0.01
    assert res.provenance["seed"] == 3 and not res.spikes
    # the run's seed, not the file's (0), drew the network
    for seed, same in ((3, True), (0, False)):
        net, probes = ns.load_network(MODELS / "integrator.toml", seed=seed)
        direct = ns.Simulator(net, mode="rate", progress=False).run(0.6)
        assert np.array_equal(res["decoded/integrator.decoded/x_hat"],
                              direct[probes["integrator.decoded"]]) == same


def test_an_unknown_model_is_a_one_line_error(tmp_path, capsys):
    out = neurosim_in_process("run", "network", "--set", "model=nope", "--out", "r",
                              cwd=tmp_path, capsys=capsys)
    assert out.returncode == 2
    assert "model 'nope': no such file" in out.stderr
    assert ("brunel, cobahh, communication_channel, cuba, integrator, oscillator"
            in out.stderr)
    assert not (tmp_path / "r").exists()
