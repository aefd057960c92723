"""Chart images with kaleido: valid files at projector size, the notes a lone file needs,
one kept Chromium, and a clear failure when Chromium is missing or hangs."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import plotly.graph_objects as go
import pytest
from choreographer.errors import BrowserClosedError
from flask_babel import force_locale

from spindel.services.exports.images import ExportEngine, ExportUnavailable, decorate
from tests.conftest import CHROMIUM, png_size

ITEMS = ["Regelverk", "Rutiner", "Mål", "Ledning", "Roller"]


def spider(name: str = "Mätning 1", values=(4, 5, 6, 7, 3)) -> go.Figure:
    figure = go.Figure(go.Scatterpolar(r=list(values), theta=ITEMS, name=name))
    figure.update_layout(polar={"radialaxis": {"range": [1, 10]}})
    return figure


def alive(pid: int) -> bool:
    """Running, not gone and not a zombie waiting for a parent to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def group_ends(pgid: int) -> bool:
    """Waits until every process of a process group someone sent SIGKILL has ended (a
    signal is delivered, not obeyed, by the time killpg() returns). Not a time limit: the
    test's timeout is that."""
    def members():
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                yield stat.parent.name

    while any(members()):
        time.sleep(0.01)
    return True


SLEEP = shutil.which("sleep")


class StandInBrowser:
    """What the engine drives in place of kaleido, doing what the test says, one step per
    image: "answer" draws it, "die" kills the browser's process under the image (kaleido
    then raises BrowserClosedError), "hang" never answers; a first step "hang on start"
    starts the process and then never answers. The process is a real one in its own
    session, like Chromium's, so the engine's killing and reaping are real too."""

    def __init__(self, *steps: str, command: list[str] | None = None):
        self.steps = list(steps)
        self.command = command or [SLEEP, "600"]
        self.subprocess: subprocess.Popen | None = None
        self.closed = False

    async def open(self):
        self.subprocess = subprocess.Popen(self.command, start_new_session=True)
        if self.steps[:1] == ["hang on start"]:
            await asyncio.Event().wait()

    async def calc_fig(self, figure, opts):
        step = self.steps.pop(0)
        if step == "die":
            os.killpg(self.subprocess.pid, signal.SIGKILL)
            self.subprocess.wait()
            raise BrowserClosedError("the browser's pipe closed")
        if step == "hang":
            await asyncio.Event().wait()
        return f"<svg>{opts['format']}</svg>".encode()

    async def close(self):
        self.closed = True
        if self.subprocess.poll() is None:
            self.subprocess.kill()
            self.subprocess.wait()


@pytest.fixture
def engine_of():
    """Makes an engine that starts the given stand-ins one after the other (closed after
    the test, so no stand-in outlives it)."""
    made = []

    def make(*browsers: StandInBrowser, **options) -> ExportEngine:
        queue = list(browsers)
        made.append(ExportEngine(SLEEP, browser=lambda: queue.pop(0), **options))
        return made[-1]

    yield make
    for engine in made:
        engine.close()


def test_decorate_adds_title_caption_count_and_the_note_about_k(app):
    with app.test_request_context(), force_locale("en"):
        figure = decorate(spider(), "All rounds", "Round 3 · BVC", 42, 5)
    assert figure.layout.title.text == "All rounds"
    facts = figure.layout.title.subtitle.text
    assert "Responses: 42" in facts and "fewer than 5 responses are hidden" in facts
    assert figure.layout.annotations[-1].text == "Round 3 · BVC"


def test_a_chart_of_one_group_says_so_on_the_image(app):
    with app.test_request_context(), force_locale("en"):
        figure = decorate(spider(), "Items per round", "", 12, 5, group="BVC")
        assert figure.layout.title.subtitle.text.startswith("Only: BVC · Responses: 12")
        figure = decorate(spider(), "Items per round", "", 12, 5)
        assert "Only" not in figure.layout.title.subtitle.text


def test_a_long_caption_is_wrapped_to_fit_the_image(app):
    caption = "Medelvärde per fråga på skalan 1–10, en linje per mätning. " * 4
    with app.test_request_context():
        figure = decorate(spider(), "Titel", caption, 10, 5)
    lines = figure.layout.annotations[-1].text.split("<br>")
    assert len(lines) > 1 and all(len(line) <= 120 for line in lines)


def test_decorate_leaves_the_chart_itself_alone(app):
    original = spider()
    with app.test_request_context():
        decorate(original, "Titel", "En bildtext", None, 5)
    assert not original.layout.annotations and original.layout.title.text is None


def test_swedish_note(app):
    with app.test_request_context(), force_locale("sv"):
        figure = decorate(spider(), "Titel", "", 12, 5)
    facts = figure.layout.title.subtitle.text
    assert "Svar: 12" in facts and "färre än 5 svar" in facts


def test_png_svg_and_pdf_are_valid_files_at_projector_size(app, export_engine):
    with app.test_request_context(), force_locale("sv"):
        figure = decorate(spider(), "Spindeln – alla mätningar", "Mätning 1", 30, 5)
    png, svg, pdf = (export_engine.render(figure, fmt) for fmt in ("png", "svg", "pdf"))
    width, height = png_size(png)
    assert width >= 1600 and (width, height) == (1600, 900)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.get("width") == "1600"
    assert "Spindeln – alla mätningar" in svg.decode()
    assert "Svar: 30" in svg.decode()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-64:]


