"""Chart images (PNG, SVG, PDF) with kaleido and the system Chromium, and what every
downloaded file says about the selection it shows.

One Chromium per process, started on first use and kept: starting it costs seconds, a chart
then costs a tenth of one. It runs offline — the plotly.js of the installed plotly package,
MathJax off — in one worker thread with its own event loop; callers take turns through a lock
because kaleido's browser is not thread-safe. A hung Chromium is killed after a hard timeout
and a fresh one is started on the next call, as it is when the kept Chromium has died
between two calls. When Chromium is missing or hangs, callers get ExportUnavailable, so a
page can say so and everything else keeps working.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import os
import signal
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import plotly
import plotly.graph_objects as go
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...config import DEFAULT_CHROMIUM
from ..selection import EVERYTHING, Scope

logger = logging.getLogger(__name__)

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
# 16:9 for projectors; PNG at 1600 px wide is sharp on a 1080p projector.
WIDTH, HEIGHT = 1600, 900
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CAPTION_WIDTH = 120  # characters per caption line at 16 px under a 1600 px chart


class ExportUnavailable(RuntimeError):
    """Chart images cannot be made now: Chromium is missing, failed or hung."""

    message = _l("Chart images cannot be made right now: the Chromium browser they are drawn "
                 "with is missing or does not answer. The pages and the other downloads still "
                 "work; try again in a moment or ask your administrator.")

    def __init__(self, reason: str):
        self.reason = reason  # for the log; users see `message`
        super().__init__(reason)


def _kaleido_class():
    import kaleido

    class Kaleido(kaleido.Kaleido):
        """Kaleido that keeps a tab's page between renders.

        Kaleido reloads the page — and so parses plotly.js again — after every image, which
        is two thirds of the time per chart. Each image is drawn in a fresh, purged div and
        a PDF's print style is rewritten for each PDF, so we reload only every RELOAD_EVERY
        images, to bound the page's memory.
        """

        RELOAD_EVERY = 50

        async def _return_kaleido_tab(self, tab):
            tab.spindel_renders = getattr(tab, "spindel_renders", 0) + 1
            if tab.spindel_renders % self.RELOAD_EVERY == 0:
                await tab.reload()
            await self.tabs_ready.put(tab)

    return Kaleido


class ExportEngine:
    """A kept Chromium that turns plotly figures into PNG, SVG or PDF bytes."""

    def __init__(self, chromium: str | None = None, *, timeout: float = 20.0,
                 start_timeout: float = 60.0, tabs: int = 2,
                 browser: Callable[[], object] | None = None):
        self.chromium = chromium or DEFAULT_CHROMIUM
        self.timeout = timeout  # per image
        self.start_timeout = start_timeout
        self.tabs = tabs  # two tabs overlap drawing in Chromium with decoding in Python
        # Makes the (unopened) browser, called in the worker's loop: kaleido driving Chromium.
        # Tests pass a stand-in with the same open/calc_fig/close/subprocess that answers,
        # dies or hangs when the test says so.
        self._new_browser = browser or self._new_kaleido
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None
        self._pid = os.getpid()
        self.starts = 0  # how many Chromiums this engine has started (tests, benchmark)
        self.failed_at: float | None = None  # monotonic time of the last failure

    # --- public ---------------------------------------------------------------------------

    def render(self, figure: go.Figure | dict, fmt: str = "png", *, width: int = WIDTH,
               height: int = HEIGHT) -> bytes:
        """One figure as PNG, SVG or PDF bytes; raises ExportUnavailable."""
        return self.render_many([figure], fmt, width=width, height=height)[0]

    def render_many(self, figures: Iterable[go.Figure | dict], fmt: str = "png", *,
                    width: int = WIDTH, height: int = HEIGHT) -> list[bytes]:
        """Several figures in one turn at the browser (faster than one call each)."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown image format '{fmt}'")
        figures = [f.to_plotly_json() if isinstance(f, go.Figure) else f for f in figures]
        if not figures:
            return []
        opts = {"format": fmt, "width": width, "height": height}
        with self._lock:
            kaleido = self._ensure_started()

            async def draw():
                return await asyncio.gather(*(kaleido.calc_fig(f, opts=opts) for f in figures))

            # Hard limit for the whole turn: a healthy browser needs ~0.1 s a chart.
            return list(self._call(draw(), self.timeout + len(figures)))

    def close(self) -> None:
        """Stop Chromium (also at exit); the next render starts a new one."""
        with self._lock:
            self._stop(kill=False)

    def available(self, *, retry_after: float = 60.0) -> bool:
        """Worth offering images: Chromium is installed and has not failed in the last
        minute (a page can say so up front instead of after a click)."""
        recent = self.failed_at is not None and time.monotonic() - self.failed_at < retry_after
        return Path(self.chromium).is_file() and not recent

    @property
    def running(self) -> bool:
        """A browser is kept and its process has not ended."""
        return self._kaleido is not None and not self._browser_exited()

    @property
    def browser_process(self):
        """The kept browser's process (subprocess.Popen), or None."""
        return getattr(self._kaleido, "subprocess", None)

    @property
    def browser_pid(self) -> int | None:
        process = self.browser_process
        return process.pid if process is not None else None

    # --- the worker thread ----------------------------------------------------------------

    def _ensure_started(self):
        if self._pid != os.getpid():  # forked (gunicorn): the parent's thread is not ours
            self._loop, self._kaleido, self._pid = None, None, os.getpid()
        if self._kaleido is not None:
            if not self._browser_exited():
                return self._kaleido
            # Killed or crashed since the last call: rather than fail this call on a dead
            # pipe, tidy it away (its temporary files too) and start a new one.
            logger.warning("Chromium had ended (exit code %s); starting a new one",
                           self.browser_process.returncode)
            self._stop(kill=False)
        if not Path(self.chromium).is_file():
            self.failed_at = time.monotonic()
            raise ExportUnavailable(f"no Chromium at {self.chromium}")
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="spindel-kaleido", daemon=True).start()
        self._loop = loop

        async def create():
            # Built inside the loop: kaleido's queues belong to the loop that creates them.
            return self._new_browser()

        self._kaleido = self._call(create(), self.start_timeout)
        self._call(self._kaleido.open(), self.start_timeout)
        self.starts += 1
        self.failed_at = None
        return self._kaleido

    def _new_kaleido(self):
        return _kaleido_class()(n=self.tabs, path=self.chromium, plotlyjs=str(PLOTLY_JS),
                                mathjax=False, timeout=self.timeout)

    def _browser_exited(self) -> bool:
        # returncode, not poll(): choreographer's watchdog thread waits on the process, and
        # poll() answers None while another thread waits; returncode is set once reaped.
        process = self.browser_process
        return process is not None and process.returncode is not None

    def _call(self, coroutine, timeout: float):
        from choreographer.errors import BrowserClosedError, BrowserFailedError, ChromeNotFoundError

        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except (concurrent.futures.TimeoutError, TimeoutError):  # ours, or kaleido's per image
            self.failed_at = time.monotonic()
            future.cancel()
            self._stop(kill=True)
            logger.warning("Chromium did not answer within %.0f s; killed it", timeout)
            raise ExportUnavailable(f"Chromium did not answer within {timeout:.0f} s") from None
        except (ChromeNotFoundError, BrowserFailedError, BrowserClosedError, OSError,
                concurrent.futures.CancelledError, asyncio.CancelledError) as exc:
            # CancelledError: kaleido cancels its renders when the browser goes away.
            self.failed_at = time.monotonic()
            self._stop(kill=True)
            logger.warning("Chromium failed: %s", exc)
            raise ExportUnavailable(str(exc)) from exc
        except BaseException:
            # A figure the browser could not draw: our bug, reported as is, on a fresh browser.
            self._stop(kill=True)
            raise

    def _stop(self, *, kill: bool) -> None:
        kaleido, loop = self._kaleido, self._loop
        self._kaleido, self._loop = None, None
        if loop is None:
            return
        if kaleido is not None and not kill:
            try:
                asyncio.run_coroutine_threadsafe(kaleido.close(), loop).result(10)
            except Exception:  # noqa: BLE001 — closing politely failed; kill below
                kill = True
        process = getattr(kaleido, "subprocess", None)
        if process is not None and process.poll() is None:
            try:  # Chromium runs in its own session: kill the whole group, renderers too
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(5)
        loop.call_soon_threadsafe(loop.stop)


