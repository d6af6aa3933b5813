"""Bad arguments are refused with a message naming the parameter, value and expectation."""

import numpy as np
import pytest

import neurosim.ann as nn
from neurosim import data


def rng():
    return np.random.default_rng(0)


def dense():
    return nn.Dense(3, 2, rng=rng())


def lif_layer():
    return nn.Sequential([nn.Dense(2, 1, rng=rng())])


CASES = [
    (lambda: nn.Dense(0, 2, rng=rng()), ValueError, "n_in must be >= 1, got 0"),
    (lambda: nn.Dense(3, 2.5, rng=rng()), TypeError, "n_out must be an integer, got 2.5"),
    (lambda: nn.Dense(3, 2, rng=42), TypeError,
     r"rng must be a numpy.random.Generator .*got 42 of type int"),
    (lambda: nn.Dense(3, 2, rng=rng(), init="gauss"), ValueError,
     r"init must be one of \['he', 'xavier'\], got 'gauss'"),
    (lambda: nn.Dropout(1.0, rng=rng()), ValueError, r"rate must satisfy 0 <= rate < 1, got 1.0"),
    (lambda: nn.Dropout(0.5, rng=rng()).fix_mask([[1, 0]]), TypeError,
     "keep must be an array of bools"),
    (lambda: nn.BatchNorm(3, momentum=1.5), ValueError, "momentum must satisfy"),
    (lambda: nn.BatchNorm(2).forward(np.ones((1, 2)), training=True), ValueError,
     r"at least 2 samples in training, got shape \(1, 2\)"),
    (lambda: dense().forward(np.ones((4, 5))), ValueError,
     r"Dense input x must have shape \(batch, features\) with 3 features, got shape \(4, 5\)"),
    (lambda: dense().forward([[1.0, 2.0, 3.0]]), TypeError, "Dense input x must be a numpy array"),
    (lambda: dense().backward(np.ones((4, 2))), RuntimeError,
     "Dense.backward called before forward"),
    (lambda: (lambda d: (d.forward(np.ones((4, 3))), d.backward(np.ones((4, 3)))))(dense()),
     ValueError, r"Dense backward grad must be an array of shape \(4, 2\)"),
    (lambda: nn.Sequential([]), ValueError, "layers must hold at least one layer"),
    (lambda: nn.Sequential([dense(), "relu"]), TypeError,
     r"layers\[1\] must be a Layer, got 'relu'"),
    (lambda: nn.LeakyReLU(-0.1), ValueError, "alpha must be >= 0, got -0.1"),
    (lambda: nn.SoftLIFRate(sigma=0), ValueError, "sigma must be > 0, got 0.0"),
    (lambda: nn.LIFRate(tau_rc=-0.02), ValueError, "tau_rc must be > 0, got -0.02"),
    (lambda: nn.LIFRate(amplitude="big"), TypeError, "amplitude must be a real number, got 'big'"),
    (lambda: nn.PReLU(0), ValueError, "n_features must be >= 1, got 0"),
    (lambda: nn.RNN(2, 3, rng=rng()).forward(np.ones((4, 2))), ValueError,
     r"RNN input x must have shape \(batch, time, features\) with 2 features, got shape \(4, 2\)"),
    (lambda: nn.LSTM(2, 3, rng=rng(), return_sequences=1), TypeError,
     "return_sequences must be a bool, got 1"),
    (lambda: nn.MSE().value(np.ones((3, 2)), np.ones((3, 1))), ValueError,
     r"targets must have the shape of the outputs, \(3, 2\), got \(3, 1\)"),
    (lambda: nn.SoftmaxCrossEntropy().value(np.ones((2, 3)), [0, 3]), ValueError,
     r"targets must lie in \[0, 3\), got 3"),
    (lambda: nn.SoftmaxCrossEntropy().value(np.ones((2, 3)), [0.0, 1.0]), TypeError,
     "targets must be integer class labels, got dtype float64"),
    (lambda: nn.SoftmaxCrossEntropy().value(np.ones((2, 3)), [0, 1, 2]), ValueError,
     r"one label per output row \(2\), got 3"),
    (lambda: nn.BinaryCrossEntropy().value(np.ones((2, 1)), [[0.0], [2.0]]), ValueError,
     r"targets must lie in \[0, 1\] for binary cross-entropy, got values in \[0.0, 2.0\]"),
    (lambda: nn.BinaryCrossEntropy(from_logits=False).value([[1.5]], [[1.0]]), ValueError,
     r"outputs must be probabilities in \[0, 1\] when from_logits=False"),
    (lambda: nn.BinaryCrossEntropy(from_logits="yes"), TypeError, "from_logits must be a bool"),
    (lambda: nn.MSE().value(np.array([[np.nan]]), [[0.0]]), ValueError,
     "outputs must be finite, got nan"),
    (lambda: nn.one_hot([0, 5], 3), ValueError, r"labels must lie in \[0, 3\), got 5"),
    (lambda: nn.accuracy(np.ones((3, 2)), [0, 1]), ValueError,
     r"targets must have shape \(n,\) or \(n, k\) with n = 3"),
    (lambda: nn.SGD(0.0), ValueError, "lr must be > 0, got 0.0"),
    (lambda: nn.Adam(beta1=1.0), ValueError, r"beta1 must satisfy 0 <= beta1 < 1, got 1.0"),
    (lambda: nn.Momentum(nesterov="yes"), TypeError, "nesterov must be a bool, got 'yes'"),
    (lambda: nn.SGD(0.1, penalty=0.01), TypeError, "penalty must be an L1 or L2 penalty"),
    (lambda: nn.SGD(0.1, clip_norm=-1), ValueError, "clip_norm must be > 0, got -1.0"),
    (lambda: nn.L2(-1), ValueError, "strength must be >= 0, got -1.0"),
    (lambda: nn.SGD(0.1).step({"w": np.ones(2)}, {"v": np.ones(2)}), ValueError,
     r"params and grads must have the same names, got \['w'\] and \['v'\]"),
    (lambda: nn.SGD(0.1).step({"w": np.ones(2)}, {"w": np.ones(3)}), ValueError,
     r"grads\['w'\] must have shape \(2,\) like its parameter, got \(3,\)"),
    (lambda: nn.SGD(0.1).step([np.ones(2)], [np.ones(2)]), TypeError,
     "params and grads must be mappings of names to arrays"),
    (lambda: nn.clip_by_value({"w": np.ones(2)}, 0), ValueError, "limit must be > 0, got 0.0"),
    (lambda: nn.train_test_split(np.ones((10, 2)), np.ones(10), 0.0, rng=rng()), ValueError,
     r"test_fraction must satisfy 0 < test_fraction < 1, got 0.0"),
    (lambda: nn.train_test_split(np.ones((10, 2)), np.ones(9), 0.2, rng=rng()), ValueError,
     r"X and Y must hold the same number of samples along axis 0, got shapes \(10, 2\) and \(9,\)"),
    (lambda: nn.train_test_split(np.ones((10, 2)), np.ones(10), 0.2, rng=rng(), stratify=True),
     ValueError, "stratify=True needs integer labels"),
    (lambda: nn.train_validation_test_split(np.ones((10, 2)), np.ones(10), 0.5, 0.5, rng=rng()),
     ValueError, "validation_fraction \\+ test_fraction must be < 1, got 0.5 \\+ 0.5"),
    (lambda: nn.Hopfield([[1.0, 0.0, -1.0]]), ValueError,
     r"patterns must hold only \+1 and -1, got values \[-1.0, 0.0, 1.0\]"),
    (lambda: nn.Hopfield([[1.0, -1.0]]).recall([1.0, 1.0]), TypeError,
     "rng must be a numpy.random.Generator"),
    (lambda: nn.Hopfield([[1.0, -1.0]]).recall([1.0, 1.0, 1.0], rng=rng()), ValueError,
     r"state must have 2 units on its last axis, got shape \(3,\)"),
    (lambda: nn.Hopfield([[1.0, -1.0]]).recall([1.0, 1.0], mode="parallel"), ValueError,
     r"mode must be one of \['async', 'sync'\], got 'parallel'"),
    (lambda: nn.capacity_curve(100, [0, 5], rng=rng()), ValueError,
     "pattern_counts must be a non-empty 1-D array of integers >= 1"),
    (lambda: nn.McCullochPitts([], 1), ValueError, "weights must hold at least one input weight"),
    (lambda: nn.McCullochPitts([1, 1], 1)([1, 0, 1]), ValueError,
     r"X must have shape \(n_in,\) or \(batch, n_in\) with n_in = 2, got \(1, 3\)"),
    (lambda: nn.train_perceptron([[0.0], [1.0]], [0, 2]), ValueError, "y must hold 0/1 targets"),
    (lambda: nn.train_perceptron([[0.0], [1.0]], [0, 1], max_epochs=0), ValueError,
     "max_epochs must be >= 1, got 0"),
    (lambda: nn.logic_gate("xnor"), ValueError, r"name must be one of \['and', 'nand'"),
    (lambda: nn.delay_task(4, 0, rng=rng()), ValueError, "delay must be >= 1, got 0"),
    (lambda: nn.from_config({"class": "Conv2D"}, rng=rng()), ValueError,
     r"config\['class'\] must be one of \[.*'Dense'.*\], got 'Conv2D'"),
    (lambda: nn.from_config({"class": "Dense", "n_in": 2}, rng=rng()), TypeError,
     "config for Dense does not match its constructor"),
    (lambda: nn.numerical_gradient(3, np.ones(2)), TypeError, "f must be callable, got 3"),
    (lambda: nn.predict("model", np.ones((2, 2))), TypeError,
     "model must be a Layer .*got 'model' of type str"),
]


