"""The ``neurosim`` command as a user runs it: list, run, plot, info, and its errors."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import neurosim as ns

TOY = '''"""Toy experiment for the CLI tests."""
import numpy as np
import neurosim as ns

CONFIG = {"n": 3, "scale": 1.5, "label": "x"}


def run(config, out):
    res = ns.Results()
    res.add("values", np.arange(config["n"]) * config["scale"], units="1")
    res.add_spikes("pop", np.linspace(0.0, 1.0, config["n"]), np.arange(config["n"]),
                   n_neurons=config["n"])
    res.metrics["total"] = float(res["values"].sum())
    return res
'''


def neurosim(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "neurosim.cli", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def toy_env(tmp_path):
    folder = tmp_path / "exps"
    folder.mkdir()
    (folder / "toy_exp.py").write_text(TOY)
    return {**os.environ, "NEUROSIM_EXPERIMENTS": str(folder)}


def test_list_shows_each_experiment_with_its_summary(tmp_path, toy_env):
    out = neurosim("list", cwd=tmp_path, env=toy_env)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert any(line.startswith("toy-exp") and "Toy experiment for the CLI tests." in line
               for line in lines)
    assert any(line.startswith("ode-convergence") for line in lines)


def test_run_writes_the_folder_and_prints_it(tmp_path, toy_env):
    out = neurosim("run", "toy-exp", "--set", "n=5", "--seed", "4", cwd=tmp_path,
                   env=toy_env)
    assert out.returncode == 0, out.stderr
    folder = tmp_path / out.stdout.strip()
    assert folder.parent == tmp_path / "runs" / "toy-exp"
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.toml", "log.txt", "raster_pop.png", "results.h5"]
    assert "n = 5" in (folder / "config.toml").read_text()
    assert "seed = 4" in (folder / "config.toml").read_text()
    assert "finished in" in (folder / "log.txt").read_text()
    res = ns.Results.load(folder / "results.h5")
    assert res.name == "toy-exp" and res.seed == 4 and res.config["n"] == 5
    assert res.metrics["total"] == pytest.approx(15.0)
    assert '"--set", "n=5"' in res.provenance["argv"]


@pytest.mark.parametrize("args, message", [
    (["run", "nope"], "unknown experiment 'nope'; available: "),
    (["run", "toy-exp", "--set", "m=1"], "unknown key 'm'; allowed keys: label, n, "),
    (["run", "toy-exp", "--set", "n=two"], "--set n=two: expected int (default 3)"),
    (["run", "toy-exp", "--set", "scale=[1]"], "expected float (default 1.5)"),
    (["run", "toy-exp", "--seed", "-1"], "--seed must be an integer >= 0, got -1"),
])
def test_bad_requests_fail_with_one_line_exit_2_and_write_nothing(tmp_path, toy_env,
                                                                   args, message):
    out = neurosim(*args, cwd=tmp_path, env=toy_env)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and message in out.stderr
    assert not (tmp_path / "runs").exists()


def test_argument_errors_exit_2(tmp_path, toy_env):
    out = neurosim("run", "toy-exp", "--set", "novalue", cwd=tmp_path, env=toy_env)
    assert out.returncode == 2 and "expected key=value" in out.stderr


def test_out_must_be_new_or_empty(tmp_path, toy_env):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("keep me")
    out = neurosim("run", "toy-exp", "--out", "busy", cwd=tmp_path, env=toy_env)
    assert out.returncode == 2 and "exists and is not an empty folder" in out.stderr
    assert (tmp_path / "busy" / "x").read_text() == "keep me"


@pytest.fixture(scope="module")
def converged(tmp_path_factory):
    """One ``neurosim run ode-convergence --svg`` (PNG and SVG), shared by the redraw
    tests below: the folder holding the run folder ``r``."""
    folder = tmp_path_factory.mktemp("cli-run")
    run = neurosim("run", "ode-convergence", "--out", "r", "--svg", cwd=folder)
    assert run.returncode == 0, run.stderr
    return folder


def test_plot_redraws_identical_figures_from_the_file(converged, tmp_path):
    original = (converged / "r" / "convergence.png").read_bytes()
    redraw = neurosim("plot", str(converged / "r" / "results.h5"), "--out", "again",
                      cwd=tmp_path)
    assert redraw.returncode == 0, redraw.stderr
    assert Path(redraw.stdout.strip()).name == "convergence.png"
    again = (tmp_path / "again" / "convergence.png").read_bytes()
    assert hashlib.sha256(again).digest() == hashlib.sha256(original).digest()
    info = neurosim("info", str(converged / "r" / "results.h5"), cwd=tmp_path)
    assert info.returncode == 0
    assert "experiment: ode-convergence" in info.stdout and "complete" in info.stdout
    assert "convergence (" in info.stdout


def test_svg_copies_have_reproducible_bytes(converged, tmp_path):
    original = (converged / "r" / "convergence.svg").read_text()
    assert original.lstrip().startswith("<?xml") and "<dc:date>" not in original
    results = str(converged / "r" / "results.h5")
    redraw = neurosim("plot", results, "--out", "again", "--svg", cwd=tmp_path)
    assert redraw.returncode == 0, redraw.stderr
    assert (tmp_path / "again" / "convergence.svg").read_text() == original
    plain = neurosim("plot", results, "--out", "png-only", cwd=tmp_path)
    assert plain.returncode == 0 and not list((tmp_path / "png-only").glob("*.svg"))


def test_no_plots_and_info_on_a_missing_file(tmp_path, toy_env):
    out = neurosim("run", "toy-exp", "--no-plots", "--out", "r", cwd=tmp_path,
                   env=toy_env)
    assert out.returncode == 0
    assert not list((tmp_path / "r").glob("*.png"))
    info = neurosim("info", "missing.h5", cwd=tmp_path)
    assert info.returncode == 2 and "no results file at missing.h5" in info.stderr
