"""The page of a background BibTeX import in a real browser: a progress bar that its script
updates within the Content Security Policy, then the report once the worker is done."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from publications.models import Publication
from tests.browser.test_csp import BIBTEX_ENTRY, assert_clean, sign_in, visit, watched

pytestmark = pytest.mark.browser

__all__ = ["watched"]  # the fixture, for pytest to find


def test_the_progress_page_follows_the_worker_then_shows_the_preview(
    transactional_db, live_server, watched, django_user_model, settings
):
    settings.BIBTEX_IMPORT_INLINE_MAX_BYTES = 10  # this one entry goes to the worker
    page, problems = watched
    page.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, django_user_model)
    visit(page, reverse("admin:publications_publication_import_bibtex"))
    page.locator("textarea[name=text]").fill(BIBTEX_ENTRY)
    page.locator("#content-main input[type=submit]").click()

    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Waiting for a worker to start it…")
    page.wait_for_load_state("networkidle")

    # Between two of the page's questions (every 2 seconds), as a worker process would.
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=io.StringIO())

    expect(page.get_by_text("1 new, 0 other versions")).to_be_visible()
    expect(page.locator("input[name=confirm]")).to_have_count(1)
    assert Publication.objects.count() == 0
    assert_clean(problems)