def init_app(app) -> None:
    """Give the app its export engine, kept in app.extensions: one Chromium per process,
    started on the first image and closed when the process ends."""
    kept = ExportEngine(app.config["SPINDEL_CHROMIUM"])
    app.extensions["spindel_export_engine"] = kept
    atexit.register(kept.close)


def engine() -> ExportEngine:
    """The app's export engine (Chromium starts on its first render)."""
    return current_app.extensions["spindel_export_engine"]


# --- what goes on an exported chart -------------------------------------------------------


def decorate(figure: go.Figure, title: str, caption: str, responses: int | None,
             k: int, group: str | None = None) -> go.Figure:
    """A copy of a chart's figure for a file that travels alone: the title, under it the one
    group it is restricted to, the response count and that groups under k are hidden, the
    caption (what the chart shows, what it leaves out) at the foot, the legend at the side to
    leave it room."""
    return go.Figure(decorated_spec(figure, title, caption, responses, k, group))


def decorated_spec(figure: go.Figure, title: str, caption: str, responses: int | None,
                   k: int, group: str | None = None) -> dict:
    """decorate() as the plain dict kaleido takes: a quarter of the time per chart, since
    plotly's validation of a whole figure (copy, update_layout) is slower than drawing it.
    Title, group and caption carry names people typed: escaped, as in the figure itself."""
    from ..charts import plotly_text  # charts build on results; imported late, as above

    facts = [_("Only: %(group)s", group=group)] if group else []
    if responses is not None:
        facts.append(_("Responses: %(n)s", n=responses))
    facts.append(_("Groups with fewer than %(k)s responses are hidden.", k=k))
    lines = textwrap.wrap(caption, CAPTION_WIDTH) if caption else []
    spec = figure.to_plotly_json()
    layout = spec.setdefault("layout", {})
    layout["title"] = {
        "text": plotly_text(title), "x": 0.02, "xanchor": "left", "xref": "container",
        "y": 0.97, "yanchor": "top", "yref": "container", "font": {"size": 30},
        "subtitle": {"text": plotly_text(" · ".join(facts)), "font": {"size": 18}}}
    layout["font"] = {**layout.get("font", {}), "size": 18}
    layout["legend"] = {**layout.get("legend", {}), "orientation": "v", "x": 1.02,
                        "xanchor": "left", "y": 1, "yanchor": "top"}
    layout["margin"] = {"t": 140, "b": 95 + 24 * len(lines),
                        "l": layout.get("margin", {}).get("l", 80), "r": 40}
    layout["paper_bgcolor"] = "white"
    layout.pop("height", None)  # the image's size decides
    layout.pop("width", None)
    if lines:
        layout["annotations"] = [*layout.get("annotations", ()), {
            "text": "<br>".join(map(plotly_text, lines)), "xref": "paper", "yref": "paper",
            "x": 0, "y": 0,
            "xanchor": "left", "yanchor": "top", "yshift": -75, "showarrow": False,
            "align": "left", "font": {"size": 16, "color": "#333333"}}]
    return spec


