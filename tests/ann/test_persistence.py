"""save_model / load_model: a trained model survives the HDF5 results file bit for bit."""

import json

import h5py
import numpy as np
import pytest

import neurosim.ann as nn
from neurosim import Results
from neurosim.data import digits


@pytest.fixture(scope="module")
def trained():
    """A model with every kind of saved state: weights, PReLU slopes, batch-norm
    parameters and running statistics, a soft-LIF layer, dropout; trained with early
    stopping so the history holds a scalar (best_epoch) besides per-epoch lists."""
    X, y = digits()
    X = X[:400] / 16.0
    y = y[:400]
    rng = np.random.default_rng(3)
    model = nn.Sequential([
        nn.Dense(64, 24, rng=rng), nn.BatchNorm(24, momentum=0.8), nn.PReLU(24),
        nn.Dropout(0.1, rng=rng), nn.Dense(24, 16, rng=rng, init="xavier"),
        nn.SoftLIFRate(sigma=0.5, amplitude=0.02), nn.Dense(16, 10, rng=rng)])
    history = nn.fit(model, X[:300], y[:300], loss=nn.SoftmaxCrossEntropy(),
                     optimizer=nn.Adam(0.01), epochs=6, batch_size=50, rng=rng,
                     validation=(X[300:], y[300:]), early_stopping=3, progress=False)
    return model, history, X[300:]


def _roundtrip(results, tmp_path):
    return Results.load(results.save(tmp_path / "r.h5"))


def test_trained_model_round_trips_through_the_file_bit_for_bit(trained, tmp_path):
    model, history, X_test = trained
    # the state really was trained away from its initial values
    assert not np.allclose(model[1].running_mean, 0.0)
    assert not np.allclose(model[2].alpha, 0.25)
    results = Results()
    nn.save_model(results, "net", model, history)
    loaded, loaded_history = nn.load_model(_roundtrip(results, tmp_path), "net")
    assert loaded.get_config() == model.get_config()
    for kind in ("parameters", "buffers"):
        saved, back = getattr(model, kind)(), getattr(loaded, kind)()
        assert list(back) == list(saved)
        for key, arr in saved.items():
            assert back[key].dtype == arr.dtype
            np.testing.assert_array_equal(back[key], arr, err_msg=key)
    np.testing.assert_array_equal(nn.predict(loaded, X_test), nn.predict(model, X_test))
    assert loaded_history == history
    assert isinstance(loaded_history["best_epoch"], int)
    assert len(loaded_history["val_loss"]) == len(history["val_loss"]) >= 4


def test_layout_in_the_hdf5_file(trained, tmp_path):
    model, history, _ = trained
    results = Results()
    nn.save_model(results, "net", model, history)
    path = results.save(tmp_path / "r.h5")
    with h5py.File(path, "r") as f:
        group = f["analysis/ann/net"]
        assert json.loads(group.attrs["architecture"]) == model.get_config()
        assert group.attrs["format"] == "neurosim-ann/1"
        assert sorted(group["parameters"]) == sorted(model.parameters())
        assert sorted(group["buffers"]) == ["1.running_mean", "1.running_var"]
        weight = group["parameters/0.weight"]
        assert weight.shape == (64, 24) and weight.attrs["units"] == "1"
        assert sorted(group["history"]) == ["accuracy", "loss", "val_accuracy",
                                            "val_loss"]
        assert group["history"].attrs["best_epoch"] == history["best_epoch"]
        np.testing.assert_array_equal(group["history/loss"][()], history["loss"])


