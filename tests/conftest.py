"""Shared fixtures: a toolchain with a per-session cache so tests never share state with users."""

from __future__ import annotations

import pytest

from img2asy.asy import Toolchain


@pytest.fixture(scope="session")
def toolchain(tmp_path_factory) -> Toolchain:
    return Toolchain(cache_dir=tmp_path_factory.mktemp("asy-cache"), timeout=30)
