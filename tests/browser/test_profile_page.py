"""The profile page in a real browser: on a phone and a wide screen, in French and English,
with axe's WCAG 2.2 rules, with the keyboard alone, and with JavaScript off."""

import io
import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Page, expect

from profiles.models import Membership, Supervision
from publications.models import Authorship
from tests.factories import (
    AuthorFactory,
    ResearcherFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)

from .conftest import _serve_media
from .test_accessibility import DESKTOP, PHONE, assert_no_violations, screenshot

pytestmark = pytest.mark.browser

ADDRESS = {"fr": "/fr/chercheurs/ada/", "en": "/en/researchers/ada/"}
TOPICS_HEADING = {"fr": "Sujets de recherche", "en": "Research topics"}
# Twelve topics: the six with the most publications, then six with fewer or none.
TOPIC_COUNTS = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0]
YEARS = range(2016, 2025)
# Enough presses to walk past the site's menu and the profile's header to its topics.
MAX_TAB_PRESSES = 80


def portrait() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (20, 90, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile("ada.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def profile_site(transactional_db, live_server):
    """Ada's profile: a portrait, a long biography, her pages elsewhere, twelve topics (three
    without publications), thirty publications over nine years (three key), a coauthor who is
    a member, students and a supervisor."""
    ada = researcher_with_author(
        given_name="Ada",
        family_name="Lovelace",
        slug="ada",
        membership=Membership.AFFILIATE,
        position_fr="Chercheuse principale",
        position_en="Principal Scientist",
        organization="Analytical Society",
        bio_fr=(
            "Ada Lovelace étudie les machines analytiques et ce qu'elles peuvent calculer. " * 8
            + "\n\nElle a publié la première note décrivant un algorithme. " * 3
        ),
        bio_en=(
            "Ada Lovelace studies analytical engines and what they can compute. " * 8
            + "\n\nShe published the first note describing an algorithm. " * 3
        ),
        website="https://ada.example.org/",
        google_scholar_url="https://scholar.google.com/citations?user=ada",
        orcid="0000-0002-1825-0097",
        github_url="https://github.com/ada",
        openalex_id="A5023888391",
        dblp_pid="123/4567",
        semantic_scholar_id="1751762",
    )
    ada.portrait.save("ada.png", portrait())
    topics = [
        ResearchTopicFactory(
            slug=f"topic-{n}", name_fr=f"Apprentissage numéro {n}", name_en=f"Learning number {n}"
        )
        for n in range(len(TOPIC_COUNTS))
    ]
    ada.topics.set(topics)
    charles = researcher_with_author(given_name="Charles", family_name="Babbage", slug="charles")
    for number in range(30):
        publication = publication_with_authors(
            [AuthorFactory(), ada.author, charles.author],
            title=f"On the analytical engine, part {number}",
            year=YEARS[number % len(YEARS)],
        )
        publication.topics.set(
            topic for topic, count in zip(topics, TOPIC_COUNTS, strict=True) if number < count
        )
        if number in (3, 11, 20):
            Authorship.objects.filter(publication=publication, author=ada.author).update(
                is_key=True
            )
    Supervision.objects.create(supervisor=charles, student=ada, degree="phd", start_year=2012)
    for year in (2019, 2022):
        Supervision.objects.create(
            supervisor=ada, student=ResearcherFactory(), degree="msc", start_year=year
        )
    return live_server


@pytest.fixture
def no_script_page(browser, live_server) -> Iterator[Page]:
    """A phone-sized page in a browser context with JavaScript turned off."""
    context = browser.new_context(
        viewport={"width": PHONE[0], "height": PHONE[1]},
        base_url=live_server.url,
        java_script_enabled=False,
    )
    context.route(f"{live_server.url}/media/**", _serve_media)
    yield context.new_page()
    context.close()


def open_profile(new_page, lang: str, size: tuple[int, int], query: str = "") -> Page:
    page = new_page(width=size[0], height=size[1])
    response = page.goto(ADDRESS[lang] + query)
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.wait_for_load_state("load")
    return page


def topics_region(page: Page, lang: str):
    return page.get_by_role("region", name=TOPICS_HEADING[lang])


def listed_titles(page: Page) -> list[str]:
    return page.locator("#publications .publication__title").all_inner_texts()


def top(page: Page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


# Accessibility, in each language and at each size


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=lambda size: "x".join(map(str, size)))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_profile_has_no_wcag_violations(profile_site, new_page, lang, size):
    page = open_profile(new_page, lang, size)
    screenshot(page, f"profile-page-{lang}-{size[0]}x{size[1]}")
    assert_no_violations(page)

    # With its closed parts open: the biography, the other topics, an abstract.
    page.locator(".profile__bio-more > summary").click()
    page.locator(".topic-chips__more > summary").click()
    page.locator("#publications .abstract__details > summary").first.click()
    expect(page.locator(".topic-chips__more")).to_have_attribute("open", "")
    assert_no_violations(page)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=lambda size: "x".join(map(str, size)))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_filtered_profile_has_no_wcag_violations(profile_site, new_page, lang, size):
    page = open_profile(new_page, lang, size, "?topic=topic-8&year=2016&q=engine&page=1")
    expect(page.locator(".active-filter-chip")).to_have_count(3)
    screenshot(page, f"profile-page-filtered-{lang}-{size[0]}x{size[1]}")
    assert_no_violations(page)

    bad = open_profile(new_page, lang, size, "?topic=nowhere&year=abc")
    expect(bad.locator(".notice--warning li")).to_have_count(2)
    assert_no_violations(bad)


# Layout


def assert_nothing_scrolls_inside(page: Page) -> None:
    """Neither the page sideways nor any box within it has content to scroll to."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    scrolling = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(element => {
            const style = getComputedStyle(element);
            const scrolls = value => value === 'auto' || value === 'scroll';
            return (scrolls(style.overflowY) && element.scrollHeight > element.clientHeight)
                || (scrolls(style.overflowX) && element.scrollWidth > element.clientWidth);
        }).map(element => element.className || element.tagName)"""
    )
    assert scrolling == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_on_a_phone_the_publications_come_right_after_the_header(profile_site, new_page, lang):
    page = open_profile(new_page, lang, PHONE)
    topics = topics_region(page, lang)
    more = {"fr": "+7 autres", "en": "+7 more"}[lang]

    # Every topic and its publications: the five most published shown, the others one tap away.
    expect(topics.locator(".topic-chip:visible")).to_have_count(6)
    expect(topics.get_by_text(more)).to_be_visible()
    assert topics.bounding_box()["height"] < PHONE[1] / 2
    # Header, topics, key publications, all publications, then what surrounds the work.
    positions = [
        top(page, selector)
        for selector in (
            ".profile__header",
            ".profile__topics",
            ".profile__key",
            "#publications",
            "#supervision-heading",
        )
    ]
    assert positions == sorted(positions)
    assert top(page, ".profile__key article.publication") < 2.5 * PHONE[1]
    assert_nothing_scrolls_inside(page)

    topics.get_by_text(more).click()
    expect(topics.locator(".topic-chip:visible")).to_have_count(13)
    assert_nothing_scrolls_inside(page)


