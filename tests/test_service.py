"""The service layer's own contract: TermService (reload-on-change, the only writer),
ProjectService (a document and its layer), TMService (owns its matchers, returns data),
and tm.locations (environment and side-car names resolved in one place)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tm import locations
from tm.errors import NotFound
from tm.models import TermEntry
from tm.service import ProjectService, TermService, TMService

SRC = Path(__file__).resolve().parents[1] / "src" / "tm"


@pytest.fixture
def glossary_copy(glossary_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "glossary"
    shutil.copytree(glossary_dir, dest)
    return dest


def _touch_later(path: Path) -> None:
    """Move the modification time on, as a second hand edit within one tick would."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


# -- TermService ------------------------------------------------------------------------


def test_term_service_rereads_a_hand_edited_file(
    tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        (data_dir / "glossary" / "mini.zh-en.yaml").read_text("utf-8"), "utf-8"
    )
    terms = TermService(tmp_path)
    first = terms.load()
    assert terms.load() is first  # unchanged: no reload
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n- zh: 新质生产力\n  en: new quality productive forces\n")
    _touch_later(path)
    again = terms.load()
    assert again is not first
    assert terms.lookup("新质生产力")[0].en == "new quality productive forces"


def test_a_recheck_interval_defers_the_look_at_the_files(
    tmp_path: Path, data_dir: Path
) -> None:
    """A server's term base looks at its files at most once a ``recheck_seconds``;
    its own edits show at once."""
    path = tmp_path / "g.yaml"
    path.write_text(
        (data_dir / "glossary" / "mini.zh-en.yaml").read_text("utf-8"), "utf-8"
    )
    terms = TermService(tmp_path, recheck_seconds=3600)
    first = terms.load()
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n- zh: 新质生产力\n  en: new quality productive forces\n")
    _touch_later(path)
    assert terms.load() is first  # within the interval: not looked at
    terms._checked_at -= 3601  # the interval has passed
    assert terms.lookup("新质生产力")[0].en == "new quality productive forces"
    terms.add(TermEntry(zh="数据资产入表", en="recognizing data assets"))
    assert terms.lookup("数据资产入表")


def test_a_save_keeps_a_hand_edit_made_since_loading(
    tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        (data_dir / "glossary" / "mini.zh-en.yaml").read_text("utf-8"), "utf-8"
    )
    terms = TermService(path)
    terms.load()  # the TUI loaded it at start
    with path.open("a", encoding="utf-8") as fh:  # then someone edits by hand
        fh.write("\n- zh: 新质生产力\n  en: new quality productive forces\n")
    _touch_later(path)
    terms.add(TermEntry(zh="数据资产入表", en="recognizing data assets"))
    reread = TermService(path)
    assert reread.lookup("新质生产力")
    assert reread.lookup("数据资产入表")


def test_an_edit_never_changes_a_term_base_already_handed_out(
    glossary_copy: Path,
) -> None:
    terms = TermService(glossary_copy)
    before = terms.load()
    count = len(before)
    added = terms.add(
        TermEntry(zh="数据资产入表", en="recognizing data assets on the balance sheet")
    )
    assert len(before) == count  # a worker still searching `before` sees no change
    assert not before.lookup("数据资产入表")
    assert len(terms) == count + 1
    assert terms.find("推进数据资产入表")[0].entry == added
    changed = terms.update(added, note="accounting rule of 2024")
    assert terms.lookup("数据资产入表")[0].note == "accounting rule of 2024"
    # saved to the file it belongs to; a fresh service reads it back
    assert TermService(glossary_copy).lookup("数据资产入表")[0] == changed


def test_edits_from_threads_are_all_kept(glossary_copy: Path) -> None:
    terms = TermService(glossary_copy)
    count = len(terms)
    words = [f"测试术语{i}" for i in range(8)]

    def add(zh: str) -> None:
        terms.add(TermEntry(zh=zh, en=f"test term {zh[-1]}"))

    threads = [threading.Thread(target=add, args=(w,)) for w in words]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reread = TermService(glossary_copy)
    assert len(reread) == count + len(words)
    assert all(reread.lookup(w) for w in words)


def test_an_entry_edited_away_on_disk_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    terms = TermService(path, create=True)
    entry = terms.add(TermEntry(zh="攻坚", en="tackle key problems"))
    path.write_text(
        "glossary: {name: g, source_lang: zh-CN, target_lang: en-US}\nentries: []\n",
        "utf-8",
    )
    _touch_later(path)
    with pytest.raises(NotFound):
        terms.update(entry, note="gone")


def test_a_named_glossary_must_exist_the_default_may_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(NotFound):
        TermService(tmp_path / "nowhere").optional()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(locations.ENV_GLOSSARY, raising=False)
    monkeypatch.setattr(locations, "GLOSSARY_DIR", "no-glossary-here")
    assert TermService().optional() is None
    monkeypatch.setenv(locations.ENV_GLOSSARY, str(tmp_path / "nowhere"))
    with pytest.raises(NotFound):  # $TM_GLOSSARY names one: it must exist
        TermService().optional()


def test_export_to_a_stream_and_to_a_path_agree(
    glossary_dir: Path, tmp_path: Path
) -> None:
    terms = TermService(glossary_dir)
    for fmt in ("tbx", "csv", "yaml"):
        stream = io.BytesIO()
        n = terms.export(stream, fmt=fmt)
        path = tmp_path / f"g.{fmt}"
        assert terms.export(path, fmt=fmt) == n > 300
        assert stream.getvalue() == path.read_bytes()


# -- ProjectService ---------------------------------------------------------------------