def seminar_charts(project, lang: str = "sv", rounds: Sequence[int] | None = None,
                   profession: str | None = None, district: str | None = None,
                   scope: Scope = EVERYTHING) -> list:
    """The charts a seminar shows (services.charts): the chosen rounds side by side (none =
    every round), of the whole rounds or of one profession or one district, as far as the
    reader's scope goes. Raises SelectionError for anything else."""
    from .. import charts  # charts build on results; imported late to keep this module light

    return charts.seminar_chart_set(project, lang, list(rounds or ()) or None, profession,
                                    district, scope=scope)


def seminar_chart_names(project, lang: str = "sv", rounds: Sequence[int] | None = None,
                        profession: str | None = None, district: str | None = None,
                        scope: Scope = EVERYTHING) -> list:
    """Key and title of each of the seminar's charts, without drawing them."""
    from .. import charts

    return charts.chart_list(charts.Published(project, lang, scope),
                             charts.ChartView(tuple(rounds or ()), profession, district))


def seminar_chart(project, key: str, lang: str = "sv", rounds: Sequence[int] | None = None,
                  profession: str | None = None, district: str | None = None,
                  scope: Scope = EVERYTHING):
    """The seminar's chart with this key, built alone (None: no such chart)."""
    from .. import charts

    return charts.one_chart(charts.Published(project, lang, scope),
                            charts.ChartView(tuple(rounds or ()), profession, district), key)


def chart_images(charts: Sequence, fmt: str, k: int,
                 export_engine: ExportEngine | None = None,
                 group: str | None = None) -> list[bytes]:
    """Decorated images of charts (services.charts.Chart) in one turn at the browser; group
    names the one profession or district the charts are restricted to."""
    figures = [decorated_spec(c.figure, c.title, c.caption, c.responses, k, group)
               for c in charts]
    return (export_engine or engine()).render_many(figures, fmt)
