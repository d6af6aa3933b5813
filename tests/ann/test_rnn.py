"""The delay task: an LSTM holds a value over 80 noisy steps; a tanh RNN does not."""

import numpy as np

import neurosim.ann as nn

DELAY, HIDDEN = 80, 16


def test_delay_task_layout():
    X, Y = nn.delay_task(5, 3, rng=np.random.default_rng(0))
    assert X.shape == (5, 4, 2) and Y.shape == (5, 1)
    np.testing.assert_array_equal(X[:, 0, 0], Y[:, 0])
    np.testing.assert_array_equal(X[:, :, 1], [[1, 0, 0, 0]] * 5)
    assert np.all(np.abs(X[:, :, 0]) <= 1)


def validation_loss(cell):
    rng = np.random.default_rng(0)
    X, Y = nn.delay_task(512, DELAY, rng=rng)
    X_val, Y_val = nn.delay_task(256, DELAY, rng=rng)
    layer = (nn.LSTM(2, HIDDEN, rng=rng, forget_bias=3.0) if cell == "LSTM"
             else nn.RNN(2, HIDDEN, rng=rng))
    model = nn.Sequential([layer, nn.Dense(HIDDEN, 1, rng=rng, init="xavier")])
    history = nn.fit(model, X, Y, loss=nn.MSE(), optimizer=nn.Adam(0.01, clip_norm=1.0),
                     epochs=15, batch_size=32, rng=rng, validation=(X_val, Y_val),
                     progress=False)
    return history["val_loss"][-1]


def test_lstm_remembers_across_the_delay_and_the_rnn_does_not():
    lstm, rnn = validation_loss("LSTM"), validation_loss("RNN")
    # predicting 0 scores 1/3
    assert lstm < 0.01
    assert rnn > 0.25
