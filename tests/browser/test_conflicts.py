"""Two editors in two browsers on one research topic: the one who saves second sees, in their
language, who saved before and which field, and a form holding both changes, which saves."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from profiles.models import ResearchTopic
from tests.browser.test_accessibility import AXE_OPTIONS, screenshot, violations_report
from tests.browser.test_csp import REPORT_VIOLATIONS, Problems, assert_clean, settle, visit

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"
# The French and English labels of the topic's name fields.
LABELS = {
    "fr": {"name_fr": "Nom [fr]", "name_en": "Nom [en]"},
    "en": {"name_fr": "Name [fr]", "name_en": "Name [en]"},
}


def editor_page(new_page, django_user_model, username: str, first_name: str, lang: str) -> Page:
    """A browser of its own, in ``lang``, signed in to the admin as a new editor."""
    django_user_model.objects.create_superuser(
        username=username, email=f"{username}@example.org", password=PASSWORD, first_name=first_name
    )
    page = new_page()
    page.set_extra_http_headers({"Accept-Language": lang})
    visit(page, reverse("admin:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_be_visible()
    return page


def watch(page: Page) -> Problems:
    problems = Problems()
    page.expose_function("reportCspViolation", problems.add_violation)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", problems.add_console_message)
    page.on("pageerror", problems.add_page_error)
    return problems


def type_name(page: Page, lang: str, value: str) -> None:
    """Type in the French or English name, opening its tab first."""
    page.get_by_role("tab", name=lang.upper()).first.click()
    page.locator(f"#id_name_{lang}").fill(value)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_second_editor_sees_the_notice_and_a_merged_form(
    transactional_db, live_server, new_page, django_user_model, lang
):
    topic = ResearchTopic.objects.create(
        name_fr="Calcul", name_en="Computing", slug_fr="calcul", slug_en="computing"
    )
    url = reverse("admin:profiles_researchtopic_change", args=[topic.pk])
    first = editor_page(new_page, django_user_model, "alice", "Alice", "fr")
    second = editor_page(new_page, django_user_model, "marie", "Marie", lang)
    problems = watch(second)

    visit(second, url)  # opened first, saved last
    visit(first, url)
    type_name(first, "fr", "Calcul scientifique")
    first.locator("input[name=_save]").click()
    expect(first.locator(".messagelist .success")).to_be_visible()

    type_name(second, "en", "Computation")
    second.locator("input[name=_save]").click()

    notice = second.locator(".edit-conflict")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Alice")
    expect(notice).to_contain_text(LABELS[lang]["name_fr"])
    expect(second.locator("html")).to_have_attribute("lang", lang)
    expect(second.locator("#id_name_fr")).to_have_value("Calcul scientifique")
    expect(second.locator("#id_name_en")).to_have_value("Computation")
    topic.refresh_from_db()
    assert topic.name_en == "Computing"  # nothing saved yet
    settle(second)
    assert_clean(problems)
    screenshot(second, f"admin-conflict-{lang}")
    violations = Axe().run(second, context=".edit-conflict", options=AXE_OPTIONS).response
    assert not violations["violations"], violations_report(violations["violations"])
    # axe-core adds a style element of its own to the page it checks: not the site's doing.
    problems.violations.clear()
    problems.console_errors.clear()

    second.locator("input[name=_save]").click()
    expect(second.locator(".messagelist .success")).to_be_visible()
    settle(second)
    topic.refresh_from_db()
    assert (topic.name_fr, topic.name_en) == ("Calcul scientifique", "Computation")
    assert_clean(problems)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_value_both_changed_is_chosen_in_the_notice(
    transactional_db, live_server, new_page, django_user_model, lang
):
    topic = ResearchTopic.objects.create(
        name_fr="Calcul", name_en="Computing", slug_fr="calcul", slug_en="computing"
    )
    url = reverse("admin:profiles_researchtopic_change", args=[topic.pk])
    first = editor_page(new_page, django_user_model, "alice", "Alice", "fr")
    second = editor_page(new_page, django_user_model, "marie", "Marie", lang)
    problems = watch(second)
    visit(second, url)
    visit(first, url)
    type_name(first, "en", "Scientific computing")
    first.locator("input[name=_save]").click()
    expect(first.locator(".messagelist .success")).to_be_visible()

    type_name(second, "en", "Computation")
    second.locator("input[name=_save]").click()

    choice = second.get_by_role("group", name=LABELS[lang]["name_en"])
    expect(choice).to_contain_text("Scientific computing")
    expect(choice).to_contain_text("Computation")
    expect(second.locator("#id_name_en")).to_have_value("Computation")
    screenshot(second, f"admin-conflict-choice-{lang}")
    choice.get_by_role("radio").first.check()  # their value
    second.locator("input[name=_save]").click()
    expect(second.locator(".messagelist .success")).to_be_visible()
    settle(second)
    topic.refresh_from_db()
    assert topic.name_en == "Scientific computing"
    assert_clean(problems)
