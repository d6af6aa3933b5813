"""The neuron-zoo experiment, run from the command line at its defaults (0.5 s,
dt = 0.01 ms) with 8 neurons per f–I curve (about 9 s, plus 4 s to redraw).

Checks: the metrics against the same measures recomputed here from the file's own
spikes; the firing-pattern labels of the textbook presets, each also checked
against explicit numeric criteria on the ISIs, written here without the
experiment's classifier (the descriptions of Izhikevich 2003, Fig. 2, and Naud et
al. 2008); the classifier itself on synthetic ISI sequences; IAF's pattern and
f–I curve against its closed form; the equation-written CH twin; the redraw.
"""

import numpy as np
import pytest

import neurosim as ns
from neurosim import ConfigError, Results, runner

from .cli import assert_redrawn_alike, neurosim

neuron_zoo = runner.load_experiment("neuron-zoo").module

FIGURES = ["neuron-zoo.png", "neuron-zoo-fi.png"]
FI_NEURONS = 8

#: the label of every panel at the defaults
LABELS = {"izhikevich_RS": "adapting", "izhikevich_IB": "initial_burst",
          "izhikevich_CH": "bursting", "izhikevich_FS": "tonic",
          "izhikevich_LTS": "adapting", "adex_tonic": "tonic",
          "adex_adapting": "adapting", "adex_initial_burst": "initial_burst",
          "adex_regular_bursting": "bursting", "adex_irregular": "irregular",
          "iaf": "tonic", "adaptive_iaf": "adapting"}


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    """(folder, Results) of one command-line run."""
    tmp = tmp_path_factory.mktemp("zoo")
    out = neurosim("run", "neuron-zoo", "--out", "run", "--set",
                   f"fi_neurons={FI_NEURONS}", cwd=tmp)
    assert out.returncode == 0, out.stderr
    folder = tmp / "run"
    return folder, Results.load(folder / "results.h5")


def step_isis(res, label):
    """ISIs (ms) of the spikes at t >= onset, and the step's bounds (s)."""
    attrs = res.attrs["patterns"]
    t = res.spikes[label].times
    t = t[(t >= attrs["onset"]) & (t < attrs["t_stop"])]
    return np.diff(t) * 1e3, t, attrs["onset"], attrs["t_stop"]


def test_metrics_are_those_of_the_saved_spikes(zoo):
    _, res = zoo
    m = res.metrics
    assert sorted(res.attrs["patterns"]["labels"]) == sorted(LABELS)
    for label in LABELS:
        isi, t, onset, stop = step_isis(res, label)
        assert res.spikes[label].times.size == t.size  # none before the onset
        assert m[f"{label}_n_spikes"] == t.size >= 9
        assert m[f"{label}_rate_hz"] == pytest.approx(t.size / (stop - onset),
                                                      rel=1e-12)
        assert m[f"{label}_first_isi_ms"] == pytest.approx(isi[0], rel=1e-12)
        assert m[f"{label}_last_isi_ms"] == pytest.approx(isi[-1], rel=1e-12)
        assert m[f"{label}_isi_ratio"] == pytest.approx(isi[-1] / isi[0], rel=1e-12)
        a = sum((isi[k + 1] - isi[k]) / (isi[k + 1] + isi[k])
                for k in range(isi.size - 1)) / (isi.size - 1)
        assert m[f"{label}_adaptation_index"] == pytest.approx(a, rel=1e-9,
                                                               abs=1e-12)
        assert res.reports[label].units == "mV"
        assert res.reports[label].data.shape == (5001, 1)  # every 0.1 ms
    assert (zoo[0] / "results.h5").stat().st_size < 2e6


