"""The forked path gives exactly the serial result."""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

import pytest

import tm.qa
from tm.models import TranslationUnit
from tm.qa import run_checks


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs fork")
def test_workers_same_as_serial(
    seed_units: list[TranslationUnit], termbase: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = run_checks(seed_units, termbase=termbase)
    monkeypatch.setattr(tm.qa, "PARALLEL_MIN", 0)
    forked = run_checks(seed_units, termbase=termbase, workers=2)
    assert [f.fingerprint for f in forked.findings] == [
        f.fingerprint for f in serial.findings
    ]
    assert forked.findings == serial.findings
