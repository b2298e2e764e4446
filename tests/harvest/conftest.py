"""Fixtures for the harvest's tests: each source read from a local HTTP server, never the web."""

import copy
import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

DATA = Path(__file__).parent / "data"


@pytest.fixture
def source_server(httpserver: HTTPServer, settings):
    """Point a source named in HARVEST_SOURCES at pytest-httpserver's local server.

    ``source_server("openalex")`` returns the ``httpserver`` after setting the source's URL to
    it and its rate to 1000 requests a second (so tests do not wait); ``prefix="/v3.0"`` puts
    the source's URL under a path, ``requests_per_second=`` sets another rate. The settings
    come back as they were after the test. Build the adapter or client after calling it: both
    read the settings when they are created."""

    def point(name: str, *, prefix: str = "", requests_per_second: float = 1000.0) -> HTTPServer:
        sources = copy.deepcopy(settings.HARVEST_SOURCES)
        sources[name] = {
            **sources[name],
            "URL": httpserver.url_for(prefix or "/").rstrip("/"),
            "REQUESTS_PER_SECOND": requests_per_second,
        }
        settings.HARVEST_SOURCES = sources
        return httpserver

    return point


@pytest.fixture
def stored_body():
    """Read a stored response body from tests/harvest/data: ``stored_body("crossref/x.json")``
    gives the parsed JSON (a fresh copy each call), any other file its text."""

    def read(relative: str):
        text = (DATA / relative).read_text(encoding="utf-8")
        return json.loads(text) if relative.endswith(".json") else text

    return read
