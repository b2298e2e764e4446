"""An editor adding, in a real browser, a publication the directory already holds: the form
comes back naming it, keeps what was typed, and saves or merges only on the editor's word, in
French and in English, within the Content Security Policy."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from publications.models import Publication
from tests.browser.test_accessibility import AXE_OPTIONS, violations_report
from tests.browser.test_csp import (
    REPORT_VIOLATIONS,
    Problems,
    assert_clean,
    settle,
    sign_in,
    visit,
)

pytestmark = pytest.mark.browser

TITLE = "Attention as a Hypernetwork"


@pytest.fixture
def watched_page(page: Page) -> tuple[Page, Problems]:
    problems = Problems()
    page.expose_function("reportCspViolation", problems.add_violation)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", problems.add_console_message)
    page.on("pageerror", problems.add_page_error)
    return page, problems


def translated(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


def choose_author(page: Page, row: int, name: str) -> None:
    """Pick an author in a row of the authors list, through its autocomplete."""
    page.locator(f"#id_authorships-{row}-author + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(name)
    option = page.locator(".select2-container--open .select2-results__option", has_text=name)
    option.first.click()


def assert_notice_accessible(page: Page, problems: Problems) -> None:
    """axe's WCAG rules on the notice. The page's own CSP record is checked first: axe's
    injected script applies inline styles that the policy reports."""
    settle(page)
    assert_clean(problems)
    violations = Axe().run(page, context="section.duplicate-notice", options=AXE_OPTIONS)
    assert not violations.response["violations"], violations_report(
        violations.response["violations"]
    )
    settle(page)
    problems.violations.clear()
    problems.console_errors.clear()


def add_the_stored_paper_again(page: Page) -> None:
    visit(page, reverse("admin:publications_publication_add"))
    page.locator("#id_title").fill("Attention as a hypernetwork")
    page.locator("#id_kind").select_option(Publication.Kind.CONFERENCE_PAPER)
    page.locator("#id_year").fill("2025")
    choose_author(page, 0, "Simon Schug")
    page.locator("#publication_form input[name=_save]").last.click()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_duplicate_is_saved_only_once_said_to_be_another_work(
    demo_site, watched_page, django_user_model, lang
):
    page, problems = watched_page
    page.set_extra_http_headers({"Accept-Language": lang})
    stored = Publication.objects.get(title=TITLE)
    sign_in(page, django_user_model)

    add_the_stored_paper_again(page)

    notice = page.locator("section.duplicate-notice")
    expect(notice).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(notice.get_by_role("heading")).to_have_text(
        translated(lang, "This publication may already be stored")
    )
    link = notice.locator(
        f'a[href="{reverse("admin:publications_publication_change", args=[stored.pk])}"]'
    )
    expect(link).to_contain_text(TITLE)
    expect(page.locator("#id_authorships-0-author option:checked")).to_have_text("Simon Schug")
    assert Publication.objects.filter(title__iexact=TITLE).count() == 1
    assert_notice_accessible(page, problems)

    notice.get_by_label(translated(lang, "This is a different work: save it")).check()
    notice.locator("input[type=submit]").click()

    expect(page).to_have_url(re.compile(reverse("admin:publications_publication_changelist")))
    settle(page)
    assert Publication.objects.filter(title__iexact=TITLE).count() == 2
    assert_clean(problems)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_duplicate_merged_into_the_stored_paper_leaves_one(
    demo_site, watched_page, django_user_model, lang
):
    page, problems = watched_page
    page.set_extra_http_headers({"Accept-Language": lang})
    stored = Publication.objects.get(title=TITLE)
    sign_in(page, django_user_model)
    add_the_stored_paper_again(page)
    notice = page.locator("section.duplicate-notice")

    # Enter in a field sends the form without a choice: it comes back, nothing saved.
    page.locator("#id_title").press("Enter")
    expect(notice).to_be_visible()
    notice.locator(f'input[value="merge:{stored.pk}"]').check()
    notice.locator("input[type=submit]").click()

    change_url = reverse("admin:publications_publication_change", args=[stored.pk])
    expect(page).to_have_url(re.compile(re.escape(change_url) + "$"))
    settle(page)
    assert Publication.objects.filter(title__iexact=TITLE).count() == 1
    assert_clean(problems)