def test_one_chromium_is_started_and_kept(export_engine):
    export_engine.render(spider(), "svg")
    pid, starts = export_engine.browser_pid, export_engine.starts
    images = export_engine.render_many([spider(f"Mätning {n}") for n in range(1, 6)], "svg")
    assert len(images) == 5 and all(b"<svg" in image for image in images)
    assert (export_engine.browser_pid, export_engine.starts) == (pid, starts)


def test_missing_chromium_is_a_clear_error(app, tmp_path):
    engine = ExportEngine(str(tmp_path / "no-chromium"))
    with pytest.raises(ExportUnavailable) as raised:
        engine.render(spider())
    with app.test_request_context(), force_locale("sv"):
        assert "Chromium" in str(raised.value.message)
        assert "Diagrambilder" in str(raised.value.message)


@pytest.mark.timeout(120)
def test_a_hung_chromium_is_killed_at_the_timeout(engine_of):
    # A browser stuck at start (its process up, its pipe silent), with a child of its own as
    # Chromium has renderers; it shrugs off a polite SIGTERM.
    stuck = StandInBrowser("hang on start", command=[
        "/bin/sh", "-c", f"trap '' TERM; {SLEEP} 600 & exec {SLEEP} 600"])
    engine = engine_of(stuck, start_timeout=3)
    with pytest.raises(ExportUnavailable) as raised:
        engine.render(spider())
    assert raised.value.reason == "Chromium did not answer within 3 s"  # its start timeout
    assert not alive(stuck.subprocess.pid)  # killed and reaped before render() returned
    assert group_ends(stuck.subprocess.pid)  # the whole process group, not only the browser
    assert not engine.running and engine.starts == 0 and not engine.available()
    assert not stuck.closed  # killed, not asked


@pytest.mark.timeout(60)
def test_a_chromium_hung_on_an_image_is_killed_and_the_next_call_starts_a_new_one(engine_of):
    hung, fresh = StandInBrowser("answer", "hang"), StandInBrowser("answer")
    engine = engine_of(hung, fresh, timeout=1)
    assert engine.render(spider(), "svg") == b"<svg>svg</svg>"
    with pytest.raises(ExportUnavailable) as raised:
        engine.render(spider(), "svg")
    assert raised.value.reason == "Chromium did not answer within 2 s"  # timeout + 1 image
    assert not alive(hung.subprocess.pid) and not engine.running
    assert engine.render(spider(), "svg") == b"<svg>svg</svg>"
    assert engine.starts == 2 and engine.browser_pid == fresh.subprocess.pid
    engine.close()
    assert fresh.closed and not alive(fresh.subprocess.pid)


@pytest.mark.timeout(60)
def test_a_chromium_dying_under_an_image_fails_it_and_the_next_call_starts_a_new_one(engine_of):
    dying, fresh = StandInBrowser("answer", "die"), StandInBrowser("answer", "answer")
    engine = engine_of(dying, fresh)
    engine.render(spider(), "svg")
    with pytest.raises(ExportUnavailable) as raised:
        engine.render(spider(), "svg")
    assert raised.value.reason == "the browser's pipe closed"
    assert not engine.running and engine.starts == 1
    assert engine.render_many([spider(), spider()], "png") == [b"<svg>png</svg>"] * 2
    assert engine.starts == 2 and engine.browser_pid == fresh.subprocess.pid


@pytest.mark.timeout(60)
def test_a_chromium_that_died_between_images_is_replaced_without_failing_a_call(engine_of):
    first, second = StandInBrowser("answer"), StandInBrowser("answer")
    engine = engine_of(first, second)
    engine.render(spider(), "svg")
    os.killpg(first.subprocess.pid, signal.SIGKILL)  # the kernel's OOM killer, say
    first.subprocess.wait()
    assert not engine.running  # the engine sees the death before the next image
    assert engine.render(spider(), "svg") == b"<svg>svg</svg>"
    assert engine.starts == 2 and first.closed and engine.browser_pid == second.subprocess.pid


@pytest.mark.timeout(300)
def test_a_real_chromium_killed_between_images_is_replaced_by_the_next_call():
    """End to end with the real Chromium: draw, kill its whole process group, wait until it
    is reaped (the engine can see that), draw again on a new one."""
    engine = ExportEngine(CHROMIUM)
    try:
        assert engine.render(spider(), "svg").startswith(b"<svg")
        browser = engine.browser_process
        os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()  # reaped, here or by choreographer's watchdog thread
        assert not engine.running
        svg = engine.render(spider(), "svg")
        assert svg.startswith(b"<svg") and b"Regelverk" in svg
        assert engine.starts == 2 and engine.browser_pid != browser.pid
        assert engine.running
    finally:
        engine.close()


def test_unknown_format_is_refused(export_engine):
    with pytest.raises(ValueError):
        export_engine.render(spider(), "gif")
