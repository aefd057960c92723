"""Benchmark: what a respondent's phone downloads for the answer form — HTML, CSS and JS bytes
as Chromium received them (goal ≤ 30 KB) and requests to any other host (goal 0)."""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

import pytest

from tests.load.conftest import prepare_database

pytestmark = pytest.mark.bench


def test_respondent_form_weight_in_chromium(browser, gunicorn, tmp_path):
    survey = prepare_database(tmp_path, "sqlite")
    server = gunicorn(survey.url)
    print("\nRespondent form weight in Chromium (bytes of each response body as received)")
    for lang in ("sv", "en"):
        context = browser.new_context()
        page = context.new_page()
        seen = []
        page.on("requestfinished", lambda request, seen=seen: seen.append(request))
        page.goto(f"{server.url}/r/{survey.token}?lang={lang}", wait_until="networkidle")
        rows, outside = [], []
        for request in seen:
            if urlsplit(request.url).hostname not in ("127.0.0.1", "localhost"):
                outside.append(request.url)
                continue
            response = request.response()
            body = response.body() if response else b""
            rows.append((request.resource_type, urlsplit(request.url).path, len(body),
                         len(gzip.compress(body))))
        context.close()
        counted = [r for r in rows if r[0] in ("document", "stylesheet", "script")]
        total = sum(r[2] for r in counted)
        total_gz = sum(r[3] for r in counted)
        for kind, path, size, size_gz in rows:
            shown = "/r/[token]" if path.startswith("/r/") else path
            print(f"  {lang}  {kind:<10} {shown:<24} {size:7d} B  (gzip {size_gz:6d} B)")
        print(f"  goal: form weight ({lang}) HTML+CSS+JS {total / 1024:.1f} KB, gzip "
              f"{total_gz / 1024:.1f} KB (goal ≤ 30 KB: {'met' if total <= 30 * 1024 else 'missed'}"
              f"); requests to other hosts {len(outside)} (goal 0); all requests "
              f"{len(rows) + len(outside)}")
        assert outside == []
