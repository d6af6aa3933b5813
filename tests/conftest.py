"""Test-wide settings: caches go to a temporary folder, never the user's home."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    import os
    folder = tmp_path_factory.mktemp("neurosim-cache")
    previous = os.environ.get("NEUROSIM_CACHE_DIR")
    os.environ["NEUROSIM_CACHE_DIR"] = str(folder)
    yield
    if previous is None:
        os.environ.pop("NEUROSIM_CACHE_DIR", None)
    else:
        os.environ["NEUROSIM_CACHE_DIR"] = previous
