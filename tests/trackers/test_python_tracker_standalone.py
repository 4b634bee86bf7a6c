"""Runs the tracker's own test suite (``trackers/python/tests``) as part of pyplow's tests.

The tracker is its own distribution with its own tests; they are loaded from there (not copied)
so that ``make test`` at the root covers them too. ``pyplow_tracker`` must be installed (editable)
into the same environment.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyplow_tracker

_TESTS = Path(__file__).resolve().parents[2] / "trackers" / "python" / "tests"


def _load() -> None:
    assert pyplow_tracker.__version__
    for path in sorted(_TESTS.glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"pyplow_tracker_tests.{path.stem}", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, value in vars(module).items():
            if name.startswith("test_") and callable(value):
                assert name not in globals(), f"two tracker tests are named {name}"
                globals()[name] = value


_load()