@pytest.mark.parametrize("call, error, match", CASES,
                         ids=[f"case{i}" for i in range(len(CASES))])
def test_bad_arguments_name_what_is_wrong(call, error, match):
    with pytest.raises(error, match=match):
        call()


FIT_CASES = [
    (dict(X=np.ones((4, 3))), ValueError,
     r"Dense input x must have shape \(batch, features\) with 2 features, got shape \(1, 3\)"),
    (dict(X=np.ones(4)), ValueError, r"X must have shape \(n_samples, ...\)"),
    (dict(Y=np.ones((3, 1))), ValueError,
     r"Y: targets must have the shape of the outputs, \(4, 1\), got \(3, 1\)"),
    (dict(epochs=0), ValueError, "epochs must be >= 1, got 0"),
    (dict(batch_size=2.0), TypeError, "batch_size must be an integer, got 2.0"),
    (dict(rng=None), TypeError, "rng must be a numpy.random.Generator .*got None"),
    (dict(loss="mse"), TypeError,
     r"loss must be a Loss \(e.g. SoftmaxCrossEntropy\(\)\), got 'mse'"),
    (dict(optimizer="adam"), TypeError, "optimizer must be an Optimizer"),
    (dict(early_stopping=3), ValueError, "early_stopping needs a validation set"),
    (dict(early_stopping=0, validation=(np.ones((2, 2)), np.ones((2, 1)))), ValueError,
     "early_stopping must be >= 1, got 0"),
    (dict(validation=np.ones((2, 2))), TypeError, "validation must be a pair"),
    (dict(validation=(np.ones((2, 2)), np.ones((3, 1)))), ValueError,
     r"validation Y: targets must have the shape of the outputs, \(2, 1\)"),
    (dict(progress="yes"), TypeError, "progress must be a bool or None, got 'yes'"),
]


@pytest.mark.parametrize("change, error, match", FIT_CASES,
                         ids=[f"fit{i}" for i in range(len(FIT_CASES))])
def test_fit_refuses_bad_arguments(change, error, match):
    args = dict(X=np.ones((4, 2)), Y=np.ones((4, 1)), loss=nn.MSE(), optimizer=nn.SGD(0.1),
                epochs=1, rng=rng())
    args.update(change)
    model = lif_layer()
    with pytest.raises(error, match=match):
        nn.fit(model, args.pop("X"), args.pop("Y"), **args)


def test_digits_missing_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "DIGITS_FILE", tmp_path / "digits" / "digits.csv.gz")
    with pytest.raises(FileNotFoundError, match=r"digits data file is missing: expected .*"
                                                r"digits\.csv\.gz"):
        data.digits()