def test_labels_of_the_textbook_presets(zoo):
    """The labels, and the numeric criteria behind each claim (ISIs in ms)."""
    _, res = zoo
    assert {label: res.metrics[f"{label}_pattern"] for label in LABELS} == LABELS

    def isis(label):
        return step_isis(res, label)[0]

    # Izhikevich FS: fast, no adaptation after the transient: from the 6th ISI on
    # all within 0.1 %; the rate less than halves from the first ISI (1.86x)
    fs = isis("izhikevich_FS")
    assert 1e3 / fs[-1] > 100.0
    assert fs[5:].max() < 1.001 * fs[5:].min() and fs[-1] / fs[0] < 2.0
    # RS and LTS: spike-frequency adaptation: non-decreasing ISIs, the last at
    # least twice the first (RS 2.14x, LTS 4.6x)
    for label in ("izhikevich_RS", "izhikevich_LTS", "adex_adapting"):
        x = isis(label)
        assert np.all(x[1:] >= 0.98 * x[:-1]) and x[-1] >= 2.0 * x[0], label
    # AdEx adapting: the first 6 ISIs grow one after the other, the last > 3x the
    # first (11.3 to 75.9)
    x = isis("adex_adapting")
    assert np.all(np.diff(x[:6]) > 0.0) and x[-1] > 3.0 * x[0]
    # IB and AdEx initial burst: a burst of 3 spikes (two ISIs < 8), then single
    # spikes, every later ISI > 25 and > 3x the burst's
    for label in ("izhikevich_IB", "adex_initial_burst"):
        x = isis(label)
        assert x[:2].max() < 8.0 and x[2:].min() > max(25.0, 3.0 * x[:2].max()), label
    # CH: bursts again and again: >= 6 ISIs > 20 (the pauses, 46-48), each after at
    # least 3 ISIs < 6 (within the bursts)
    x = isis("izhikevich_CH")
    long = np.flatnonzero(x > 20.0)
    assert long.size >= 6 and np.all(x[x <= 20.0] < 6.0)
    assert (np.diff(np.concatenate([[-1], long])) - 1).min() >= 3
    # AdEx regular bursting: a triplet, then doublets: after two ISIs < 10 the
    # ISIs alternate > 100 and < 10 (131-133 and 5.35)
    x = isis("adex_regular_bursting")
    assert x.size >= 6 and x[:2].max() < 10.0
    assert np.all(x[2::2] > 100.0) and np.all(x[3::2] < 10.0)
    # AdEx irregular: the last half of the ISIs varies (CV > 0.3) without the
    # short/long alternation of a burster (max / min < 10)
    x = isis("adex_irregular")[13:]
    assert x.std() / x.mean() > 0.3 and x.max() / x.min() < 10.0
    # AdEx tonic: every ISI within 8 % of the last
    x = isis("adex_tonic")
    assert np.all(np.abs(x / x[-1] - 1.0) < 0.08)


def test_iaf_fires_at_its_closed_form_rate(zoo):
    """V_reset = V_rest, so every ISI (and the first-ISI rate of each f–I neuron) is
    the closed-form period τ_ref + τ_m ln(...) of ``IAF.rates``; the spikes are
    placed by linear interpolation within a 0.01 ms step."""
    _, res = zoo
    period = 1e3 / float(ns.IAF().rates(np.array(25.0)))
    np.testing.assert_allclose(step_isis(res, "iaf")[0], period, atol=1e-3)
    current = res["fi/iaf/current"]
    assert res.attrs["fi/iaf/current"]["units"] == "nA"
    np.testing.assert_allclose(res["fi/iaf/rate_first"], ns.IAF().rates(current),
                               rtol=1e-3)


