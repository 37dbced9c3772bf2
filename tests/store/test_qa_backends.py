"""QA over each backend: the seed imported the normal way (paragraphs and aligned
sentence units) gives the same report on SQLite and PostgreSQL, and false-positive
marks persist and are honoured on both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tm.service import TermService, TMService
from tm.store import open_store


@pytest.mark.postgres
def test_same_report_on_both_backends(
    postgres_url: str, tmp_path: Path, seed_path: Path, glossary_dir: Path
) -> None:
    reports = []
    for url in (str(tmp_path / "tm.db"), postgres_url):
        with TMService(open_store(url), terms=TermService(glossary_dir)) as service:
            service.import_file(seed_path)
            reports.append(service.qa().to_dict())
    assert reports[0]["findings"]
    assert reports[0] == reports[1]


def test_marks_persist_and_are_honoured(
    store_url: str, seed_path: Path, glossary_dir: Path
) -> None:
    with TMService(open_store(store_url), terms=TermService(glossary_dir)) as service:
        service.import_file(seed_path)
        before = service.qa(checks=["untranslated-han"])
        target = before.findings[0]
        service.mark_false_positive(target.fingerprint, check=target.check, note="ok")
    with TMService(open_store(store_url), terms=TermService(glossary_dir)) as service:
        after = service.qa(checks=["untranslated-han"])
        assert after.suppressed >= 1
        assert target.fingerprint not in {f.fingerprint for f in after.findings}
        service.unmark_false_positive(target.fingerprint)
        again = service.qa(checks=["untranslated-han"])
        assert len(again.findings) == len(before.findings)
