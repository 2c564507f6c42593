"""Shared fixture: the shipped parameter set, loaded and validated once per session."""

import pytest

from carbonpeak.parameters import ParameterSet, load


@pytest.fixture(scope="session")
def params() -> ParameterSet:
    return load()
