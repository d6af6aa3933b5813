"""fit, predict, accuracy and the split helpers."""

import io
import json

import numpy as np
import pytest

import neurosim.ann as nn
from neurosim.data import digits


@pytest.fixture(scope="module")
def small_digits():
    X, y = digits()
    return X[:600] / 16.0, y[:600]


def test_fit_is_reproducible_from_the_rng_and_records_history(small_digits):
    X, y = small_digits

    def train(seed):
        rng = np.random.default_rng(seed)
        model = nn.Sequential([nn.Dense(64, 16, rng=rng), nn.ReLU(), nn.Dense(16, 10, rng=rng)])
        history = nn.fit(model, X[:500], y[:500], loss=nn.SoftmaxCrossEntropy(),
                         optimizer=nn.Adam(), epochs=3, batch_size=50, rng=rng,
                         validation=(X[500:], y[500:]), progress=False)
        return model, history

    (a, history), (b, _), (c, _) = train(0), train(0), train(1)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert json.loads(json.dumps(history)) == history
    assert all(len(values) == 3 for values in history.values())
    assert history["loss"][2] < history["loss"][0]
    for name, value in a.parameters().items():
        np.testing.assert_array_equal(value, b.parameters()[name])
    assert not np.array_equal(a[0].weight, c[0].weight)
    loss = nn.SoftmaxCrossEntropy()
    outputs = nn.predict(a, X[500:])
    assert history["val_loss"][-1] == pytest.approx(loss.value(outputs, y[500:]), rel=1e-12)
    assert history["val_accuracy"][-1] == nn.accuracy(outputs, y[500:])


def test_early_stopping_restores_the_best_epoch(small_digits):
    X, y = small_digits
    rng = np.random.default_rng(2)
    model = nn.Sequential([nn.Dense(64, 64, rng=rng), nn.ReLU(), nn.Dense(64, 10, rng=rng)])
    history = nn.fit(model, X[:100], y[:100], loss=nn.SoftmaxCrossEntropy(),
                     optimizer=nn.Adam(0.01), epochs=200, batch_size=10, rng=rng,
                     validation=(X[300:], y[300:]), early_stopping=3, progress=False)
    epochs_run = len(history["val_loss"])
    best = int(np.argmin(history["val_loss"]))
    assert epochs_run < 200 and history["best_epoch"] == best == epochs_run - 4
    restored = nn.SoftmaxCrossEntropy().value(nn.predict(model, X[300:]), y[300:])
    assert restored == pytest.approx(min(history["val_loss"]), rel=1e-12)


def test_predict_in_chunks_equals_one_pass(small_digits):
    X, _ = small_digits
    rng = np.random.default_rng(3)
    model = nn.Sequential([nn.Dense(64, 10, rng=rng), nn.BatchNorm(10)])
    np.testing.assert_allclose(nn.predict(model, X, batch_size=64), nn.predict(model, X),
                               rtol=1e-13)


def test_divergence_raises_with_advice():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(20, 3))
    model = nn.Sequential([nn.Dense(3, 1, rng=rng)])
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError,
                                                  match="loss became .* lower the"):
        nn.fit(model, X, 1e3 * X[:, :1], loss=nn.MSE(), optimizer=nn.SGD(1e3), epochs=50,
               batch_size=20, rng=rng, progress=False)


def test_progress_bar_only_when_asked(monkeypatch):
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    for progress, shown in ((None, False), (False, False), (True, True)):
        stream = io.StringIO()
        monkeypatch.setattr("sys.stderr", stream)
        model = nn.Sequential([nn.Dense(2, 1, rng=rng)])
        nn.fit(model, X, Y, loss=nn.MSE(), optimizer=nn.SGD(0.1), epochs=2, rng=rng,
               progress=progress)
        assert ("fit" in stream.getvalue()) is shown


def test_binary_classification_history_and_accuracy():
    X, y = nn.logic_gate("or")
    rng = np.random.default_rng(6)
    model = nn.Sequential([nn.Dense(2, 1, rng=rng)])
    history = nn.fit(model, X, y[:, None].astype(float), loss=nn.BinaryCrossEntropy(),
                     optimizer=nn.Adam(0.1), epochs=100, batch_size=4, rng=rng,
                     progress=False)
    assert history["accuracy"][-1] == 1.0
    assert nn.accuracy(nn.predict(model, X), y) == 1.0


def test_accuracy_reads_labels_one_hot_and_binary_outputs():
    scores = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 1.0], [5.0, 0.0, 0.0]])
    assert nn.accuracy(scores, [0, 1, 2, 1]) == 0.75
    assert nn.accuracy(scores, nn.one_hot([0, 1, 2, 1], 3)) == 0.75
    assert nn.accuracy([-1.0, 2.0, 0.3], [0, 1, 0]) == pytest.approx(2 / 3)
    assert nn.accuracy([[0.2], [0.7]], [[0.0], [1.0]], threshold=0.5) == 1.0


def test_stratified_split_keeps_each_class_share():
    X, y = digits()
    rng = np.random.default_rng(7)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, 0.2, rng, stratify=True)
    counts = np.bincount(y)
    np.testing.assert_array_equal(np.bincount(y_test), np.round(0.2 * counts).astype(int))
    np.testing.assert_array_equal(np.bincount(y_train) + np.bincount(y_test), counts)
    rows = {row.tobytes() for row in np.column_stack([X, y])}
    split_rows = [r.tobytes() for r in np.column_stack([np.vstack([X_train, X_test]),
                                                        np.concatenate([y_train, y_test])])]
    assert len(split_rows) == len(X) and set(split_rows) <= rows


def test_three_way_split_sizes_and_disjointness():
    X = np.arange(100.0)[:, None]
    Y = np.arange(100)
    parts = nn.train_validation_test_split(X, Y, 0.2, 0.1, rng=np.random.default_rng(8))
    X_train, X_val, X_test, Y_train, Y_val, Y_test = parts
    assert (len(X_train), len(X_val), len(X_test)) == (70, 20, 10)
    ids = np.concatenate([Y_train, Y_val, Y_test])
    np.testing.assert_array_equal(np.sort(ids), np.arange(100))
    np.testing.assert_array_equal(X_val[:, 0], Y_val)
