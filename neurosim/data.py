"""Datasets bundled with neurosim under the repository's ``data/`` folder."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DIGITS_FILE = DATA_DIR / "digits" / "digits.csv.gz"
DIGITS_SHAPE = (1797, 64)


def digits():
    """The 8x8 handwritten digits: 1797 images of the digits 0-9.

    The test set of the UCI "Optical Recognition of Handwritten Digits" data
    (Alpaydin & Kaynak, 1998), as shipped with scikit-learn; see
    ``data/digits/SOURCE.md``. Read from the bundled file, no network needed.

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        Pixel counts in 0..16, each row an 8x8 image in row-major order (divide by 16
        to scale to [0, 1]).
    y : ndarray of int64, shape (1797,)
        Digit shown, 0..9.

    Raises
    ------
    FileNotFoundError
        When ``data/digits/digits.csv.gz`` is not next to the package (e.g. in an
        installed wheel without the data folder).
    ValueError
        When the file does not hold the expected 1797 x 65 table.
    """
    if not DIGITS_FILE.is_file():
        raise FileNotFoundError(f"the digits data file is missing: expected {DIGITS_FILE} "
                                f"(data/digits/ in the neurosim repository, beside the "
                                f"neurosim package)")
    with gzip.open(DIGITS_FILE, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",")
    if table.shape != (DIGITS_SHAPE[0], DIGITS_SHAPE[1] + 1):
        raise ValueError(f"{DIGITS_FILE} must hold a {DIGITS_SHAPE[0]} x "
                         f"{DIGITS_SHAPE[1] + 1} table (64 pixels and a label per row), "
                         f"got {table.shape}")
    X = np.ascontiguousarray(table[:, :-1])
    y = table[:, -1].astype(np.int64)
    return X, y
