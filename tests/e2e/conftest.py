"""Browser tests: Playwright for Python driving Debian's chromium against a live server."""

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=vi",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# in between are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class SharedConnectionServer(ThreadedWSGIServer):
    """The live server, answering one request at a time when its threads share the test's
    database connection (an in-memory SQLite database: Django hands the test's own connection
    to every request thread). Two requests at once — a score saved as its box loses the focus
    while the next page loads — would use that one SQLite connection together, which fails at
    random ("bad parameter or other API misuse"). Each browser connection keeps its thread;
    only the application is entered by one request at a time. Against PostgreSQL every thread
    has its own connection, and requests run side by side as in production."""

    def set_app(self, application):
        if not self.connections_override:
            super().set_app(application)
            return
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


LiveServerThread.server_class = SharedConnectionServer


def chromium_path() -> str | None:
    """Debian's chromium, installed on first use where the machine allows it."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if shutil.which("apt-get") is None:
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "chromium"]
    # The package lists of a fresh machine may be stale: refresh them once if the first try fails.
    for attempt in ([install], [["apt-get", "update", "-qq"], install]):
        for command in attempt:
            try:
                subprocess.run(command, check=False, timeout=1200, env=env, capture_output=True)
            except (OSError, subprocess.TimeoutExpired):
                return None
        if os.path.exists(CHROMIUM):
            return CHROMIUM
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = (
            "\n" + "!" * 78 + "\nBROWSER TESTS SKIPPED: Debian's chromium is missing and "
            "'apt-get install -y chromium' failed here.\n" + "!" * 78
        )
        print(message, file=sys.stderr)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # A shared 2-core machine may run the rest of the suite alongside: wait generously.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _requests_finished(transactional_db, live_server):
    """A page closed at the end of a test may leave a request in flight (a score saved as its
    box loses the focus): the live server finishes it before the test's data is emptied, so it
    never lands in the next test's database nor closes a connection that test replaced."""
    yield
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)


@pytest.fixture
def screenshots() -> Path:
    """The folder the browser tests save their screenshots to."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
