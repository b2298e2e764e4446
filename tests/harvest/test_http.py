"""The HTTP client every source is read through: retries, waits, rate limit, messages."""

import logging
import threading
import time
import traceback
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from werkzeug import Response

from harvest.http import SourceClient
from harvest.sources.base import SourceError


@pytest.fixture
def openalex(source_server):
    return source_server("openalex")


def _paths(server) -> list[str]:
    return [request.path for request, _ in server.log]


def test_a_json_body_is_read(openalex):
    openalex.expect_request("/works/W1").respond_with_json({"id": "W1"})

    with SourceClient("openalex") as client:
        assert client.get_json("/works/W1") == {"id": "W1"}


def test_the_request_names_the_site_and_its_contact(openalex):
    openalex.expect_request("/works").respond_with_json({})

    with SourceClient("openalex") as client:
        client.get_json("works")

    request, _ = openalex.log[0]
    agent = request.headers["User-Agent"]
    assert agent.startswith("research-directory/")
    assert "+http://testserver" in agent
    assert "mailto:directory@example.org" in agent
    assert request.headers["Accept"] == "application/json"


def test_a_path_under_the_source_url_and_an_absolute_next_link(source_server):
    server = source_server("orcid", prefix="/v3.0")
    server.expect_request("/v3.0/0000-0002-1825-0097/works").respond_with_json({"page": 1})
    server.expect_request("/elsewhere/next").respond_with_json({"page": 2})

    with SourceClient("orcid") as client:
        assert client.get_json("0000-0002-1825-0097/works") == {"page": 1}
        assert client.get_json(server.url_for("/elsewhere/next")) == {"page": 2}


def test_text_is_read_with_the_accept_header_asked_for(openalex):
    openalex.expect_request("/feed").respond_with_data(
        "<feed>é</feed>", content_type="application/atom+xml; charset=utf-8"
    )

    with SourceClient("openalex") as client:
        assert client.get_text("feed", accept="application/atom+xml") == "<feed>é</feed>"

    assert openalex.log[0][0].headers["Accept"] == "application/atom+xml"


def test_a_server_error_is_tried_again(openalex):
    openalex.expect_oneshot_request("/works").respond_with_data("down", status=500)
    openalex.expect_request("/works").respond_with_json({"ok": True})

    with SourceClient("openalex") as client:
        assert client.get_json("works") == {"ok": True}

    assert _paths(openalex) == ["/works", "/works"]


def test_a_server_error_every_time_names_the_source_path_and_status(openalex, settings):
    settings.HARVEST_RETRIES = 2
    openalex.expect_request("/works").respond_with_data("Service down for repairs", status=503)

    with SourceClient("openalex") as client, pytest.raises(SourceError) as raised:
        client.get_json("works", params={"filter": "author.id:A1"})

    message = str(raised.value)
    assert message.startswith("openalex: GET /works?filter=author.id:A1 answered 503")
    assert "Service down for repairs" in message
    assert "after 3 attempts" in message
    assert len(openalex.log) == 3


@pytest.mark.parametrize(
    "retry_after",
    [
        lambda: "1",
        lambda: format_datetime(datetime.now(timezone.utc) + timedelta(seconds=3), usegmt=True),
    ],
    ids=["seconds", "http-date"],
)
def test_too_many_requests_waits_as_long_as_retry_after_says(openalex, settings, retry_after):
    settings.HARVEST_LONGEST_WAIT_SECONDS = 5.0
    openalex.expect_oneshot_request("/works").respond_with_data(
        "slow down", status=429, headers={"Retry-After": retry_after()}
    )
    openalex.expect_request("/works").respond_with_json({"ok": True})

    with SourceClient("openalex") as client:
        started = time.monotonic()
        assert client.get_json("works") == {"ok": True}
        waited = time.monotonic() - started

    # The backoff alone would be 10 ms; an HTTP date counts in whole seconds.
    assert 0.9 <= waited < 5


def test_a_wait_longer_than_the_longest_allowed_is_cut_short(openalex, settings):
    settings.HARVEST_LONGEST_WAIT_SECONDS = 0.2
    openalex.expect_oneshot_request("/works").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    openalex.expect_request("/works").respond_with_json({"ok": True})

    with SourceClient("openalex") as client:
        started = time.monotonic()
        assert client.get_json("works") == {"ok": True}

    assert time.monotonic() - started < 2


def test_a_timeout_is_tried_again_then_reported(openalex, settings):
    settings.HARVEST_TIMEOUT_SECONDS = 0.2
    settings.HARVEST_RETRIES = 1

    def slow(request):
        time.sleep(0.5)
        return Response("{}", content_type="application/json")

    openalex.expect_request("/works/W1").respond_with_handler(slow)

    with SourceClient("openalex") as client, pytest.raises(SourceError) as raised:
        client.get_json("works/W1")

    assert str(raised.value) == "openalex: GET /works/W1 timed out (after 2 attempts)"


