"""Drive Weblate's own tmserver machinery class against a server; print JSON.

Run by a Python that has Weblate 5.14 installed (``TM_TEST_WEBLATE_PYTHON``), not by
the test suite's own: Weblate pins its own versions of Django, translate-toolkit and
some hundred packages. A throwaway settings module (Weblate's example settings with
a SQLite database and local-memory caches) lets Django start; nothing touches a
database.

Usage: python weblate_peer.py URL REQUEST.json
  REQUEST: {"projects": [["zh_Hans", "en"], ...], "texts": ["...", ...]}
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

SETTINGS = """\
from weblate.settings_example import *  # noqa: F403
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": %r}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "avatar": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
"""


def main(url: str, request_path: str) -> None:
    request = json.loads(Path(request_path).read_text("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "peer_settings.py").write_text(SETTINGS % str(Path(tmp, "wl.db")))
        sys.path.insert(0, tmp)
        os.environ["DJANGO_SETTINGS_MODULE"] = "peer_settings"
        import django

        django.setup()
        from weblate.lang.models import Language
        from weblate.machinery.base import UnsupportedLanguageError
        from weblate.machinery.tmserver import TMServerTranslation

        machine = TMServerTranslation({"url": url})
        machine.validate_settings()  # what Weblate runs before saving the URL
        pairs = []
        for source, target in request["projects"]:
            try:
                pairs.append(
                    list(
                        machine.get_languages(
                            Language(code=source), Language(code=target)
                        )
                    )
                )
            except UnsupportedLanguageError:
                pairs.append(None)
        found = machine.download_multiple_translations(
            "zh", "en", [(t, None) for t in request["texts"]], None, 75
        )
    json.dump(
        {
            "supported": sorted(machine.supported_languages),
            "pairs": pairs,
            "translations": [found[t] for t in request["texts"]],
        },
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
