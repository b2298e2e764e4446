"""Fixtures for the real-browser tests: Debian's Chromium driven by Playwright's sync API."""

import io
import mimetypes
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; without this, Django refuses
# the ORM calls made by fixtures and tests in that thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM_PATH = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
BROWSER_REQUIRED = os.environ.get("REQUIRE_BROWSER_TESTS") == "1"
CHROMIUM_MISSING = "Chromium is not installed (apt-get install chromium): browser tests skipped"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Assertions wait this long for the page to reach the expected state.
EXPECT_TIMEOUT_MS = 10_000

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


def _in_browser_folder(item: pytest.Item) -> bool:
    return BROWSER_TESTS in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM_PATH.exists() or BROWSER_REQUIRED:
        return
    skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in items:
        if _in_browser_folder(item):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run."""
    if not CHROMIUM_PATH.exists():
        # Only reached when REQUIRE_BROWSER_TESTS=1: otherwise the tests were skipped.
        pytest.fail(
            f"REQUIRE_BROWSER_TESTS=1 but Chromium was not found at {CHROMIUM_PATH} "
            "(apt-get install chromium)",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def demo_site(transactional_db, live_server):
    """The demo profile in a database the live server's thread can read."""
    call_command("loaddemo", stdout=io.StringIO())
    return live_server


def _serve_media(route) -> None:
    """Answers /media/ requests from MEDIA_ROOT, as the front web server does in production.

    The test settings run with DEBUG off, so Django itself serves no uploaded file.
    """
    name = route.request.url.split(f"/{settings.MEDIA_URL.strip('/')}/", 1)[1].split("?")[0]
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root in path.parents and path.is_file():
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), content_type=content_type)
    else:
        route.fulfill(status=404, body="")


@pytest.fixture
def new_page(browser, live_server) -> Iterator:
    """Opens pages in a fresh browser context: new_page(width=..., height=...)."""
    contexts = []

    def open_page(*, width: int = 1280, height: int = 800):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        context.route(f"{live_server.url}/{settings.MEDIA_URL.strip('/')}/**", _serve_media)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page in a fresh browser context."""
    return new_page()
