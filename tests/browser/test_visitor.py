"""What a visitor does with a mouse and a keyboard on the demo site, in a real browser."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from publications.models import Publication

pytestmark = pytest.mark.browser

# Enough presses to walk past the header, the topic chips and a few publications.
MAX_TAB_PRESSES = 300


def url(name: str, lang: str = "fr", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def profile_url(lang: str = "fr") -> str:
    return url("profiles:researcher_detail", lang, slug="razvan-pascanu")


def publication_of(article: Locator) -> Publication:
    """The publication an <article class="publication"> shows, found by its title's id."""
    element_id = article.locator(".publication__title").get_attribute("id")
    return Publication.objects.get(pk=int(element_id.removeprefix("publication-")))


def closing_sentence(text: str) -> str:
    """The abstract's last sentence: it is never part of the excerpt shown before opening."""
    return re.split(r"(?<=[.!?])\s+", text.strip())[-1]


def shown_count(page: Page) -> int:
    return int(re.search(r"\d+", page.locator(".result-count").inner_text()).group())


def results(page: Page) -> list[Locator]:
    page.wait_for_load_state()
    return page.locator(".list-results article.publication").all()


def topic_chips(article: Locator) -> list[str]:
    return article.locator(".publication__topics .topic").all_inner_texts()


def test_abstracts_open_with_the_mouse_and_with_the_keyboard(demo_site, page):
    page.goto(profile_url())
    # The full list, after the key publications.
    articles = page.locator("#publications article.publication")
    expect(articles).to_have_count(11)

    first, second = articles.nth(0), articles.nth(1)
    first_abstract = publication_of(first).abstract
    first_ending = first.get_by_text(closing_sentence(first_abstract))
    expect(first.get_by_text("voir plus")).to_be_visible()
    expect(first_ending).to_be_hidden()

    first.locator(".abstract__details > summary").click()

    expect(first_ending).to_be_visible()
    expect(first.locator(".abstract__details > p")).to_have_text(first_abstract)
    expect(first.get_by_text("voir moins")).to_be_visible()
    expect(first.get_by_text("voir plus")).to_be_hidden()

    second_publication = publication_of(second)
    second_ending = second.get_by_text(closing_sentence(second_publication.abstract))
    expect(second_ending).to_be_hidden()
    target = f"publication-{second_publication.pk}"
    for _ in range(MAX_TAB_PRESSES):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.tagName === 'SUMMARY'"
            " ? document.activeElement.getAttribute('aria-describedby') : null"
        )
        if focused == target:
            break
    else:
        pytest.fail(f"Tab never reached the second publication's “voir plus” ({target})")

    page.keyboard.press("Enter")

    expect(second.locator(".abstract__details")).to_have_attribute("open", "")
    expect(second_ending).to_be_visible()
    expect(second.locator(".abstract__details > p")).to_have_text(second_publication.abstract)
    # The first abstract stays open: each one is independent.
    expect(first_ending).to_be_visible()


def test_language_link_leads_to_the_english_profile(demo_site, page):
    page.goto(profile_url())
    expect(page.get_by_role("heading", name="Sujets de recherche", exact=True)).to_be_visible()

    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()

    expect(page).to_have_url(f"{demo_site.url}/en/researchers/razvan-pascanu/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Research topics", exact=True)).to_be_visible()
    expect(page.get_by_text("Affiliate Member", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Razvan Pascanu")


def test_topic_on_the_profile_lists_the_publications_on_that_topic(demo_site, page):
    topic_name, slug = "Apprentissage par renforcement", "apprentissage-par-renforcement"
    expected = set(
        Publication.objects.filter(is_published=True, topics__slug=slug).values_list(
            "title", flat=True
        )
    )
    page.goto(profile_url())

    topics = page.get_by_role("region", name="Sujets de recherche")
    topics.get_by_role("link", name=re.compile(f"^{topic_name} \\d+ publications?$")).click()

    # The topics filter the profile's own list, in place.
    expect(page).to_have_url(f"{demo_site.url}{profile_url()}?topic={slug}#publications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Razvan Pascanu")
    chip = topics.get_by_role("link", name=re.compile(f"^{topic_name} "))
    expect(chip).to_have_attribute("aria-current", "page")
    listed = page.locator("#publications article.publication").all()
    assert len(listed) == len(expected) == shown_count(page)
    assert {item.locator(".publication__title").inner_text() for item in listed} == expected
    for item in listed:
        assert topic_name in topic_chips(item), item.locator(".publication__title").inner_text()


def test_filter_form_by_topic_and_years(demo_site, page):
    topic_name, slug, year = "Généralisation", "generalisation", 2024
    expected = Publication.objects.filter(
        is_published=True, topics__slug=slug, year__gte=year, year__lte=year
    ).count()
    page.goto(url("publications:publication_list"))
    form = page.get_by_role("search", name="Filtrer les publications")

    form.get_by_role("checkbox", name=re.compile(f"^{topic_name} ")).check()
    years = form.get_by_role("group", name="Année")
    years.get_by_label("De", exact=True).select_option(str(year))
    years.get_by_label("À", exact=True).select_option(str(year))
    form.get_by_role("button", name="Filtrer").click()

    expect(page).to_have_url(re.compile(r"\?"))
    query = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
    filters = {name: values for name, values in query.items() if name not in {"q", "sort"}}
    assert filters == {"topic": [slug], "year_from": [str(year)], "year_to": [str(year)]}
    # The empty search box and the default sort order are the form's other fields.
    assert query.get("q", [""]) == [""]
    assert query.get("sort", ["newest"]) == ["newest"]

    listed = results(page)
    assert 0 < len(listed) == expected == shown_count(page)
    for item in listed:
        title = item.locator(".publication__title").inner_text()
        assert topic_name in topic_chips(item), title
        meta = item.locator(".publication__meta").inner_text()
        # The meta line shows the year of first publication, then the venue.
        assert re.search(rf"\b{year}\b", meta), (title, meta)
    expect(form.get_by_role("checkbox", name=re.compile(f"^{topic_name} "))).to_be_checked()
    expect(years.get_by_label("De", exact=True)).to_have_value(str(year))
    expect(years.get_by_label("À", exact=True)).to_have_value(str(year))


def test_directory_search_ignores_accents_and_shows_an_empty_state(demo_site, page):
    page.goto(url("profiles:researcher_list"))
    search = page.get_by_role("search", name="Trouver un chercheur")

    search.get_by_label("Nom", exact=True).fill("páscanu")
    search.get_by_role("button", name="Filtrer").click()

    expect(page).to_have_url(re.compile(r"[?&]q=p%C3%A1scanu"))
    cards = page.locator(".researcher-card")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card.get_by_role("heading", name="Razvan Pascanu")).to_be_visible()
    expect(card.get_by_text("Membre affilié")).to_be_visible()
    expect(page.get_by_text("Aucun chercheur ne correspond à ces filtres.")).to_have_count(0)

    search.get_by_label("Nom", exact=True).fill("Zyxwvutsrq")
    search.get_by_label("Nom", exact=True).press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]q=Zyxwvutsrq"))
    expect(page.get_by_text("Aucun chercheur ne correspond à ces filtres.")).to_be_visible()
    expect(page.locator(".researcher-card")).to_have_count(0)
    expect(page.get_by_role("link", name="Voir tous les chercheurs")).to_be_visible()
