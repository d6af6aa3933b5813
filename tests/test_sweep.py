"""Sweeps: deterministic across executors, resumable, and losing nothing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import neurosim as ns
from neurosim import cli
from neurosim import sweeps as sw

TOY = '''"""Seeded toy experiment (can be told to hang, for the kill test)."""
import os, time
from pathlib import Path
import numpy as np
import neurosim as ns

CONFIG = {"x": 1.0, "hang_file": ""}


def run(config, out):
    rng = np.random.default_rng(config["seed"])
    if config["hang_file"] and Path(config["hang_file"]).exists() and config["x"] == 2.0:
        (Path(out) / "pid").write_text(str(os.getpid()))
        time.sleep(120)
    res = ns.Results()
    res.add("values", config["x"] * rng.normal(size=5), units="1")
    res.metrics["value"] = float(config["x"] * rng.normal())
    return res
'''

STREAMING = '''"""A long network run streamed to its results file."""
import numpy as np
import neurosim as ns
from neurosim.runner import results_writer

CONFIG = {"t_stop": 2000.0}


def run(config, out):
    net = ns.Network(seed=config["seed"], label="stream")
    u = net.input(lambda t: np.sin(2 * np.pi * t), label="u")
    a = net.population(100, 1, label="A")
    net.connect(u, a)
    net.probe(a, "spikes")
    net.probe(a, "voltage", sample_every=0.01)
    net.probe(a, synapse=ns.PSC(0.01), label="A.decoded")
    sim = ns.Simulator(net, stream=results_writer(), progress=False)
    sim.run(config["t_stop"])
    return sim.results
'''


@pytest.fixture
def toy_env(tmp_path, monkeypatch):
    folder = tmp_path / "exps"
    folder.mkdir()
    (folder / "toy.py").write_text(TOY)
    (folder / "streaming.py").write_text(STREAMING)
    monkeypatch.setenv("NEUROSIM_EXPERIMENTS", str(folder))
    return folder


def _contents(path):
    """Every dataset and attribute of a results file except its provenance."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, node):
            if name.startswith("provenance"):
                return
            if isinstance(node, h5py.Dataset):
                out[name] = node[()]
            for key, value in node.attrs.items():
                out[f"{name}@{key}"] = value
        f.visititems(visit)
        for key, value in f.attrs.items():
            out[f"@{key}"] = value
    return out


def _assert_same_files(a: Path, b: Path):
    ca, cb = _contents(a), _contents(b)
    assert ca.keys() == cb.keys()
    for key in ca:
        assert np.array_equal(np.asarray(ca[key]), np.asarray(cb[key])), key


def test_points_seeds_and_folders_are_planned_deterministically(toy_env):
    ident, points = sw.plan("toy", {"x": ["1", "2.5"]}, seeds=3, sweep_seed=7)
    again_ident, again = sw.plan("toy", {"x": ["1", "2.5"]}, seeds=3, sweep_seed=7)
    assert ident == again_ident and [p.seed for p in points] == [p.seed for p in again]
    assert len(points) == 6 and len({p.seed for p in points}) == 6
    assert points[0].values == {"x": 1.0}  # typed by the default
    # keyed by the point, not by the order: a larger grid keeps the old seeds
    _, more = sw.plan("toy", {"x": ["0.5", "1", "2.5"]}, seeds=3, sweep_seed=7)
    old = {(p.values["x"], p.seed_index): p.seed for p in points}
    shared = [p for p in more if (p.values["x"], p.seed_index) in old]
    assert len(shared) == 6
    assert all(old[(p.values["x"], p.seed_index)] == p.seed for p in shared)
    assert sw.parse_grid(["a=0:1:5"]) == {"a": ["0.0", "0.25", "0.5", "0.75", "1.0"]}
    with pytest.raises(ns.ConfigError, match="unknown key 'y'"):
        sw.plan("toy", {"y": ["1"]})
    with pytest.raises(ns.ConfigError, match="expected float"):
        sw.plan("toy", {"x": ["big"]})


def test_serial_process_pool_and_dask_give_identical_files(tmp_path):
    distributed = pytest.importorskip("dask.distributed",
                                      reason="dask[distributed] (extra [dist]) not installed")
    grid = {"rate": ["20", "60"]}
    fixed = {"shape_samples": "201", "duration": "0.3", "euler_halvings": "2"}
    serial = sw.sweep("psc-shapes", grid, seeds=2, fixed=fixed, out=tmp_path / "serial")
    pooled = sw.sweep("psc-shapes", grid, seeds=2, fixed=fixed, out=tmp_path / "pool",
                      jobs=2)
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as client:
        dasked = sw.sweep("psc-shapes", grid, seeds=2, fixed=fixed,
                          out=tmp_path / "dask", executor=client.get_executor())
    for result in (serial, pooled, dasked):
        assert [row["status"] for row in result.rows] == ["complete"] * 4
    for a, b, c in zip(serial.rows, pooled.rows, dasked.rows):
        _assert_same_files(Path(a["file"]), Path(b["file"]))
        _assert_same_files(Path(a["file"]), Path(c["file"]))
    summary = ns.Results.load(serial.folder / "summary.h5")
    assert summary["sweep/parameters/rate"].tolist() == [20.0, 20.0, 60.0, 60.0]
    assert np.all(np.isfinite(summary["sweep/metrics/max_area_error"]))
    manifest = (serial.folder / "manifest.csv").read_text().splitlines()
    assert manifest[0].startswith("point,rate,seed_index,seed,status,seconds,file")
    assert len(manifest) == 5


