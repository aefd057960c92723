"""Benchmark: the demo's seminar chart set as PNG through the kept Chromium, against a naive
`fig.to_image` loop (a fresh Chromium per chart) in the same run.

Run with `make bench`. Prints the figures; the only assertion is the ratio the design rests
on (a kept browser is several times faster), so a slow shared machine does not fail it.
"""

from __future__ import annotations

import os
import time

import plotly.io as pio
import pytest

from spindel.extensions import db
from spindel.services.charts import seminar_chart_set
from spindel.services.demo import create_demo
from spindel.services.exports.images import ExportEngine, chart_images, decorate
from tests.conftest import CHROMIUM, png_size

pytestmark = pytest.mark.bench

NAIVE_CHARTS = 5  # a fresh Chromium per chart takes seconds: a few are enough for the ratio


def test_export_of_the_seminar_chart_set(app):
    project = create_demo()
    db.session.commit()
    with app.test_request_context():
        charts = seminar_chart_set(project, lang="sv")
        assert len(charts) >= 20
        figures = [decorate(c.figure, c.title, c.caption, c.responses, 5) for c in charts]

        engine = ExportEngine(CHROMIUM)
        try:
            started = time.perf_counter()
            engine.render(figures[0])  # first use: starts Chromium
            cold = time.perf_counter() - started

            timings = {}
            for fmt in ("svg", "pdf", "png"):
                started = time.perf_counter()
                images = chart_images(charts, fmt, 5, engine)
                timings[fmt] = (time.perf_counter() - started) / len(charts)
                assert len(images) == len(charts)
            assert all(png_size(i)[0] >= 1600 for i in chart_images(charts[:3], "png", 5,
                                                                    engine))
            assert engine.starts == 1
        finally:
            engine.close()

        # The naive way: plotly's to_image starts and stops a Chromium for every image.
        os.environ.setdefault("BROWSER_PATH", CHROMIUM)
        pio.defaults.mathjax = None  # offline, like ours
        started = time.perf_counter()
        for figure in figures[:NAIVE_CHARTS]:
            png = figure.to_image(format="png", width=1600, height=900)
            assert png_size(png) == (1600, 900)
        naive = (time.perf_counter() - started) / NAIVE_CHARTS

    n = len(charts)
    amortised = (cold + timings["png"] * n) / n
    print(f"\n\nExport of the demo's seminar chart set ({n} charts, 1600×900)")
    print(f"  Chromium start, once per process      {cold:7.2f} s")
    print(f"  PNG per chart, kept Chromium          {timings['png']:7.3f} s")
    print(f"  SVG per chart, kept Chromium          {timings['svg']:7.3f} s")
    print(f"  PDF per chart, kept Chromium          {timings['pdf']:7.3f} s")
    print(f"  PNG per chart incl. start, 1 set      {amortised:7.3f} s")
    print(f"  PNG per chart, naive to_image ({NAIVE_CHARTS})    {naive:7.3f} s")
    print(f"  speed-up kept vs naive                {naive / timings['png']:7.1f} ×")
    print(f"  goal: chart export {timings['png']:.3f} s per chart (PNG, kept Chromium; "
          f"goal ≤ 0.150 s: {'met' if timings['png'] <= 0.150 else 'missed'})")
    assert naive / timings["png"] > 3
