"""Results <-> HDF5: the layout of DESIGN.md, SONATA details, partial files."""

import hashlib

import h5py
import numpy as np
import pytest

import neurosim as ns
from neurosim import io

PROVENANCE = {"config": "a = 1\n", "seed": 7, "argv": "[]", "versions": "{}",
              "git_sha": "abc", "created_utc": "2026-01-01T00:00:00Z"}


def synthetic_results():
    rng = np.random.default_rng(1)
    res = ns.Results("synthetic", {"a": 1}, seed=7)
    times = rng.uniform(0.0, 2.0, 500)
    ids = rng.integers(0, 40, 500)
    res.add_spikes("cells", times, ids, n_neurons=50)
    res.add_report("cells", rng.normal(-65.0, 5.0, (300, 4)), t0=0.0, dt=2.5e-4,
                   units="mV", variable="v", node_ids=[3, 5, 7, 11])
    res.add("decoded/x/t", np.linspace(0, 1, 11), units="s")
    res.add("decoded/x/x_hat", rng.normal(size=(11, 2)), units="1", rmse=0.01)
    res.add("labels", np.array(["alpha", "beta"]), units="1")
    res.set_attrs("decoded", solver="lstsq_l2", reg=0.1)
    res.metrics.update(rmse=0.01, n_spikes=500, label="ok")
    return res, times, ids


def test_round_trip_keeps_everything(tmp_path):
    res, times, ids = synthetic_results()
    path = res.save(tmp_path / "results.h5", provenance=PROVENANCE)
    assert path == tmp_path / "results.h5" and path.exists()
    assert not (tmp_path / "results.h5.partial").exists()
    back = ns.Results.load(path)
    order = np.lexsort((ids, times))
    np.testing.assert_allclose(back.spikes["cells"].times, times[order], rtol=0,
                               atol=1e-15)
    np.testing.assert_array_equal(back.spikes["cells"].ids, ids[order])
    assert back.spikes["cells"].n_neurons == 50
    report = back.reports["cells"]
    np.testing.assert_allclose(report.data, res.reports["cells"].data.astype(np.float32))
    assert (report.t0, report.dt, report.units, report.variable) == (0.0, 2.5e-4, "mV",
                                                                     "v")
    np.testing.assert_array_equal(report.node_ids, [3, 5, 7, 11])
    for key, value in res.analysis.items():
        np.testing.assert_array_equal(back[key], value)
    assert back.attrs["decoded/x/x_hat"] == {"units": "1", "rmse": 0.01}
    assert back.attrs["decoded"] == {"solver": "lstsq_l2", "reg": 0.1}
    assert back.metrics == {"rmse": 0.01, "n_spikes": 500, "label": "ok"}
    assert back.name == "synthetic" and back.seed == 7 and back.complete
    assert back.config == {"a": 1}
    assert back.children() == ["decoded", "labels"]
    assert back.children("decoded/x") == ["t", "x_hat"]


def test_layout_follows_sonata_and_design(tmp_path):
    res, times, ids = synthetic_results()
    path = res.save(tmp_path / "results.h5", provenance=PROVENANCE)
    with h5py.File(path, "r") as f:
        assert int(f.attrs["magic"]) == 0x0A7A
        assert f.attrs["magic"].dtype == np.uint32
        np.testing.assert_array_equal(f.attrs["version"], [0, 1])
        assert f.attrs["version"].dtype == np.uint32
        assert f.attrs["neurosim_format"] == "neurosim-h5/1"
        assert bool(f.attrs["complete"]) is True
        spikes = f["spikes/cells"]
        sorting = h5py.check_enum_dtype(spikes.attrs.get_id("sorting").dtype)
        assert sorting == {"none": 0, "by_id": 1, "by_time": 2}
        assert spikes.attrs["sorting"] == 2
        assert spikes["timestamps"].dtype == np.float64
        assert spikes["timestamps"].attrs["units"] == "ms"
        assert spikes["node_ids"].dtype == np.uint64
        assert np.all(np.diff(spikes["timestamps"][()]) >= 0)
        np.testing.assert_allclose(np.sort(spikes["timestamps"][()]),
                                   np.sort(times) * 1e3)
        report = f["report/cells"]
        assert report["data"].dtype == np.float32
        assert report["data"].chunks is not None
        assert report["data"].attrs["units"] == "mV"
        assert report["data"].attrs["variable_name"] == "v"
        mapping = report["mapping"]
        np.testing.assert_array_equal(mapping["index_pointers"], np.arange(5))
        assert mapping["index_pointers"].dtype == np.uint64
        assert mapping["index_pointer"].id == mapping["index_pointers"].id  # hard link
        assert mapping["element_ids"].dtype == np.uint32
        assert mapping["element_pos"].dtype == np.float32
        assert mapping["node_ids"].dtype == np.uint64
        np.testing.assert_allclose(mapping["time"][()], [0.0, 75.0, 0.25])
        assert mapping["time"].attrs["units"] == "ms"
        assert f["analysis/decoded/x/t"].attrs["units"] == "s"
        assert f["analysis/metrics"].attrs["rmse"] == 0.01
        for key, value in PROVENANCE.items():
            assert f["provenance"].attrs[key] == value


