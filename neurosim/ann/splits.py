"""Random train / validation / test splits, optionally stratified by class."""

from __future__ import annotations

import numpy as np

from ..validation import _show
from .checks import as_fraction, as_generator


def _class_labels(Y):
    """Integer class of each sample from labels (n,) or one-hot rows (n, k)."""
    if Y.ndim == 1 and Y.dtype.kind in "iub":
        return Y
    if Y.ndim == 2 and Y.shape[1] > 1:
        return Y.argmax(axis=1)
    raise ValueError(f"stratify=True needs integer labels of shape (n,) or one-hot rows "
                     f"of shape (n, k), got Y with shape {Y.shape} and dtype {Y.dtype}")


def _test_indices(n, labels, test_fraction, rng):
    if labels is None:
        n_test = min(max(int(round(test_fraction * n)), 1), n - 1)
        return rng.permutation(n)[:n_test]
    chosen = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        chosen.append(members[:int(round(test_fraction * members.size))])
    test = np.concatenate(chosen)
    if test.size == 0 or test.size == n:
        raise ValueError(f"test_fraction={test_fraction} leaves "
                         f"{'no test' if test.size == 0 else 'no training'} samples once "
                         f"stratified by class")
    return rng.permutation(test)


def train_test_split(X, Y, test_fraction, rng, *, stratify=False):
    """Split samples at random into a training and a test set.

    Parameters
    ----------
    X : array_like, shape (n, ...)
        Inputs, one sample per row.
    Y : array_like, shape (n, ...)
        Targets, one per sample.
    test_fraction : float
        Fraction of samples for the test set, 0 < test_fraction < 1 (rounded to whole
        samples; at least one sample in each set).
    rng : numpy.random.Generator
        Source of the random assignment.
    stratify : bool
        Keep each class's share: take ``test_fraction`` of every class (Y must be
        integer labels or one-hot rows).

    Returns
    -------
    X_train, X_test, Y_train, Y_test : ndarray
        Rows of X and Y; the test rows in random order, the training rows in their
        original order.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim == 0 or Y.ndim == 0 or X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must hold the same number of samples along axis 0, "
                         f"got shapes {X.shape} and {Y.shape}")
    n = X.shape[0]
    if n < 2:
        raise ValueError(f"splitting needs at least 2 samples, got {n}")
    test_fraction = as_fraction("test_fraction", test_fraction, allow_zero=False)
    rng = as_generator("rng", rng)
    if not isinstance(stratify, bool):
        raise TypeError(f"stratify must be a bool, got {_show(stratify)}")
    test = _test_indices(n, _class_labels(Y) if stratify else None, test_fraction, rng)
    train = np.ones(n, dtype=bool)
    train[test] = False
    return X[train], X[test], Y[train], Y[test]


def train_validation_test_split(X, Y, validation_fraction, test_fraction, rng, *,
                                stratify=False):
    """Split samples at random into training, validation and test sets.

    Parameters
    ----------
    X, Y, rng, stratify
        As for ``train_test_split``.
    validation_fraction, test_fraction : float
        Fractions of all samples for the validation and test sets, each in (0, 1),
        summing to less than 1.

    Returns
    -------
    X_train, X_val, X_test, Y_train, Y_val, Y_test : ndarray
    """
    validation_fraction = as_fraction("validation_fraction", validation_fraction,
                                      allow_zero=False)
    test_fraction = as_fraction("test_fraction", test_fraction, allow_zero=False)
    if validation_fraction + test_fraction >= 1.0:
        raise ValueError(f"validation_fraction + test_fraction must be < 1, got "
                         f"{validation_fraction} + {test_fraction}")
    X_rest, X_test, Y_rest, Y_test = train_test_split(X, Y, test_fraction, rng=rng,
                                                      stratify=stratify)
    X_train, X_val, Y_train, Y_val = train_test_split(
        X_rest, Y_rest, validation_fraction / (1.0 - test_fraction), rng=rng,
        stratify=stratify)
    return X_train, X_val, X_test, Y_train, Y_val, Y_test