def test_decoder_solving_points_give_the_same_bits_serially_and_in_a_pool(tmp_path,
                                                                        monkeypatch):
    """Decoders are solved with BLAS, whose Cholesky (and, on some CPU kernels, its
    products) changes the last bits with the thread count; the serial points run
    in this process (BLAS on every core unless pinned), the pooled ones in children
    with one BLAS thread. The decoder cache is off so each point solves its own."""
    monkeypatch.setenv("NEUROSIM_CACHE_DIR", "off")
    grid = {"n_neurons": ["300"]}
    fixed = {"t_stop": "0.2", "raster_window": "[0.0, 0.2]"}
    serial = sw.sweep("communication-channel", grid, seeds=2, fixed=fixed,
                      out=tmp_path / "serial")
    pooled = sw.sweep("communication-channel", grid, seeds=2, fixed=fixed,
                      out=tmp_path / "pool", jobs=2)
    for a, b in zip(serial.rows, pooled.rows):
        assert a["status"] == b["status"] == "complete"
        _assert_same_files(Path(a["file"]), Path(b["file"]))


def test_the_cli_sweeps_the_default_configuration_over_seeds(toy_env, tmp_path,
                                                             capsys):
    code = cli.main(["sweep", "toy", "--seeds", "3", "--no-plots",
                        "--out", str(tmp_path)])
    assert code == 0
    folder = Path(capsys.readouterr().out.strip().splitlines()[-1])
    rows = (folder / "manifest.csv").read_text().splitlines()[1:]
    assert len(rows) == 3 and all(",complete," in row for row in rows)
    values = [ns.Results.load(folder / row.split(",")[0] / "results.h5")["values"]
              for row in rows]
    assert not np.array_equal(values[0], values[1])  # three seeds, three draws


def test_a_killed_point_is_marked_failed_and_a_rerun_completes_only_it(toy_env,
                                                                      tmp_path):
    hang = tmp_path / "hang"
    hang.write_text("hang")
    args = dict(grid={"x": ["1", "2", "3"]}, fixed={"hang_file": str(hang)},
                out=tmp_path / "sweeps", jobs=2, show_progress=False)
    ident, points = sw.plan("toy", args["grid"], fixed=args["fixed"])
    victim = next(p for p in points if p.values["x"] == 2.0)
    pid_file = tmp_path / "sweeps" / f"sweep-{ident}" / victim.name / "pid"

    def killer():
        for _ in range(600):
            if pid_file.exists() and pid_file.read_text():
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
                return
            time.sleep(0.1)
    import threading
    thread = threading.Thread(target=killer)
    thread.start()
    first = sw.sweep("toy", **args)
    thread.join()
    status = {row["point"]: row for row in first.rows}
    assert status[victim.name]["status"] == "failed"
    assert "killed by signal 9" in status[victim.name]["error"]
    assert all(row["status"] == "complete" for name, row in status.items()
               if name != victim.name)
    finished = {p.name: (first.folder / p.name / "results.h5").stat().st_mtime_ns
                for p in points if p is not victim}
    hang.unlink()
    second = sw.sweep("toy", **args)
    assert all(row["status"] == "complete" for row in second.rows)
    for name, mtime in finished.items():  # untouched: not run again
        assert (second.folder / name / "results.h5").stat().st_mtime_ns == mtime


def _streamed_steps(partial, process, at_least, timeout=240.0):
    """Rows of the decoded probe a concurrent single-writer reader sees in the
    streamed file once they reach ``at_least`` (the file's size says nothing: HDF5
    allocates a chunk's space before the flush that makes it visible)."""
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            with h5py.File(partial, "r", locking=False, swmr=True) as f:
                rows = f["analysis/decoded/A.decoded/t"].shape[0]
        except (OSError, KeyError):
            continue
        if rows >= at_least:
            return rows
    raise AssertionError(f"the streamed run showed fewer than {at_least} rows "
                         f"within {timeout} s (exit code {process.poll()})")


def test_a_killed_single_run_leaves_a_readable_partial_file(toy_env, tmp_path):
    env = {**os.environ}
    process = subprocess.Popen([sys.executable, "-m", "neurosim.cli", "run", "streaming",
                                "--out", str(tmp_path / "run"), "--no-plots"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    partial = tmp_path / "run" / "results.h5.partial"
    seen = _streamed_steps(partial, process, at_least=4000)  # two chunks flushed
    process.send_signal(signal.SIGKILL)
    process.wait()
    results = ns.Results.load(partial)
    assert not results.complete
    assert not (tmp_path / "run" / "results.h5").exists()
    t = results["decoded/A.decoded/t"]
    assert t.size >= seen  # the kill loses nothing that was flushed
    np.testing.assert_allclose(t, np.arange(1, t.size + 1) * 1e-3)
    assert results["decoded/A.decoded/x_hat"].shape == (t.size, 1)
    report = results.reports["A"]
    assert report.data.shape[0] >= t.size // 10 - 200
    assert np.all(np.isfinite(report.data))
    spikes = results.spikes["A"].times
    assert spikes.size > 0 and np.all(np.diff(spikes) >= 0) and spikes[-1] <= t[-1] + 2e-3