def test_recurrent_model_round_trips_in_memory_and_saves_a_copy(tmp_path):
    rng = np.random.default_rng(1)
    X, Y = nn.delay_task(64, 5, rng=rng)
    model = nn.Sequential([nn.LSTM(2, 6, rng=rng, forget_bias=2.0),
                           nn.Dense(6, 1, rng=rng)])
    nn.fit(model, X, Y, loss=nn.MSE(), optimizer=nn.Adam(0.01), epochs=2,
           batch_size=16, rng=rng, progress=False)
    results = Results()
    nn.save_model(results, "lstm", model)
    expected = nn.predict(model, X)
    # training on after saving must not change what was saved
    nn.fit(model, X, Y, loss=nn.MSE(), optimizer=nn.Adam(0.01), epochs=1,
           batch_size=16, rng=rng, progress=False)
    for back in (results, _roundtrip(results, tmp_path)):
        loaded, history = nn.load_model(back, "lstm")
        assert history is None
        assert loaded[0].forget_bias == 2.0
        np.testing.assert_array_equal(nn.predict(loaded, X), expected)
    assert not np.array_equal(nn.predict(model, X), expected)


@pytest.fixture
def saved_file(tmp_path):
    rng = np.random.default_rng(0)
    model = nn.Sequential([nn.Dense(3, 4, rng=rng), nn.Tanh(), nn.Dense(4, 2, rng=rng)])
    results = Results()
    nn.save_model(results, "small", model, {"loss": [0.5, 0.25]})
    return results.save(tmp_path / "r.h5")


def test_unknown_name_says_which_models_exist(saved_file):
    results = Results.load(saved_file)
    with pytest.raises(ValueError, match=r"no model named 'other'.*saved models: "
                                         r"\['small'\]"):
        nn.load_model(results, "other")
    with pytest.raises(ValueError, match=r"saved models: \[\]"):
        nn.load_model(Results(), "small")


@pytest.mark.parametrize("architecture, message", [
    ("{not json", "is not valid JSON"),
    (json.dumps({"class": "Conv2D", "filters": 3}), "does not describe a model.*Conv2D"),
    (json.dumps({"class": "Dense", "n_in": 3}), "does not describe a model.*Dense"),
    (json.dumps({"class": "Sequential", "layers": [
        {"class": "Dense", "n_in": 3, "n_out": 5, "init": "he"}, {"class": "Tanh"},
        {"class": "Dense", "n_in": 5, "n_out": 2, "init": "he"}]}),
     r"0.weight has shape \(3, 4\) but the architecture needs \(3, 5\)"),
    (json.dumps({"class": "Sequential", "layers": [
        {"class": "Dense", "n_in": 3, "n_out": 4, "init": "he"}]}),
     r"missing \[\], unexpected \['2.bias', '2.weight'\]"),
])
def test_corrupted_architecture_is_refused_with_the_reason(saved_file, architecture,
                                                           message):
    with h5py.File(saved_file, "r+") as f:
        f["analysis/ann/small"].attrs["architecture"] = architecture
    with pytest.raises(ValueError, match=message):
        nn.load_model(Results.load(saved_file), "small")


def test_missing_parameter_array_is_refused(saved_file):
    with h5py.File(saved_file, "r+") as f:
        del f["analysis/ann/small/parameters/2.bias"]
    with pytest.raises(ValueError, match=r"missing \['2.bias'\], unexpected \[\]"):
        nn.load_model(Results.load(saved_file), "small")


def test_arguments_are_checked_at_the_door(saved_file):
    rng = np.random.default_rng(0)
    model = nn.Dense(2, 2, rng=rng)
    results = Results.load(saved_file)
    with pytest.raises(ValueError, match="'small' is already saved"):
        nn.save_model(results, "small", model)
    with pytest.raises(TypeError, match="results must be a neurosim.Results"):
        nn.save_model({}, "m", model)
    with pytest.raises(TypeError, match="model must be a Layer"):
        nn.save_model(results, "m", {"weight": np.eye(2)})
    with pytest.raises(ValueError, match="model name must be a non-empty name"):
        nn.save_model(results, "a/b", model)
    with pytest.raises(TypeError, match=r"history\['loss'\] must be a number or a 1-D"):
        nn.save_model(results, "m", model, {"loss": "low"})
    with pytest.raises(TypeError, match="history must be a dict"):
        nn.save_model(results, "m", model, [0.1, 0.2])
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        nn.load_model(results, "small", rng=0)
    # nothing was added by the refused calls
    assert results.children("ann") == ["small"]
