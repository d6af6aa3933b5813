"""The SONATA spikes and reports of a results file, read back by libsonata and bmtk.

Each reader must return what we wrote: the same populations, spike counts, node ids
and times (to 1e-9 ms), the same float32 report values, node ids and time axis.
"""

import numpy as np
import pytest

import neurosim as ns
from neurosim import io
from tests.interop import run_hh_spike_train
from tests.test_results_file import PROVENANCE, synthetic_results

TIME_TOL_MS = 1e-9


@pytest.fixture
def libsonata():
    return pytest.importorskip(
        "libsonata", reason="libsonata not installed: pip install 'neurosim[interop]'")


@pytest.fixture
def bmtk_spikes():
    module = pytest.importorskip(
        "bmtk.utils.reports.spike_trains",
        reason="bmtk not installed: pip install 'neurosim[interop]'")
    return module.SpikeTrains


@pytest.fixture
def bmtk_report():
    module = pytest.importorskip(
        "bmtk.utils.reports.compartment",
        reason="bmtk not installed: pip install 'neurosim[interop]'")
    return module.CompartmentReport


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A file with a 500-spike population (50 neurons, 10 silent), a silent
    population, and a report of 4 neurons with non-contiguous node ids."""
    res, _, _ = synthetic_results()
    res.add_spikes("silent", [], [], n_neurons=3)
    path = res.save(tmp_path_factory.mktemp("sonata") / "results.h5",
                    provenance=PROVENANCE)
    return res, str(path)


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    """A file written by ``ResultsWriter`` in pieces: a report in two appends,
    spikes appended out of time order (sorted when the file is closed)."""
    path = tmp_path_factory.mktemp("stream") / "results.h5"
    rows = np.linspace(-70.0, 30.0, 14, dtype=np.float32).reshape(7, 2)
    writer = io.ResultsWriter(path, name="stream", provenance=PROVENANCE)
    writer.report("pop", rows[:3], t0=0.002, dt=5e-4, units="mV", node_ids=[4, 9])
    writer.spikes("pop", [0.003, 0.001], [9, 4], n_neurons=10)
    writer.report("pop", rows[3:], t0=0.002, dt=5e-4, units="mV")
    writer.spikes("pop", [0.002, 0.0025], [4, 9])
    writer.close()
    return ns.Results.load(path), str(path), rows


@pytest.fixture(scope="module")
def hh_file(tmp_path_factory):
    path = run_hh_spike_train(tmp_path_factory.mktemp("hh") / "run")
    return ns.Results.load(path), str(path)


def check_spikes_libsonata(libsonata, res, path):
    reader = libsonata.SpikeReader(path)
    assert sorted(reader.get_population_names()) == sorted(res.spikes)
    for name, trains in res.spikes.items():
        population = reader[name]
        assert population.sorting == "by_time"
        spikes = population.get_dict()
        assert spikes["timestamps"].size == trains.times.size
        np.testing.assert_allclose(spikes["timestamps"], trains.times * 1e3, rtol=0,
                                   atol=TIME_TOL_MS)
        np.testing.assert_array_equal(spikes["node_ids"], trains.ids)
        for node_id, times in enumerate(trains.per_neuron()):
            one = population.get(node_ids=[node_id])
            assert len(one) == times.size
            np.testing.assert_allclose([t for _, t in one], times * 1e3, rtol=0,
                                       atol=TIME_TOL_MS)


def check_report_libsonata(libsonata, report, path, name):
    reader = libsonata.ElementReportReader(path)
    population = reader[name]
    T = report.data.shape[0]
    t0_ms, dt_ms = report.t0 * 1e3, report.dt * 1e3
    np.testing.assert_allclose(population.times, (t0_ms, t0_ms + T * dt_ms, dt_ms),
                               rtol=0, atol=TIME_TOL_MS)
    assert population.time_units == "ms"
    assert population.data_units == report.units
    assert population.get_node_ids() == report.node_ids.tolist()
    frames = population.get()
    data = np.asarray(frames.data)
    assert data.dtype == np.float32 and data.shape == report.data.shape
    np.testing.assert_array_equal(data, report.data.astype(np.float32))
    np.testing.assert_allclose(frames.times, report.t * 1e3, rtol=0, atol=TIME_TOL_MS)
    np.testing.assert_array_equal(np.asarray(frames.ids),
                                  np.column_stack([report.node_ids,
                                                   np.zeros_like(report.node_ids)]))
    return population


def test_libsonata_reads_the_spikes_we_wrote(libsonata, written):
    res, path = written
    check_spikes_libsonata(libsonata, res, path)
    assert res.spikes["cells"].times.size == 500
    assert libsonata.SpikeReader(path)["silent"].get() == []


def test_libsonata_reads_the_report_we_wrote(libsonata, written):
    res, path = written
    report = res.reports["cells"]
    population = check_report_libsonata(libsonata, report, path, "cells")
    # A time window and a node selection cut the same rows and column.
    part = population.get(node_ids=[7], tstart=10.0, tstop=20.0)
    t_ms = report.t * 1e3
    rows = (t_ms >= 10.0 - TIME_TOL_MS) & (t_ms <= 20.0 + TIME_TOL_MS)
    np.testing.assert_array_equal(np.asarray(part.data)[:, 0],
                                  report.data[rows, 2].astype(np.float32))


def test_libsonata_reads_a_file_written_in_pieces(libsonata, streamed):
    res, path, rows = streamed
    check_spikes_libsonata(libsonata, res, path)
    np.testing.assert_allclose(libsonata.SpikeReader(path)["pop"].get_dict()[
        "timestamps"], [1.0, 2.0, 2.5, 3.0], rtol=0, atol=TIME_TOL_MS)
    report = res.reports["pop"]
    np.testing.assert_array_equal(report.data, rows)
    check_report_libsonata(libsonata, report, path, "pop")


def test_libsonata_reads_the_hh_spike_train_run(libsonata, hh_file):
    res, path = hh_file
    assert res.spikes["hh"].times.size == res.metrics["n_spikes"] == 5
    check_spikes_libsonata(libsonata, res, path)
    report = res.reports["hh"]
    assert report.data.shape == (10001, 1)
    check_report_libsonata(libsonata, report, path, "hh")


@pytest.mark.parametrize("case", ["written", "streamed", "hh_file"])
def test_bmtk_reads_the_spikes_we_wrote(bmtk_spikes, case, request):
    res, path = request.getfixturevalue(case)[:2]
    for trains in (bmtk_spikes.from_sonata(path), bmtk_spikes.load(path)):
        assert sorted(trains.populations) == sorted(res.spikes)
        for name, ours in res.spikes.items():
            assert trains.n_spikes(name) == ours.times.size
            assert sorted(trains.node_ids(name)) == sorted(set(ours.ids.tolist()))
            for node_id, times in enumerate(ours.per_neuron()):
                np.testing.assert_allclose(trains.get_times(node_id, population=name),
                                           times * 1e3, rtol=0, atol=TIME_TOL_MS)
        table = trains.to_dataframe()
        for name, ours in res.spikes.items():
            rows = table[table["population"] == name].sort_values(
                ["timestamps", "node_ids"])
            np.testing.assert_allclose(rows["timestamps"], ours.times * 1e3, rtol=0,
                                       atol=TIME_TOL_MS)
            np.testing.assert_array_equal(rows["node_ids"], ours.ids)


@pytest.mark.parametrize("case, name", [("written", "cells"), ("streamed", "pop"),
                                        ("hh_file", "hh")])
def test_bmtk_reads_the_report_we_wrote(bmtk_report, case, name, request):
    res, path = request.getfixturevalue(case)[:2]
    ours = res.reports[name]
    report = bmtk_report(path, mode="r")
    assert sorted(report.populations) == sorted(res.reports)
    population = report[name]
    np.testing.assert_array_equal(population.node_ids(), ours.node_ids)
    T = ours.data.shape[0]
    assert population.tstart() == pytest.approx(ours.t0 * 1e3, abs=TIME_TOL_MS)
    assert population.tstop() == pytest.approx((ours.t0 + T * ours.dt) * 1e3,
                                               abs=TIME_TOL_MS)
    assert population.dt() == pytest.approx(ours.dt * 1e3, abs=TIME_TOL_MS)
    assert population.units() == ours.units
    assert population.n_steps() == T
    np.testing.assert_array_equal(population.element_pos(), np.full(ours.node_ids.size,
                                                                   0.5, np.float32))
    for column, node_id in enumerate(ours.node_ids):
        values = np.asarray(population.data(node_id=int(node_id)))
        assert values.dtype == np.float32
        np.testing.assert_array_equal(values[:, 0],
                                      ours.data[:, column].astype(np.float32))