def test_on_a_wide_screen_what_surrounds_the_work_is_beside_the_publications(
    profile_site, new_page
):
    page = open_profile(new_page, "fr", DESKTOP)

    publications = page.locator("#publications").bounding_box()
    supervision = page.locator("#supervision-heading").bounding_box()
    assert supervision["x"] > publications["x"] + publications["width"]
    assert supervision["y"] < publications["y"] + publications["height"]
    assert_nothing_scrolls_inside(page)


# Filtering without leaving the page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_topic_chip_is_reached_and_used_with_the_keyboard_alone(profile_site, new_page, lang):
    page = open_profile(new_page, lang, PHONE)
    chip = topics_region(page, lang).locator('a[href*="topic=topic-2#"]')
    for _ in range(MAX_TAB_PRESSES):
        page.keyboard.press("Tab")
        if chip.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the topic's chip")

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"\?topic=topic-2#publications$"))
    current = topics_region(page, lang).locator('[aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text(
        {"fr": "Apprentissage numéro 2", "en": "Learning number 2"}[lang]
    )
    expect(page.locator("#publications article.publication")).to_have_count(7)
    expect(page.locator(".profile__key")).to_have_count(0)

    remove = page.get_by_role(
        "link",
        name={
            "fr": "Retirer le filtre : Apprentissage numéro 2",
            "en": "Remove filter: Learning number 2",
        }[lang],
        exact=True,
    )
    remove.focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/#publications$"))
    expect(page.locator("#publications article.publication")).to_have_count(20)


def test_the_profile_works_with_javascript_off(profile_site, no_script_page):
    page = no_script_page
    page.goto(ADDRESS["fr"])
    topics = topics_region(page, "fr")

    topics.get_by_text("+7 autres").click()
    expect(topics.locator(".topic-chip:visible")).to_have_count(13)
    page.get_by_text("Lire toute la biographie").click()
    expect(page.get_by_text("première note décrivant", exact=False).first).to_be_visible()

    topics.get_by_role("link", name=re.compile(r"^Apprentissage numéro 7 ")).click()
    expect(page).to_have_url(re.compile(r"\?topic=topic-7#publications$"))
    assert sorted(listed_titles(page)) == [
        "On the analytical engine, part 0",
        "On the analytical engine, part 1",
    ]

    search = page.get_by_role("search", name="Rechercher dans les publications de Ada Lovelace")
    search.get_by_label("Rechercher dans ces publications").fill("engine")
    search.get_by_label("Année").select_option("2017")
    search.get_by_role("button", name="Rechercher").click()

    expect(page).to_have_url(re.compile(r"[?&]year=2017"))
    assert listed_titles(page) == ["On the analytical engine, part 1"]
    expect(page.get_by_role("heading", level=3, name="2017", exact=True)).to_be_visible()
    for name in ("Apprentissage numéro 7", "2017", "“engine”"):
        link = page.get_by_role("link", name=f"Retirer le filtre : {name}", exact=True)
        expect(link).to_be_visible()

    page.get_by_role("link", name="Effacer tous les filtres").click()
    expect(page.locator("#publications article.publication")).to_have_count(20)
    expect(page.locator(".profile__key article.publication")).to_have_count(3)