def test_same_content_gives_the_same_bytes(tmp_path):
    res, _, _ = synthetic_results()
    a = res.save(tmp_path / "a.h5", provenance=PROVENANCE)
    b = res.save(tmp_path / "b.h5", provenance=PROVENANCE)
    assert hashlib.sha256(a.read_bytes()).digest() == \
        hashlib.sha256(b.read_bytes()).digest()


def test_streamed_writes_stay_readable_and_partial_until_closed(tmp_path):
    path = tmp_path / "results.h5"
    writer = io.ResultsWriter(path, name="stream", provenance=PROVENANCE)
    rows = np.arange(12.0).reshape(6, 2)
    writer.report("pop", rows[:4], t0=0.0, dt=1e-3, units="mV")
    writer.spikes("pop", [0.0005, 0.001], [1, 0], n_neurons=2)
    writer.flush()
    # A reader sees what was flushed, marked incomplete, under the .partial name.
    early = ns.Results.load(writer.partial)
    assert not early.complete and not path.exists()
    np.testing.assert_array_equal(early.reports["pop"].data, rows[:4])
    writer.report("pop", rows[4:], t0=0.0, dt=1e-3, units="mV")
    writer.spikes("pop", [0.004], [1])
    writer.spikes("pop", [0.002], [0])  # out of order: sorted on close
    assert writer.close() == path
    final = ns.Results.load(path)
    assert final.complete
    np.testing.assert_array_equal(final.reports["pop"].data, rows)
    np.testing.assert_allclose(final.reports["pop"].t, np.arange(6) * 1e-3)
    np.testing.assert_allclose(final.spikes["pop"].times, [0.0005, 0.001, 0.002,
                                                           0.004])
    np.testing.assert_array_equal(final.spikes["pop"].ids, [1, 0, 0, 1])
    with h5py.File(path, "r") as f:
        np.testing.assert_allclose(f["report/pop/mapping/time"][()], [0.0, 6.0, 1.0])


def test_a_failed_write_leaves_a_partial_file_marked_incomplete(tmp_path):
    path = tmp_path / "results.h5"
    with pytest.raises(RuntimeError, match="boom"):
        with io.ResultsWriter(path, provenance=PROVENANCE) as writer:
            writer.spikes("pop", [0.1], [0])
            raise RuntimeError("boom")
    assert not path.exists()
    partial = ns.Results.load(tmp_path / "results.h5.partial")
    assert not partial.complete
    assert partial.spikes["pop"].times.tolist() == [0.1]


def test_describe_says_what_the_file_holds(tmp_path):
    res, _, _ = synthetic_results()
    path = res.save(tmp_path / "results.h5", provenance=PROVENANCE)
    text = io.describe(path)
    assert "neurosim-h5/1, complete" in text
    assert "experiment: synthetic   seed: 7" in text
    assert "spikes/cells: 500 spikes from 50 neurons" in text
    assert "report/cells: v [mV], 4 neurons x 300 samples, dt = 0.25 ms" in text
    assert "analysis: decoded (2 arrays), labels (1 arrays)" in text
    assert "rmse=0.01" in text


def test_not_a_results_file_is_refused(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = 1
    with pytest.raises(ValueError, match="is not a neurosim results file"):
        ns.Results.load(other)
    text = tmp_path / "notes.h5"
    text.write_text("not HDF5")
    with pytest.raises(ValueError, match=r"not a neurosim results file \(not an HDF5"):
        ns.Results.load(text)
    with pytest.raises(FileNotFoundError, match="no results file"):
        ns.Results.load(tmp_path / "missing.h5")


@pytest.mark.parametrize("call, error, match", [
    (lambda r: r.add_spikes("a b", [0.1], [0]), ValueError, "population must be"),
    (lambda r: r.add_spikes("p", [0.1, 0.2], [0]), ValueError, "same length"),
    (lambda r: r.add_spikes("p", [0.1], [-1]), ValueError, "ids must be >= 0"),
    (lambda r: r.add_spikes("p", [0.1], [5], n_neurons=3), ValueError, "< n_neurons"),
    (lambda r: r.add_report("p", np.ones(3), 0.0, 1e-3, "mV"), ValueError,
     "data must be 2-dimensional"),
    (lambda r: r.add_report("p", np.ones((3, 2)), 0.0, 0.0, "mV"), ValueError,
     "dt must be > 0"),
    (lambda r: r.add("x", [1.0], units=None), TypeError, "units must be a string"),
    (lambda r: r.add("a//b", [1.0], units="1"), ValueError, "analysis path"),
    (lambda r: r.add("x", [{}], units="1"), TypeError, "must hold numbers"),
])
def test_bad_results_content_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call(ns.Results())
