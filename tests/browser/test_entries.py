"""Publication entries in a real browser: a long author list and the Cite disclosure opened on a
profile and on the publication list, on a phone and a wide screen, in French and English, with
axe's WCAG 2.2 rules; the BibTeX copied with the keyboard alone; and JavaScript off."""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from publications.models import Authorship, PublicationLink
from tests.factories import AuthorFactory, publication_with_authors, researcher_with_author

from .test_accessibility import DESKTOP, PHONE, assert_no_violations, screenshot

pytestmark = pytest.mark.browser

BIG = "Engines of a large collaboration"
OTHERS = {"fr": "et 24 autres", "en": "and 24 others"}
CITE = {"fr": "Citer", "en": "Cite"}
COPY = {"fr": "Copier le BibTeX", "en": "Copy BibTeX"}
COPIED = {"fr": "BibTeX copié dans le presse-papiers.", "en": "BibTeX copied to the clipboard."}
# Enough presses to walk from an entry's title past its authors, abstract and links.
MAX_TAB_PRESSES = 40


@pytest.fixture
def entries_site(transactional_db, live_server):
    """Ada's profile: a paper of thirty authors where she signs twentieth, with marks and every
    kind of link, and three short papers with Charles, a member."""
    ada = researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada")
    charles = researcher_with_author(given_name="Charles", family_name="Babbage", slug="charles")
    people = [AuthorFactory(display_name=f"Person {n:02d}") for n in range(1, 30)]
    people.insert(19, ada.author)
    big = publication_with_authors(
        people,
        title=BIG,
        year=2025,
        arxiv_id="2406.08423",
        doi="10.1234/big",
        pdf_url="https://example.org/big.pdf",
        code_url="https://github.com/example/big",
        url="https://example.org/big",
    )
    big.authorships.filter(position__in=[1, 2]).update(equal_contribution=True)
    Authorship.objects.filter(publication=big, author=ada.author).update(corresponding=True)
    for kind in ("slides", "video", "poster", "project", "data"):
        PublicationLink.objects.create(
            publication=big, kind=kind, url=f"https://example.org/{kind}"
        )
    for number in range(3):
        publication_with_authors(
            [AuthorFactory(display_name="Mary Somerville"), ada.author, charles.author],
            title=f"On the analytical engine, part {number}",
            year=2020 + number,
        )
    return live_server


def address(name: str, lang: str) -> str:
    with translation.override(lang):
        if name == "profile":
            return reverse("profiles:researcher_detail", kwargs={"slug": "ada"})
        return reverse("publications:publication_list")


def open_page(new_page, name: str, lang: str, size: tuple[int, int]) -> Page:
    page = new_page(width=size[0], height=size[1])
    response = page.goto(address(name, lang))
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.wait_for_load_state("load")
    return page


def entry(page: Page, title: str) -> Locator:
    return (
        page.locator("article.publication")
        .filter(has=page.locator(".publication__title", has_text=title))
        .first
    )


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=lambda size: "x".join(map(str, size)))
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", ["profile", "list"])
def test_opened_entries_have_no_wcag_violations(entries_site, new_page, name, lang, size):
    page = open_page(new_page, name, lang, size)
    big = entry(page, BIG)

    big.locator(".more-authors > summary").click()
    big.locator(".cite-disclosure > summary").click()

    expect(big.locator(".more-authors")).to_have_attribute("open", "")
    expect(big.locator(".more-authors .author-list").first).to_contain_text("Person 29")
    expect(big.locator(".cite-disclosure")).to_have_attribute("open", "")
    expect(big.locator(".cite__bibtex")).to_be_visible()
    screenshot(page, f"entries-{name}-{lang}-{size[0]}x{size[1]}")
    assert_no_violations(page)
    # Nothing scrolls sideways: the BibTeX wraps, on a phone too.
    assert page.evaluate(
        "() => [...document.querySelectorAll('.cite__bibtex')].every("
        "pre => pre.scrollWidth <= pre.clientWidth)"
    )
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_long_list_names_the_owner_before_it_is_opened(entries_site, new_page, lang):
    page = open_page(new_page, "profile", lang, PHONE)
    summary = entry(page, BIG).locator(".more-authors > summary")

    expect(summary).to_contain_text("Ada Lovelace")
    expect(summary).to_contain_text(OTHERS[lang])
    expect(summary.locator("strong")).to_have_text("Ada Lovelace")


def focused(page: Page, script: str):
    return page.evaluate(f"() => {{ const element = document.activeElement; return {script}; }}")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_bibtex_is_copied_with_the_keyboard_alone(entries_site, new_page, lang):
    page = open_page(new_page, "profile", lang, DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    big = entry(page, BIG)
    big.locator(".publication__title a").focus()

    for _ in range(MAX_TAB_PRESSES):
        page.keyboard.press("Tab")
        if focused(page, "element.matches('.cite-disclosure > summary')") and big.locator(
            ".cite-disclosure > summary"
        ).evaluate("summary => summary === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Cite summary")
    assert focused(page, "element.textContent.trim()") == CITE[lang]

    page.keyboard.press("Enter")
    expect(big.locator(".cite-disclosure")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    assert focused(page, "element.className") == "button button--small cite__copy"
    assert focused(page, "element.textContent") == COPY[lang]
    page.keyboard.press("Enter")

    status = big.locator(".cite__status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text(COPIED[lang])
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == big.locator(".cite__bibtex").inner_text()
    assert "author+an = {1=equal; 2=equal; 20=corresponding}" in copied


@pytest.fixture
def no_script_page(browser, live_server) -> Iterator[Page]:
    """A phone-sized page in a browser context with JavaScript turned off."""
    context = browser.new_context(
        viewport={"width": PHONE[0], "height": PHONE[1]},
        base_url=live_server.url,
        java_script_enabled=False,
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", ["profile", "list"])
def test_without_javascript_the_entries_open_and_offer_no_copy_button(
    entries_site, no_script_page, name
):
    page = no_script_page
    assert page.goto(address(name, "fr")).status == 200
    big = entry(page, BIG)

    big.locator(".more-authors > summary").click()
    big.locator(".cite-disclosure > summary").click()

    expect(big.locator(".more-authors .author-list").first).to_contain_text("Person 29")
    expect(big.locator(".cite__bibtex")).to_be_visible()
    expect(big.locator(".cite__bibtex")).to_contain_text("author+an")
    expect(page.locator(".cite__copy")).to_have_count(0)
    expect(big.locator(".cite__downloads a")).to_have_text(["BibTeX", "RIS", "CSL-JSON"])