def test_fi_curves(zoo):
    _, res = zoo
    for label in LABELS:
        current = res[f"fi/{label}/current"]
        assert current.shape == (FI_NEURONS,) and current[0] == 0.0
        first, mean, steady = (res[f"fi/{label}/{k}"] for k in
                               ("rate_first", "rate_mean", "rate_steady"))
        assert res.attrs[f"fi/{label}/rate_mean"]["units"] == "Hz"
        assert mean[0] == 0.0 and mean[-1] > 10.0, label
        # the first ISI is the shortest for these models: a rate no lower than
        # the step's mean (after the latency of the first spike)
        spiking = mean > 0
        assert np.all(first[spiking] >= 0.9 * mean[spiking]), label
    # below the IAFs' rheobase (V_th - V_rest) / R = 15 nA nothing fires
    for label in ("iaf", "adaptive_iaf"):
        silent = res[f"fi/{label}/current"] < 15.0
        assert np.all(res[f"fi/{label}/rate_mean"][silent] == 0.0)
        assert np.all(res[f"fi/{label}/rate_mean"][~silent] > 0.0)
    # adaptation: the adapting AdEx's steady rate well below its first-ISI rate
    a = res["fi/adex_adapting/rate_first"][-1], res["fi/adex_adapting/rate_steady"][-1]
    assert a[1] < 0.5 * a[0]


def test_the_equation_twin_gives_the_same_spikes(zoo):
    _, res = zoo
    twin = res.spikes["izhikevich_CH_twin"].times
    np.testing.assert_array_equal(twin, res.spikes["izhikevich_CH"].times)
    assert res.metrics["twin_CH_n_spikes"] == twin.size
    assert res.metrics["twin_CH_max_difference_ms"] == 0.0


@pytest.mark.parametrize("isi, label", [
    ([10.0, 10.0], "sparse"),
    ([10.0] * 20, "tonic"),
    ([5.0, 6.0, 7.0, 8.0, 9.0, 9.5] + [9.6] * 10, "tonic"),          # 1.92x
    ([5.0, 6.0, 7.0, 8.0, 9.0, 9.9] + [10.0] * 10, "adapting"),      # 2.0x
    ([10.0 * 1.2 ** k for k in range(10)], "adapting"),               # no period
    ([2.0, 3.0, 40.0] + [30.0] * 10, "initial_burst"),               # IB-like
    ([2.0, 3.0, 4.0, 40.0] + [30.0] * 10, "initial_burst"),
    ([2.0, 3.0, 4.0, 5.0, 40.0] + [30.0] * 10, "irregular"),         # burst too long
    ([2.0, 3.0, 50.0] * 6, "bursting"),
    ([2.0, 3.0, 50.0, 2.0, 60.0, 3.0, 45.0, 2.5, 70.0, 2.0, 55.0, 3.0], "irregular"),
    ([10.0, 12.0, 9.0, 14.0, 11.0, 8.0, 13.0, 10.0, 15.0, 9.0], "irregular"),
])
def test_the_classifier(isi, label):
    assert neuron_zoo.classify(isi)[0] == label


def test_a_period_needs_two_whole_periods():
    assert neuron_zoo.late_period([9.0] * 4 + [2.0, 3.0, 50.0, 2.0, 3.0, 50.0]) == 0
    assert neuron_zoo.late_period([9.0] * 6 + [2.0, 3.0, 50.0] * 2) == 3
    assert np.isnan(neuron_zoo.adaptation_index([5.0]))
    assert neuron_zoo.adaptation_index([1.0, 3.0]) == pytest.approx(0.5)


@pytest.mark.parametrize("key, value, match", [
    ("onset", "0.012345", "onset must be a whole number of steps"),
    ("onset", "0.6", "onset must be before t_stop"),
    ("fi_neurons", "1", "fi_neurons must be an int >= 2"),
    ("fi_range.iaf", "[10.0, 5.0]", "fi_range.iaf must be \\[low, high\\]"),
    ("record_every", "0.000015", "record_every must be a whole number of steps"),
])
def test_bad_settings_are_refused(key, value, match):
    with pytest.raises(ConfigError, match=match):
        runner.resolve_config(runner.load_experiment("neuron-zoo"), {key: value})


def test_redraw_gives_identical_figures(zoo, tmp_path):
    assert_redrawn_alike(zoo[0], FIGURES, tmp_path)
