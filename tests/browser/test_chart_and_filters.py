"""Publications per year, coauthors and the list filters in a real browser: on a phone the
results come first and no box scrolls inside the page; the chart's bars are links a keyboard
reaches; axe finds no WCAG 2.2 A/AA violation in either language, on a phone or a desktop."""

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from profiles.models import Researcher, ResearchTopic
from publications.models import Author, Publication

from .conftest import SCREENSHOT_DIR
from .test_accessibility import DESKTOP, LANGUAGES, PHONE, assert_no_violations

pytestmark = pytest.mark.browser

DEMO_SLUG = "razvan-pascanu"
DEMO_TOPIC = "apprentissage-par-renforcement"
# Enough presses to walk past the header and the researchers of a topic.
MAX_TAB_PRESSES = 120
FOCUS_COLOR = "rgb(194, 65, 12)"

# Elements (but the page itself) whose content is taller or wider than their box and that
# scroll it: a box inside the page.
SCROLLING_BOXES = """() => [...document.querySelectorAll('body *')].filter((element) => {
  const style = getComputedStyle(element);
  const scrolls = (overflow) => overflow === 'auto' || overflow === 'scroll';
  return (scrolls(style.overflowY) && element.scrollHeight > element.clientHeight)
    || (scrolls(style.overflowX) && element.scrollWidth > element.clientWidth);
}).map((element) => `${element.tagName.toLowerCase()}.${element.className}`)"""
PAGE_IS_WIDER_THAN_THE_SCREEN = (
    "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
)


def address(name: str, lang: str, **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def topic_address(lang: str) -> str:
    topic = ResearchTopic.objects.get(slug_fr=DEMO_TOPIC)
    with translation.override(lang):
        return topic.get_absolute_url()


def author_list_address(lang: str) -> str:
    """The publication list filtered by a coauthor of the demo researcher who has no profile."""
    author = Author.objects.filter(researcher__isnull=True, authorships__isnull=False).first()
    return f"{address('publications:publication_list', lang)}?author={author.pk}"


# page name -> its address in a language
PAGES: dict[str, Callable[[str], str]] = {
    "directory": lambda lang: address("profiles:researcher_list", lang),
    "publications": lambda lang: address("publications:publication_list", lang),
    "publications-by-author": author_list_address,
    "topic-with-figures": topic_address,
    "coauthors": lambda lang: address("profiles:researcher_coauthors", lang, slug=DEMO_SLUG),
}


def open_page(new_page, path: str, size: tuple[int, int]) -> Page:
    width, height = size
    page = new_page(width=width, height=height)
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    page.wait_for_load_state("load")
    return page


def scrolling_boxes(page: Page) -> list[str]:
    return page.evaluate(SCROLLING_BOXES)


@pytest.fixture
def many_topics(demo_site) -> None:
    """300 more topics, each on a demo publication and on the demo researcher: the facets'
    longest columns."""
    researcher = Researcher.objects.get(slug=DEMO_SLUG)
    publications = list(Publication.objects.filter(is_published=True))
    topics = ResearchTopic.objects.bulk_create(
        ResearchTopic(
            slug_fr=f"sujet-{n:03}",
            slug_en=f"topic-{n:03}",
            name_fr=f"Sujet numéro {n:03}",
            name_en=f"Topic number {n:03}",
        )
        for n in range(300)
    )
    links = Publication.topics.through
    links.objects.bulk_create(
        links(publication=publications[n % len(publications)], researchtopic=topic)
        for n, topic in enumerate(topics)
    )
    researcher.topics.add(*topics)


# Phones: the results first, nothing that scrolls but the page


@pytest.mark.parametrize(
    ("name", "first_result"),
    [("publications", ".publication-list > li"), ("directory", ".researcher-grid > li")],
)
def test_on_a_phone_the_first_result_shows_before_any_scrolling(
    many_topics, new_page, name, first_result
):
    page = open_page(new_page, PAGES[name]("fr"), PHONE)

    summary = page.locator(".list-filters__summary")
    expect(summary).to_be_visible()
    expect(page.locator(".filter-form")).to_be_hidden()
    box = page.locator(first_result).first.bounding_box()
    assert box["y"] + min(box["height"], 120) <= PHONE[1], box
    assert page.evaluate("() => window.scrollY") == 0

    summary.click()
    expect(page.locator(".filter-form")).to_be_visible()
    more = page.locator(".facet__more > summary").first
    expect(more).to_have_text(re.compile(r"^\+3\d\d autres$"))
    more.click()
    expect(page.get_by_label("Sujet numéro 150", exact=False)).to_be_visible()
    assert scrolling_boxes(page) == []
    assert not page.evaluate(PAGE_IS_WIDER_THAN_THE_SCREEN)


def test_the_filters_say_how_many_are_in_use_and_keep_them(demo_site, new_page):
    page = open_page(new_page, f"{PAGES['publications']('en')}?topic={DEMO_TOPIC}", PHONE)

    summary = page.locator(".list-filters__summary")
    expect(summary).to_have_text("Filters (1 active)")
    summary.click()
    page.get_by_role("group", name="Kind").get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page.locator(".list-filters__summary")).to_have_text("Filters (2 active)")
    expect(page.locator(".publication-list > li").first).to_be_in_viewport()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_box_scrolls_inside_the_page_on_a_phone(demo_site, new_page, name):
    page = open_page(new_page, PAGES[name]("fr"), PHONE)
    for summary in page.locator("details > summary").all():
        if summary.is_visible():
            summary.click()

    assert scrolling_boxes(page) == []
    assert not page.evaluate(PAGE_IS_WIDER_THAN_THE_SCREEN)


