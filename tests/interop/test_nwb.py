"""NWB export: a results file as an NWB file that pynwb reads and validates.

Acceptance: the NWB file from hh-spike-train validates with pynwb with zero errors,
and holds the spikes (s), the potential and the provenance we wrote.
"""

import datetime as dt
import json
import subprocess
import sys

import h5py
import numpy as np
import pytest

import neurosim as ns
from neurosim import cli
from neurosim.export_nwb import export_nwb
from tests.interop import run_hh_spike_train
from tests.test_results_file import PROVENANCE, synthetic_results

TIME_TOL_S = 1e-12  # 1e-9 ms


@pytest.fixture
def pynwb():
    return pytest.importorskip(
        "pynwb", reason="pynwb not installed: pip install 'neurosim[nwb]'")


@pytest.fixture(scope="module")
def hh_file(tmp_path_factory):
    return run_hh_spike_train(tmp_path_factory.mktemp("hh") / "run")


def read_nwb(pynwb, path):
    """Everything the tests look at, copied out of the file."""
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        units = nwb.units
        table = None if units is None else {
            "spike_times": [np.asarray(units.get_unit_spike_times(i))
                            for i in range(len(units))],
            "population": list(units["population"][:]),
            "node_id": list(units["node_id"][:]),
            "obs_intervals": [np.asarray(units.get_unit_obs_intervals(i))
                              for i in range(len(units))]}
        series = {name: {"unit": ts.unit, "conversion": ts.conversion,
                         "data": np.asarray(ts.data[()]), "t": ts.get_timestamps(),
                         "in_units": np.asarray(ts.get_data_in_units()),
                         "description": ts.description}
                  for name, ts in nwb.acquisition.items()}
        return {"units": table, "series": series, "notes": nwb.notes,
                "start": nwb.session_start_time,
                "experiment": nwb.experiment_description,
                "generated_by": [list(row) for row in nwb.was_generated_by]}


