"""An editor in a real browser: records a supervision on a researcher's form, choosing the
student through the autocomplete, and sees it on both profiles; adds a topic whose slug in each
language fills itself from that language's name. Within the Content Security Policy."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from profiles.models import ResearchTopic, Supervision
from tests.browser.test_csp import (
    REPORT_VIOLATIONS,
    Problems,
    assert_clean,
    settle,
    sign_in,
    visit,
)
from tests.factories import ResearcherFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def watched_page(page: Page) -> tuple[Page, Problems]:
    problems = Problems()
    page.expose_function("reportCspViolation", problems.add_violation)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", problems.add_console_message)
    page.on("pageerror", problems.add_page_error)
    return page, problems


def choose_in_autocomplete(page: Page, select_id: str, name: str) -> None:
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(name)
    option = page.locator(".select2-container--open .select2-results__option", has_text=name)
    option.first.click()


def test_an_editor_records_a_supervision_seen_on_both_profiles(
    transactional_db, live_server, watched_page, django_user_model
):
    page, problems = watched_page
    page.set_extra_http_headers({"Accept-Language": "en"})
    ada = ResearcherFactory(given_name="Ada", family_name="Lovelace", slug="ada-lovelace")
    ResearcherFactory(given_name="Grace", family_name="Hopper", slug="grace-hopper")
    sign_in(page, django_user_model)

    visit(page, reverse("admin:profiles_researcher_change", args=[ada.pk]))
    group = page.locator("#supervisions-group")
    expect(group.get_by_role("heading", name="Supervises")).to_be_visible()
    expect(page.locator("#supervised_by-group").get_by_role("heading")).to_have_text(
        "Supervised by"
    )
    group.locator(".add-row a").click()
    choose_in_autocomplete(page, "id_supervisions-0-student", "Hopper")
    page.locator("#id_supervisions-0-role").select_option("co")
    page.locator("#id_supervisions-0-degree").select_option("phd")
    page.locator("#id_supervisions-0-start_year").fill("2021")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    settle(page)

    supervision = Supervision.objects.get()
    assert (supervision.student.slug, supervision.role) == ("grace-hopper", "co")
    with translation.override("en"):
        visit(page, reverse("profiles:researcher_detail", args=["grace-hopper"]))
    section = page.locator("section.supervision")
    expect(section.get_by_role("heading", name="Supervisors")).to_be_visible()
    expect(section.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(section).to_contain_text("PhD, co-supervisor, 2021–")
    visit(page, reverse("profiles:researcher_detail", args=["ada-lovelace"]))
    expect(page.locator("section.supervision")).to_contain_text("Étudiants actuels")
    settle(page)

    assert_clean(problems)


def test_the_topic_form_fills_each_languages_slug_from_its_name(
    transactional_db, live_server, watched_page, django_user_model
):
    page, problems = watched_page
    page.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, django_user_model)

    visit(page, reverse("admin:profiles_researchtopic_add"))
    page.locator("#id_name_fr").press_sequentially("Apprentissage continu")
    page.get_by_role("tab", name="EN").first.click()
    page.locator("#id_name_en").press_sequentially("Continual Learning")
    expect(page.locator("#id_slug_en")).to_have_value("continual-learning")
    page.get_by_role("tab", name="FR").first.click()
    expect(page.locator("#id_slug_fr")).to_have_value("apprentissage-continu")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    settle(page)

    topic = ResearchTopic.objects.get()
    assert (topic.slug_fr, topic.slug_en) == ("apprentissage-continu", "continual-learning")
    assert_clean(problems)
