"""The lstm-sequence experiment: on the delay task the LSTM's loss falls far below
the 1/3 of predicting 0 and the plain RNN's stays near it."""

import numpy as np
import pytest

import neurosim.ann as nn
from neurosim import Results, runner

# a shorter delay and less data than the default (delay 80, 1024 sequences)
SMALL = {"delay": "60", "n_train": "512", "n_test": "256", "epochs": "15"}


@pytest.fixture(scope="module")
def experiment():
    return runner.load_experiment("lstm-sequence")


@pytest.fixture(scope="module")
def results(experiment, tmp_path_factory):
    config = runner.resolve_config(experiment, SMALL)
    return experiment.run(config, tmp_path_factory.mktemp("run"))


def test_lstm_beats_the_rnn_by_a_wide_margin(results):
    lstm, rnn = results.metrics["lstm_test_loss"], results.metrics["rnn_test_loss"]
    # measured: LSTM 0.002-0.005, RNN 0.31-0.38 over seeds 0-3
    assert lstm < 0.02
    assert rnn > 0.25
    assert results.metrics["rnn_over_lstm_test_loss"] == pytest.approx(rnn / lstm)
    assert rnn / lstm > 10


def test_metrics_are_the_mean_squared_errors_of_the_stored_predictions(results):
    target = results["sequence/test/target"]
    assert target.shape == (256,)
    for cell in ("lstm", "rnn"):
        error = results[f"sequence/test/{cell}"] - target
        assert results.metrics[f"{cell}_test_loss"] == pytest.approx(
            np.mean(error ** 2), rel=1e-12)
    # predicting 0 scores E[v^2] = 1/3 for v ~ U(-1, 1); sd of the mean ~ 0.019 here
    assert np.mean(target ** 2) == pytest.approx(1 / 3, abs=0.06)
    assert results.attrs["sequence"]["baseline"] == pytest.approx(1 / 3, rel=1e-15)


def test_loss_curves_cover_every_epoch_and_the_lstm_learns(results):
    for cell in ("lstm", "rnn"):
        for key in ("loss", "val_loss"):
            assert results[f"ann/{cell}/history/{key}"].shape == (15,)
    lstm = results["ann/lstm/history/val_loss"]
    assert lstm[-1] < lstm[0] / 10
    rnn = results["ann/rnn/history/val_loss"]
    assert np.all(rnn > 0.25)


def test_saved_models_reproduce_the_test_predictions(results, tmp_path):
    loaded = Results.load(results.save(tmp_path / "r.h5"))
    # the test set is the data stream's third draw (after training and validation)
    data_rng = np.random.default_rng(np.random.SeedSequence(0).spawn(3)[0])
    nn.delay_task(512, 60, rng=data_rng)
    nn.delay_task(256, 60, rng=data_rng)
    X_test, Y_test = nn.delay_task(256, 60, rng=data_rng)
    np.testing.assert_array_equal(Y_test[:, 0], loaded["sequence/test/target"])
    np.testing.assert_array_equal(X_test[0], loaded["sequence/example"])
    for cell, kind in (("lstm", "LSTM"), ("rnn", "RNN")):
        model, history = nn.load_model(loaded, cell)
        assert type(model[0]).__name__ == kind and model[0].n_hidden == 16
        np.testing.assert_array_equal(nn.predict(model, X_test)[:, 0],
                                      loaded[f"sequence/test/{cell}"])
        assert len(history["val_loss"]) == 15