def test_a_source_that_cannot_be_reached_is_reported(settings):
    # The test settings point every source at a port where nothing listens.
    with SourceClient("crossref") as client, pytest.raises(SourceError) as raised:
        client.get_json("works/10.1/x")

    assert str(raised.value).startswith("crossref: GET /works/10.1/x could not be read (")
    assert str(raised.value).endswith("(after 4 attempts)")


def test_a_body_that_is_not_json_is_a_source_error(openalex):
    openalex.expect_request("/works").respond_with_data(
        "<html>Gateway</html>", content_type="application/json"
    )

    with SourceClient("openalex") as client, pytest.raises(SourceError) as raised:
        client.get_json("works")

    assert str(raised.value).startswith("openalex: GET /works answered a body that is not JSON")


def test_a_client_error_is_not_tried_again(openalex):
    openalex.expect_oneshot_request("/works").respond_with_json(
        {"error": "Invalid query parameters error.", "message": "filter is not valid"}, status=400
    )
    openalex.expect_request("/works").respond_with_json({"ok": True})

    with SourceClient("openalex") as client, pytest.raises(SourceError) as raised:
        client.get_json("works", params={"filter": "nonsense"})

    assert "ANSWERED 400 BAD REQUEST" in str(raised.value).upper()
    assert "filter is not valid" in str(raised.value)
    assert len(openalex.log) == 1


def test_a_missing_work_is_none_when_the_caller_allows_it(openalex):
    openalex.expect_request("/works/W404").respond_with_data("Not found", status=404)

    with SourceClient("openalex") as client:
        assert client.get_json("works/W404", missing_ok=True) is None
        assert client.get_text("works/W404", missing_ok=True) is None
        with pytest.raises(SourceError, match=r"^openalex: GET /works/W404 answered 404"):
            client.get_json("works/W404")


def test_the_api_key_is_in_no_message_nor_log(openalex, settings, caplog):
    caplog.set_level(logging.INFO)
    settings.HARVEST_SOURCES["openalex"]["API_KEY"] = "s3cret-key-123"
    openalex.expect_request("/works").respond_with_data(
        "Invalid api_key s3cret-key-123", status=403
    )
    openalex.expect_request("/authors").respond_with_data("busy", status=500)

    with SourceClient("openalex") as client:
        for path in ("works", "authors"):
            with pytest.raises(SourceError) as raised:
                client.get_json(path, params={"api_key": client.api_key, "mailto": "a@b.org"})
            shown = "".join(traceback.format_exception(raised.value))
            assert "s3cret-key-123" not in shown
            assert "api_key" not in str(raised.value).split(" answered")[0]
            assert f"GET /{path}?mailto=a%40b.org answered" in str(raised.value)

    # The key itself did reach the source, and the request log shows where it was.
    assert openalex.log[0][0].args["api_key"] == "s3cret-key-123"
    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert httpx_lines
    assert all("api_key=%5Bhidden%5D" in line or "api_key=[hidden]" in line for line in httpx_lines)
    ours = [r.getMessage() for r in caplog.records if r.name != "werkzeug"]  # the test server's
    assert not [line for line in ours if "s3cret-key-123" in line]


def test_a_source_missing_from_the_settings_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="HARVEST_SOURCES has no source named 'nope'"):
        SourceClient("nope")


def test_requests_to_one_source_are_spaced_across_clients_and_threads(source_server):
    server = source_server("dblp", requests_per_second=10)
    server.expect_request("/search").respond_with_json({})
    clients = [SourceClient("dblp"), SourceClient("dblp")]

    def ask(client):
        client.get_json("search")

    started = time.monotonic()
    threads = [threading.Thread(target=ask, args=(clients[i % 2],)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for client in clients:
        client.close()

    # Five requests at ten a second: at least four intervals of 0.1 s between the first and last.
    assert len(server.log) == 5
    assert elapsed >= 0.38


def test_another_source_is_not_held_back_by_a_slow_one(source_server):
    server = source_server("arxiv", requests_per_second=0.5)
    source_server("crossref")
    server.expect_request("/api").respond_with_json({})
    server.expect_request("/works").respond_with_json({})

    with SourceClient("arxiv") as arxiv, SourceClient("crossref") as crossref:
        arxiv.get_json("api")
        started = time.monotonic()
        for _ in range(3):
            crossref.get_json("works")

    assert time.monotonic() - started < 1
