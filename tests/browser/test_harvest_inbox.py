"""An editor working through the harvest's inbox in a real browser, in French and in English:
a diff read and some changes applied, a new work accepted, a version accepted, a suspected
duplicate rejected; every page within the Content Security Policy and free of axe violations."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from harvest.models import Candidate
from publications.models import Publication
from tests.browser.test_accessibility import AXE_OPTIONS, violations_report
from tests.browser.test_csp import REPORT_VIOLATIONS, Problems, assert_clean, settle, visit
from tests.harvest.test_inbox import five_candidates

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
PERMISSIONS = ["view_candidate", "change_candidate", "view_publication", "change_publication"]


def translated(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


@pytest.fixture
def watched_page(page: Page) -> tuple[Page, Problems]:
    problems = Problems()
    page.expose_function("reportCspViolation", problems.add_violation)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", problems.add_console_message)
    page.on("pageerror", problems.add_page_error)
    return page, problems


def sign_in_as_editor(page: Page, django_user_model) -> None:
    """A staff member with the inbox's permissions (those the Editors group is given)."""
    editor = django_user_model.objects.create_user(
        username="editor", password=PASSWORD, is_staff=True
    )
    editor.user_permissions.add(*Permission.objects.filter(codename__in=PERMISSIONS))
    visit(page, reverse("admin:login"))
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_be_visible()


def assert_accessible(page: Page, problems: Problems) -> None:
    """The page's own CSP record first (axe's injected script applies inline styles that the
    policy reports), then axe's WCAG rules; the reports of axe's run are dropped."""
    settle(page)
    assert_clean(problems)
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, violations_report(violations)
    settle(page)
    problems.violations.clear()
    problems.console_errors.clear()


def review(page: Page, candidate: Candidate) -> None:
    visit(page, reverse("admin:harvest_candidate_change", args=[candidate.pk]))


def decide(page: Page, lang: str, button: str) -> None:
    page.get_by_role("button", name=translated(lang, button)).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:harvest_candidate_changelist"))))
    expect(page.locator(".messagelist .success")).to_be_visible()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_editor_reviews_an_inbox_of_five(
    transactional_db, live_server, watched_page, django_user_model, lang
):
    page, problems = watched_page
    page.set_extra_http_headers({"Accept-Language": lang})
    inbox = five_candidates()
    sign_in_as_editor(page, django_user_model)

    visit(page, reverse("admin:harvest_candidate_changelist"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    assert_accessible(page, problems)

    # Changed fields: the diff shows the stored and the proposed values; one change is applied.
    review(page, inbox["changes"])
    changes = page.locator("table.candidate-review__changes")
    expect(changes.locator("del", has_text="NIPS workshop")).to_be_visible()
    expect(changes.locator("ins", has_text="Deep Learning Workshop, NIPS 2012")).to_be_visible()
    assert_accessible(page, problems)
    changes.locator("#change-publisher").uncheck()
    decide(page, lang, "Apply the chosen changes")
    stored = Publication.objects.get(doi="10.1234/p2")
    assert (stored.venue, stored.publisher) == ("Deep Learning Workshop, NIPS 2012", "")

    # A new work, published now.
    review(page, inbox["new"])
    assert_accessible(page, problems)
    page.locator("#id_publish").check()
    decide(page, lang, "Accept as a new publication")
    assert Publication.objects.get(doi="10.1234/new.1").is_published

    # A new version of the stored paper it was matched to.
    review(page, inbox["version"])
    assert_accessible(page, problems)
    decide(page, lang, "Accept as a version")
    assert Publication.objects.get(doi="10.1234/p1").versions.count() == 1

    # A suspected duplicate, rejected.
    review(page, inbox["duplicate"])
    expect(page.locator(".candidate-review__reasons li").first).to_be_visible()
    assert_accessible(page, problems)
    decide(page, lang, "Reject")

    # The retracted work is what is left to review; its page says so.
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    review(page, inbox["retracted"])
    expect(page.locator(".candidate-review__retraction")).to_be_visible()
    assert_accessible(page, problems)
    assert_clean(problems)