def test_the_hh_spike_train_nwb_file_validates_with_zero_errors(pynwb, hh_file,
                                                                tmp_path):
    out = tmp_path / "hh.nwb"
    done = subprocess.run([sys.executable, "-m", "neurosim.cli", "export", str(hh_file),
                           "--nwb", str(out)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert pynwb.validate(path=str(out)) == []


def test_the_validator_is_not_blind(pynwb, hh_file, tmp_path):
    out = export_nwb(hh_file, tmp_path / "hh.nwb")
    with h5py.File(out, "a") as f:
        del f["acquisition/hh_v/data"].attrs["unit"]
    assert len(pynwb.validate(path=str(out))) == 1


def test_the_nwb_file_holds_the_spikes_potential_and_provenance(pynwb, hh_file,
                                                                tmp_path):
    res = ns.Results.load(hh_file)
    nwb = read_nwb(pynwb, export_nwb(hh_file, tmp_path / "hh.nwb"))
    # Spikes: one unit, the 5 spikes in s.
    units = nwb["units"]
    assert units["population"] == ["hh"] and units["node_id"] == [0]
    assert units["spike_times"][0].size == 5
    np.testing.assert_allclose(units["spike_times"][0], res.spikes["hh"].times, rtol=0,
                               atol=TIME_TOL_S)
    np.testing.assert_allclose(units["obs_intervals"][0], [[0.0, 0.1]], rtol=0,
                               atol=TIME_TOL_S)
    # Potential: float32 mV as written, volts through the conversion, same time axis.
    series = nwb["series"]["hh_v"]
    report = res.reports["hh"]
    assert (series["unit"], series["conversion"]) == ("volts", 1e-3)
    assert series["data"].dtype == np.float32 and series["data"].shape == (10001, 1)
    np.testing.assert_array_equal(series["data"], report.data)
    # pynwb multiplies in float32: one float32 rounding apart.
    np.testing.assert_allclose(series["in_units"], report.data * 1e-3,
                               rtol=np.finfo(np.float32).eps)
    np.testing.assert_allclose(series["t"], report.t, rtol=0, atol=TIME_TOL_S)
    assert "node ids [0]" in series["description"]
    # Provenance.
    notes = json.loads(nwb["notes"])
    assert notes["provenance"] == res.provenance
    assert notes["metrics"]["n_spikes"] == 5
    assert nwb["start"] == dt.datetime.fromisoformat(res.provenance["created_utc"])
    assert nwb["experiment"].startswith("neurosim experiment hh-spike-train, seed 0")
    assert nwb["generated_by"] == [["neurosim", ns.__version__]]


def test_every_neuron_of_every_population_is_a_unit(pynwb, tmp_path):
    res, _, _ = synthetic_results()
    res.add_spikes("silent", [], [], n_neurons=3)
    res.add_report("rates", np.linspace(0.0, 1.0, 20).reshape(10, 2), t0=0.5, dt=0.1,
                   units="1", variable="x")
    res.provenance = dict(PROVENANCE)
    out = export_nwb(res, tmp_path / "synthetic.nwb")
    assert pynwb.validate(path=str(out)) == []
    nwb = read_nwb(pynwb, out)
    units = nwb["units"]
    assert units["population"] == ["cells"] * 50 + ["silent"] * 3
    assert units["node_id"] == list(range(50)) + list(range(3))
    for node_id, times in enumerate(res.spikes["cells"].per_neuron()):
        np.testing.assert_allclose(units["spike_times"][node_id], times, rtol=0,
                                   atol=TIME_TOL_S)
    assert sum(t.size for t in units["spike_times"]) == 500
    assert all(t.size == 0 for t in units["spike_times"][40:])
    last = res.spikes["cells"].times[-1]  # no t_stop in the config: the last spike
    np.testing.assert_allclose(units["obs_intervals"][0], [[0.0, last]], rtol=0,
                               atol=TIME_TOL_S)
    cells, rates = nwb["series"]["cells_v"], nwb["series"]["rates_x"]
    np.testing.assert_array_equal(cells["data"],
                                  res.reports["cells"].data.astype(np.float32))
    assert "node ids [3, 5, 7, 11]" in cells["description"]
    assert (rates["unit"], rates["conversion"]) == ("dimensionless", 1.0)
    np.testing.assert_allclose(rates["t"], 0.5 + 0.1 * np.arange(10), rtol=0,
                               atol=TIME_TOL_S)


def test_without_pynwb_the_error_names_the_extra(monkeypatch, hh_file, tmp_path,
                                                 capsys):
    monkeypatch.setitem(sys.modules, "pynwb", None)  # import pynwb -> ImportError
    with pytest.raises(ImportError, match=r"pip install 'neurosim\[nwb\]'"):
        export_nwb(hh_file, tmp_path / "x.nwb")
    assert cli.main(["export", str(hh_file), "--nwb", str(tmp_path / "x.nwb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "neurosim[nwb]" in err
    assert not (tmp_path / "x.nwb").exists()


@pytest.mark.parametrize("content, match", [
    ("hdf5", "is not a neurosim results file"),
    ("text", "is not a neurosim results file"),
    (None, "no results file at"),
])
def test_export_refuses_what_is_not_a_results_file(tmp_path, capsys, content, match):
    source = tmp_path / "input.h5"
    if content == "hdf5":
        with h5py.File(source, "w") as f:
            f["x"] = 1
    elif content == "text":
        source.write_text("a = 1\n")
    assert cli.main(["export", str(source), "--nwb", str(tmp_path / "x.nwb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("neurosim: error: ") and match in err
    assert err.count("\n") == 1
    with pytest.raises(ValueError if content else FileNotFoundError, match=match):
        export_nwb(source, tmp_path / "x.nwb")


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(TypeError, match="path must be a path"):
        export_nwb(ns.Results(), 3)
    with pytest.raises(TypeError, match="results must be a neurosim.Results"):
        export_nwb(42, tmp_path / "x.nwb")
