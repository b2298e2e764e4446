"""axe-core's WCAG 2.2 A and AA rules on every kind of public page, phone and desktop sizes.

Each page is also saved as a full-page screenshot in test-artifacts/screenshots/ for review.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from publications.models import (
    FieldOrigin,
    Publication,
    PublicationCitationYear,
    PublicationNotice,
)

from .conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
PHONE = (390, 844)
DESKTOP = (1280, 800)
LANGUAGES = ["fr", "en"]
# Shown with each violation: enough to find the element without flooding the report.
TARGETS_SHOWN = 3

DEMO_SLUG = "razvan-pascanu"
DEMO_TOPIC = "apprentissage-par-renforcement"
DEMO_PUBLICATION_TITLE = "Attention as a Hypernetwork"


def _publication_list() -> str:
    return f"{reverse('publications:publication_list')}?topic=optimisation&year_from=2024"


def _publication_page() -> str:
    return Publication.objects.get(title=DEMO_PUBLICATION_TITLE).get_absolute_url()


# page name -> (address, given the active language; HTTP status expected)
PAGES: dict[str, tuple[Callable[[], str], int]] = {
    "directory": (lambda: reverse("profiles:researcher_list"), 200),
    "profile": (lambda: reverse("profiles:researcher_detail", args=[DEMO_SLUG]), 200),
    "publications-filtered": (_publication_list, 200),
    "topic": (lambda: reverse("profiles:topic_detail", args=[DEMO_TOPIC]), 200),
    "publication": (_publication_page, 200),
    "not-found": (lambda: reverse("profiles:researcher_detail", args=["nobody-by-this-name"]), 404),
}

axe = Axe()


def page_address(name: str, lang: str) -> tuple[str, int]:
    address, status = PAGES[name]
    with translation.override(lang):
        return address(), status


def open_page(new_page, name: str, lang: str, size: tuple[int, int]) -> Page:
    address, status = page_address(name, lang)
    width, height = size
    page = new_page(width=width, height=height)
    response = page.goto(address)
    assert response.status == status, f"{address} answered {response.status}"
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.wait_for_load_state("load")
    return page


def violations_report(violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe violation(s):"]
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = "; ".join(targets[:TARGETS_SHOWN])
        more = f" (+{len(targets) - TARGETS_SHOWN} more)" if len(targets) > TARGETS_SHOWN else ""
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']}: {shown}{more}"
        )
    return "\n".join(lines)


def assert_no_violations(page: Page) -> None:
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, violations_report(violations)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"{name}.png", full_page=True)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=lambda size: "x".join(map(str, size)))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_wcag_violations(demo_site, new_page, name, lang, size):
    page = open_page(new_page, name, lang, size)
    screenshot(page, f"{name}-{lang}-{size[0]}x{size[1]}")
    assert_no_violations(page)


def test_profile_with_an_abstract_open_has_no_wcag_violations(demo_site, new_page):
    page = open_page(new_page, "profile", "fr", PHONE)
    first = page.locator("article.publication details").first
    first.locator("summary").click()
    expect(first).to_have_attribute("open", "")
    screenshot(page, f"profile-open-abstract-fr-{PHONE[0]}x{PHONE[1]}")
    assert_no_violations(page)


def _retract_demo_publication() -> None:
    """The demo publication, cited, corrected, then retracted: its page opens with the
    retraction and shows its citations per year; the profile's item carries a badge."""
    publication = Publication.objects.get(title=DEMO_PUBLICATION_TITLE)
    publication.cited_by_count = 1234
    publication.citations_read_at = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    publication.save()
    publication.field_sources.create(
        field_name="cited_by_count", origin=FieldOrigin.HARVEST, source="openalex"
    )
    PublicationCitationYear.objects.bulk_create(
        PublicationCitationYear(publication=publication, year=2026 - n, count=100 * n + 3)
        for n in range(5)
    )
    for kind, doi in [
        (PublicationNotice.Kind.CORRECTION, "10.1000/fix.1"),
        (PublicationNotice.Kind.EXPRESSION_OF_CONCERN, "10.1000/concern.1"),
        (PublicationNotice.Kind.RETRACTION, "10.1000/retract.1"),
    ]:
        publication.notices.create(kind=kind, doi=doi, date=date(2026, 2, 14))


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=lambda size: "x".join(map(str, size)))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["publication", "profile"])
def test_a_retracted_publication_with_citations_has_no_wcag_violations(
    demo_site, new_page, name, lang, size
):
    _retract_demo_publication()
    page = open_page(new_page, name, lang, size)
    if name == "publication":
        expect(page.locator(".publication-alert")).to_be_visible()
        expect(page.locator("table.citation-years caption")).to_be_visible()
    else:
        expect(page.locator(".badge--retracted")).to_have_count(1)
    screenshot(page, f"{name}-retracted-{lang}-{size[0]}x{size[1]}")
    assert_no_violations(page)