def test_project_confirms_into_its_own_layer(
    seed_db: Path, next_doc_path: Path
) -> None:
    with TMService.open(seed_db) as master:
        units = master.count_units()
        with ProjectService(master, next_doc_path) as project:
            assert project.path == seed_db.with_name(
                f"{seed_db.stem}.changzhutan-action-plan.zh.project.db"
            )
            project.confirm(3, "A confirmed translation.")
            project.confirm(3, "A better confirmed translation.")
            project.confirm(5, "Another one.")
            assert project.confirmed() == {
                3: "A better confirmed translation.",
                5: "Another one.",
            }
            assert master.count_units() == units  # the master is untouched
            best = project.segment_matches(3, limit=1)
            assert best[0] == ("project", best[0][1])
            assert best[0][1].target == "A better confirmed translation."
            assert best[0][1].score == 101  # same document, same neighbours
            with pytest.raises(IndexError):
                project.confirm(len(project.segments), "past the end")
            # each segment's current translation goes to the master, once
            assert project.commit().added == 2
        assert master.count_units() == units + 2
    with (
        TMService.open(seed_db) as master,
        ProjectService(master, next_doc_path) as again,
    ):
        assert again.confirmed()[3] == "A better confirmed translation."


def test_a_project_beside_a_tm_without_a_file(tmp_path: Path) -> None:
    doc = tmp_path / "plan.zh.txt"
    doc.write_text("第一句。\n", "utf-8")
    with TMService.open(":memory:") as master, ProjectService(master, doc) as project:
        assert project.path == tmp_path / "plan.zh.project.db"
        assert project.segments == ["第一句。"]


# -- TMService --------------------------------------------------------------------------


def test_each_service_owns_its_matchers_and_sees_its_own_imports(
    tmp_path: Path, seed_path: Path
) -> None:
    with TMService.open(tmp_path / "a.db") as a, TMService.open(tmp_path / "b.db") as b:
        assert a.matcher("source") is a.matcher("source")
        assert a.matcher("source") is not b.matcher("source")
        assert (
            a.lookup("国务院关于全国部分地区要素市场化配置综合改革试点实施方案的批复")
            == []
        )
        a.import_file(seed_path)  # invalidates a's matchers: no one-second wait
        assert a.lookup(
            "国务院关于全国部分地区要素市场化配置综合改革试点实施方案的批复"
        )
        with pytest.raises(ValueError, match="side"):
            a.matcher("middle")


def test_export_to_a_stream_is_the_file(seed_db: Path, tmp_path: Path) -> None:
    with TMService.open(seed_db) as service:
        for fmt in ("tsv", "tmx"):
            stream = io.BytesIO()
            n = service.export(stream, fmt=fmt, segtype="paragraph")
            path = tmp_path / f"tm.{fmt}"
            assert service.export(path, fmt=fmt, segtype="paragraph") == n == 305
            # TMX headers carry a creation date: compare after it
            strip = re.compile(rb'creationdate="[^"]*"')
            assert strip.sub(b"", stream.getvalue()) == strip.sub(
                b"", path.read_bytes()
            )


def test_stats_are_the_json_the_cli_prints(seed_db: Path) -> None:
    with TMService.open(seed_db) as service:
        stats = service.stats()
        assert stats["by_segtype"] == {"paragraph": 305, "sentence": 1109}
        assert json.loads(json.dumps(stats)) == stats
        assert service.location == str(seed_db)
        assert service.db_file == seed_db


# -- locations --------------------------------------------------------------------------


def test_environment_is_resolved_in_locations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(locations.ENV_DB, "team.db")
    monkeypatch.setenv(locations.ENV_USER, "reviewer")
    assert locations.db_url() == "team.db"
    assert locations.db_url("mine.db") == "mine.db"
    assert locations.user() == "reviewer"
    assert locations.user("translator") == "translator"
    monkeypatch.delenv(locations.ENV_DB)
    assert locations.db_url() == locations.DEFAULT_DB


@pytest.mark.parametrize(("user_value", "madvise"), [(None, "False"), ("1", "True")])
def test_numpy_defaults_turn_off_huge_pages_unless_the_user_chose(
    user_value: str | None, madvise: str
) -> None:
    """numpy reads its settings once, at import: a fresh process shows what it took.
    ``_set_madvise_hugepage`` returns the setting it replaces."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NUMPY_MADVISE_HUGEPAGE", "OPENBLAS_NUM_THREADS")
    }
    if user_value is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = user_value
    script = (
        "from tm.locations import numpy_defaults; numpy_defaults()\n"
        "import os, numpy\n"
        "print(numpy._core.multiarray._set_madvise_hugepage(False),"
        " os.environ['OPENBLAS_NUM_THREADS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [madvise, "1"]


def test_only_locations_reads_the_environment() -> None:
    """Below the shells, os.environ / getenv appear in tm.locations only (and in the
    PostgreSQL store, for libpq's own PGHOST/PGPORT/PGUSER)."""
    readers = {
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if re.search(r"os\.environ|getenv\(", p.read_text("utf-8"))
    }
    assert readers <= {"locations.py", "store/postgres.py"}


def test_side_car_names() -> None:
    assert locations.match_index_path("tm.db", "source") == Path(
        "tm.db.match-source.npz"
    )
    assert locations.project_db_path("/x/tm.db", "/docs/plan.zh.txt") == Path(
        "/x/tm.plan.zh.project.db"
    )
    assert locations.project_db_path(None, "/docs/plan.zh.txt") == Path(
        "/docs/plan.zh.project.db"
    )
