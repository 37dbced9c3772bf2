"""What Weblate 5.14's "tmserver" machinery does over HTTP, replayed for tests.

Written from how ``weblate/machinery/tmserver.py`` and ``weblate/machinery/base.py``
behave (Weblate's own class needs its Django project to run):

- the configured URL loses a trailing ``/``; each further path part is
  percent-encoded with nothing kept safe, so a ``/`` in the text becomes ``%2F``;
- a language code is lower-cased with ``-`` made ``_``; for a project language it
  tries the code, then the code cut at each ``_`` from the right (``zh_hans``, ``zh``),
  against the pairs of ``GET <url>/languages/`` (every source with every target; a
  404 there means "any pair");
- a look-up is ``GET <url>/<src>/<tgt>/unit/<text[:500] with \\r made a space>``; any
  HTTP error raises; each answer item gives ``int(quality)``, kept at or above the
  threshold (75 for suggestions, 10 for search), as ``text`` from ``target``;
- saving the URL in Weblate's settings first fetches the languages, then looks up
  "test" from ``en`` into ``de``: both must succeed.

Headers are Weblate's: its User-Agent, a Referer (the site URL) and
``Accept: application/json; charset=utf-8``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

USER_AGENT = "Weblate/5.14.3"
SITE_URL = "http://weblate.example.test"
TIMEOUT = 5


class HTTPStatusError(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"{status} error")
        self.status = status
        self.body = body


@dataclass
class WeblateTMServer:
    url: str

    def _api_url(self, *parts: str | bytes) -> str:
        base = self.url.rstrip("/")
        return "/".join([base, *(quote(p, safe=b"") for p in parts)])

    def _get(self, url: str) -> Any:
        req = urllib.request.Request(
            url,
            headers={
                "User-Agent": USER_AGENT,
                "Referer": SITE_URL,
                "Accept": "application/json; charset=utf-8",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raise HTTPStatusError(exc.code, exc.read()) from exc

    @staticmethod
    def map_code(code: str) -> str:
        return code.replace("-", "_").lower()

    def supported_pairs(self) -> set[tuple[str, str]]:
        try:
            data = self._get(self._api_url("languages", ""))
        except HTTPStatusError as exc:
            if exc.status == 404:
                return set()
            raise
        return {
            (s, t) for s in data["sourceLanguages"] for t in data["targetLanguages"]
        }

    def possibilities(self, code: str) -> list[str]:
        out = [self.map_code(code)]
        code = code.replace("-", "_")
        while "_" in code:
            code = code.rsplit("_", 1)[0]
            out.append(self.map_code(code))
        return out

    def pick_pair(self, source: str, target: str) -> tuple[str, str] | None:
        """The codes Weblate would send for a project from ``source`` into ``target``."""
        pairs = self.supported_pairs()
        for s in self.possibilities(source):
            for t in self.possibilities(target):
                if not pairs or (s, t) in pairs:
                    return s, t
        return None

    def download_translations(
        self, source: str, target: str, text: str, threshold: int = 75
    ) -> list[dict[str, Any]]:
        url = self._api_url(
            source, target, "unit", text[:500].replace("\r", " ").encode()
        )
        out = []
        for line in self._get(url):
            quality = int(line["quality"])
            if quality < threshold:
                continue
            out.append(
                {
                    "text": line["target"],
                    "quality": quality,
                    "service": "tmserver",
                    "source": line["source"],
                }
            )
        return out

    def validate_settings(self) -> None:
        """What Weblate runs before it saves the machinery's URL."""
        self.supported_pairs()
        self.download_translations("en", "de", "test", 75)
