from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    from extractor import load

    return load()


# Hypothesis profiles (tests/test_properties*.py): `ci` is the default; `--hypothesis-profile=long`
# for a longer local run.
try:
    from hypothesis import HealthCheck, settings

    _slow_ok = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=_slow_ok,
                              derandomize=True, print_blob=True)
    settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=_slow_ok,
                              print_blob=True)
    settings.load_profile("ci")
except ImportError:  # hypothesis is in the `test` extra
    pass
