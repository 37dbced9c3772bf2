"""The process pool gives exactly the serial result on the seed."""

from __future__ import annotations

from typing import Any

import pytest

import tm.qa
from tm.models import TranslationUnit
from tm.qa import run_checks


def test_workers_same_as_serial(
    seed_units: list[TranslationUnit], termbase: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = run_checks(seed_units, termbase=termbase)
    monkeypatch.setattr(tm.qa, "PARALLEL_MIN", 0)
    parallel = run_checks(seed_units, termbase=termbase, workers=2)
    assert [f.fingerprint for f in parallel.findings] == [
        f.fingerprint for f in serial.findings
    ]
    assert parallel.findings == serial.findings
