"""The bundled digits load without network or scikit-learn."""

import hashlib

import numpy as np

from neurosim import data


def test_digits_shape_dtypes_and_classes():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0 and np.all(X == np.round(X))
    np.testing.assert_array_equal(np.bincount(y),
                                  [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_first_image_is_a_zero():
    X, y = data.digits()
    assert y[0] == 0
    np.testing.assert_array_equal(X[0, :8], [0, 0, 5, 13, 9, 1, 0, 0])
    np.testing.assert_array_equal(X[0].reshape(8, 8)[:, 0], 0)


def test_bundled_file_is_the_documented_one():
    digest = hashlib.sha256(data.DIGITS_FILE.read_bytes()).hexdigest()
    source = (data.DIGITS_FILE.parent / "SOURCE.md").read_text()
    assert digest in source