def test_on_a_desktop_the_filters_are_an_open_column_beside_the_results(many_topics, new_page):
    page = open_page(new_page, PAGES["publications"]("fr"), DESKTOP)

    expect(page.locator(".list-filters__summary")).to_be_hidden()
    form = page.get_by_role("search", name="Filtrer les publications")
    expect(form).to_be_visible()
    results = page.locator(".list-results")
    assert form.bounding_box()["x"] < results.bounding_box()["x"]
    assert abs(form.bounding_box()["y"] - results.bounding_box()["y"]) < 50
    assert scrolling_boxes(page) == []
    # The keyboard reaches the open column's fields.
    for _ in range(MAX_TAB_PRESSES):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id === 'filter-q'"):
            break
    else:
        pytest.fail("Tab never reached the search field of the filters")


# The chart


def test_the_chart_bars_are_links_that_the_keyboard_reaches(demo_site, new_page):
    page = open_page(new_page, topic_address("fr"), PHONE)
    bars = page.locator("a.year-chart__link")
    first_title = bars.first.locator("title").text_content()

    for _ in range(MAX_TAB_PRESSES):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('year-chart__link')"):
            break
    else:
        pytest.fail("Tab never reached a bar of the chart")

    focused = page.locator("a.year-chart__link:focus")
    expect(focused.locator("title")).to_have_text(first_title)
    stroke = focused.locator(".year-chart__target").evaluate("(e) => getComputedStyle(e).stroke")
    assert stroke == FOCUS_COLOR
    year = first_title.split(" ")[0]
    page.keyboard.press("Enter")

    expect(page).to_have_url(
        f"/fr/publications/?topic={DEMO_TOPIC}&year_from={year}&year_to={year}"
    )
    expect(page.locator(".list-filters__summary")).to_have_text("Filtres (3 actifs)")


def test_the_charts_figures_open_with_the_keyboard(demo_site, new_page):
    page = open_page(new_page, topic_address("en"), PHONE)
    summary = page.get_by_text("Show the figures", exact=True)
    table = page.locator("table.year-chart__table")
    expect(table).to_be_hidden()

    summary.focus()
    page.keyboard.press("Enter")

    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Year")).to_be_visible()
    assert table.locator("tbody tr").count() == page.locator("a.year-chart__link").count() + (
        page.locator(".year-chart__gap").count()
    )


def test_the_chart_fits_a_phone(demo_site, new_page):
    page = open_page(new_page, topic_address("fr"), PHONE)
    drawing = page.locator("svg.year-chart__drawing")

    box = drawing.bounding_box()
    assert 300 <= box["width"] <= PHONE[0] - 16
    assert box["x"] >= 0
    for year in page.locator(".year-chart__year").all():
        label = year.bounding_box()
        assert label["x"] >= 0
        assert label["x"] + label["width"] <= PHONE[0]


# axe, in both languages, on a phone and a desktop


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=lambda size: "x".join(map(str, size)))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_no_wcag_violations(demo_site, new_page, name, lang, size):
    page = open_page(new_page, PAGES[name](lang), size)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    if name == "topic-with-figures":
        page.locator(".year-chart__figures > summary").click()
        expect(page.locator("table.year-chart__table")).to_be_visible()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=SCREENSHOT_DIR / f"chart-filters-{name}-{lang}-{size[0]}x{size[1]}.png",
        full_page=True,
    )
    assert_no_violations(page)
