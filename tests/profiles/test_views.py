"""The public profile page, as a visitor sees it in French and in English."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.text import collation_key
from profiles.models import Membership, ResearchTopic
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearcherFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import text_of

FR_URL = "/fr/chercheurs/razvan-pascanu/"
EN_URL = "/en/researchers/razvan-pascanu/"
SEED_TITLES = [
    entry["title"]
    for entry in json.loads(
        (Path(__file__).resolve().parents[2] / "publications" / "demo" / "seed.json").read_text()
    )["publications"]
]
FRENCH_TOPICS = [
    "Apprentissage à quelques exemples",
    "Apprentissage continu",
    "Apprentissage de représentations",
    "Apprentissage par renforcement",
    "Apprentissage profond",
    "Apprentissage profond géométrique",
    "Apprentissage tout au long de la vie",
    "Généralisation",
    "Interprétabilité mécanistique",
    "Optimisation",
    "Réseaux de neurones",
    "Réseaux de neurones en graphes",
    "Réseaux de neurones profonds",
    "Réseaux de neurones récurrents",
    "Théorie de l'apprentissage automatique",
]
ENGLISH_TOPICS = [
    "Continual Learning",
    "Deep Learning",
    "Deep Neural Networks",
    "Few-Shot Learning",
    "Generalization",
    "Geometric Deep Learning",
    "Graph Neural Networks",
    "Lifelong Learning",
    "Machine Learning Theory",
    "Mechanistic Interpretability",
    "Neural Networks",
    "Optimization",
    "Recurrent Neural Networks",
    "Reinforcement Learning",
    "Representation Learning",
]


def topic_names(response) -> list[str]:
    """The names of the topic chips in the profile's research topics section, A to Z (the
    chips come the most published first), without the chip of all topics."""
    html = response.content.decode()
    section = html.split('id="topics-heading"')[1].split("</section>")[0]
    names = re.findall(r'<li><(?:a|span) class="topic topic-chip[^"]*"[^>]*>([^<]+?) <', section)
    every = {"Tous les sujets", "All topics"}
    return sorted((unescape(n) for n in names if n not in every), key=collation_key)


def listed(response) -> str:
    """The HTML of the profile's list of publications (after its key publications)."""
    html = response.content.decode()
    return html.split('aria-labelledby="publications-heading"')[1].split("</section>")[0]


def listed_titles(response) -> list[str]:
    return [
        unescape(title)
        for title in re.findall(
            r'<h[34] class="publication__title"[^>]*><a href="[^"]+">([^<]+)</a></h[34]>',
            listed(response),
        )
    ]


def test_french_profile_shows_the_seed_page(client, demo):
    response = client.get(FR_URL)

    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert '<html lang="fr">' in html
    assert html.count("<h1") == 1
    assert re.search(r"<h1[^>]*>Razvan Pascanu</h1>", html)
    assert 'alt="Portrait de Razvan Pascanu"' in html
    assert "Membre affilié" in text
    assert "Chercheur scientifique principal, Google DeepMind" in text
    assert "Sujets de recherche" in text
    assert topic_names(response) == FRENCH_TOPICS
    assert sorted(listed_titles(response)) == sorted(SEED_TITLES)
    assert "Maciej Pióro" in text
    assert "Pi'oro" not in text
    assert "\\textit" not in html
    assert "self-guided training" in text
    assert "voir plus" in text


def test_english_profile_has_english_labels_and_order(client, demo):
    response = client.get(EN_URL)

    assert response.status_code == 200
    text = text_of(response)
    assert '<html lang="en">' in response.content.decode()
    assert "Affiliate Member" in text
    assert "Principal Research Scientist, Google DeepMind" in text
    assert "Research topics" in text
    assert "see more" in text
    assert topic_names(response) == ENGLISH_TOPICS


def test_profile_offers_the_other_language(client, demo):
    html = client.get(FR_URL).content.decode()

    assert f'href="{EN_URL}" hreflang="en"' in html
    assert f'hreflang="en" href="http://testserver{EN_URL}"' in html
    assert f'hreflang="fr" href="http://testserver{FR_URL}"' in html


def test_authors_keep_the_order_with_the_owner_in_bold(client, demo):
    html = client.get(FR_URL).content.decode()
    state_soup = html.split("State Soup")[1].split("</article>")[0]
    authors = state_soup.split('class="author-list"')[1].split("</ul>")[0]
    names = [unescape(name) for name in re.findall(r"<li>(?:<strong[^>]*>)?([^<]+)</", authors)]

    assert names == [
        "Maciej Pióro",
        "Maciej Wołczyk",
        "Razvan Pascanu",
        "Johannes von Oswald",
        "João Sacramento",
    ]
    assert '<strong class="author-list__owner">Razvan Pascanu</strong>' in authors


def test_publications_are_newest_first(client, demo):
    text = " ".join(listed_titles(client.get(FR_URL)))
    positions = {title: text.index(title) for title in SEED_TITLES}
    newest = "No Representation, No Trust"
    oldest_2023 = "Universality of Linear Recurrences"

    assert (
        positions[next(t for t in SEED_TITLES if t.startswith(newest))]
        < positions[next(t for t in SEED_TITLES if t.startswith(oldest_2023))]
    )


def test_abstract_is_cut_at_a_word_and_opens_without_javascript(client, demo):
    html = listed(client.get(FR_URL))
    excerpts = [
        unescape(excerpt)
        for excerpt in re.findall(r'<span class="abstract__excerpt" lang="en">([^<]+)</span>', html)
    ]
    excerpt = next(e for e in excerpts if e.startswith("Deep neural networks based on linear"))

    assert len(excerpts) == 11
    assert excerpt == (
        "Deep neural networks based on linear RNNs interleaved with position-wise MLPs are "
        "gaining traction as competitive approaches for sequence…"
    )
    assert all(e.endswith("…") and len(e) <= 141 for e in excerpts)
    assert html.count('<details class="abstract__details">') == 11
    # The whole abstract is in the page, inside <details>, with the word the seed page split.
    assert "competitive approaches for sequence modeling. Examples of such" in html


def test_coauthor_who_is_a_published_researcher_links_to_their_profile(client, demo):
    veličković = ResearcherFactory(given_name="Petar", family_name="Veličković", slug="petar")
    author = AuthorFactory._meta.model.objects.get(display_name="Petar Veličković")
    author.researcher = veličković
    author.save()

    html = client.get(FR_URL).content.decode()
    assert '<a href="/fr/chercheurs/petar/">Petar Veličković</a>' in html

    veličković.is_published = False
    veličković.save()
    html = client.get(FR_URL).content.decode()
    assert "/fr/chercheurs/petar/" not in html
    assert "Petar Veličković" in html


def test_unpublished_profile_is_not_found(client, db):
    researcher = ResearcherFactory(is_published=False)

    response = client.get(researcher.get_absolute_url())

    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)


def test_unpublished_publications_are_hidden(client, db):
    researcher = researcher_with_author()
    hidden = publication_with_authors([researcher.author], title="Secret draft", is_published=False)
    publication_with_authors([researcher.author], title="Public paper")

    text = text_of(client.get(researcher.get_absolute_url()))

    assert "Public paper" in text
    assert hidden.title not in text


def test_publications_are_paginated_by_twenty(client, db):
    researcher = researcher_with_author()
    for number in range(25):
        publication_with_authors([researcher.author], title=f"Paper number {number:02d}")

    first = client.get(researcher.get_absolute_url())
    second = client.get(researcher.get_absolute_url() + "?page=2")
    invalid = client.get(researcher.get_absolute_url() + "?page=abc")

    assert len(listed_titles(first)) == 20
    assert len(listed_titles(second)) == 5
    assert "Page 2 sur 2" in text_of(second)
    assert invalid.status_code == 200


def notice_text(response) -> str:
    """The visible text of the notice of ignored parameters, or "" when there is none."""
    html = response.content.decode()
    if 'class="notice notice--warning"' not in html:
        return ""
    box = html.split('class="notice notice--warning"')[1].split("</div>")[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", f"<div {box}")).split())


PAGE_NOTICES = [
    ("999", "There is no page 999: the last page (2) is shown."),
    ("0", "There is no page 0: the first page is shown."),
    ("abc", "“abc” is not a page number: the first page is shown."),
]


@pytest.mark.parametrize(("page", "notice"), PAGE_NOTICES)
def test_profile_names_a_page_that_does_not_exist(client, db, page, notice):
    researcher = researcher_with_author(slug="prolific")
    for number in range(25):
        publication_with_authors([researcher.author], title=f"Paper number {number:02d}")

    response = client.get("/en/researchers/prolific/", {"page": page})
    text = text_of(response)

    assert response.status_code == 200
    assert notice_text(response) == notice
    assert len(listed_titles(response)) == (5 if page == "999" else 20)
    assert ("Page 2 of 2" if page == "999" else "Page 1 of 2") in text


def test_profile_names_a_bad_page_and_a_topic_it_does_not_have(client, demo):
    response = client.get(EN_URL, {"page": "0", "topic": "nowhere"})

    assert notice_text(response) == (
        "Some filters could not be used and were ignored: "
        "“nowhere” is not one of this researcher's topics: all publications are shown. "
        "There is no page 0: the first page is shown."
    )


@pytest.mark.parametrize(("page", "notice"), PAGE_NOTICES)
def test_directory_names_a_page_that_does_not_exist(client, db, page, notice):
    for number in range(30):
        ResearcherFactory(family_name=f"Person{number:02d}")

    response = client.get("/en/", {"page": page})

    assert response.status_code == 200
    assert notice_text(response) == notice
    assert ("Page 2 of 2" if page == "999" else "Page 1 of 2") in text_of(response)


@pytest.mark.parametrize(
    ("page", "notice"),
    [
        ("999", "There is no page 999: the first page is shown."),
        ("2", "There is no page 2: the first page is shown."),
        ("0", "There is no page 0: the first page is shown."),
        ("abc", "“abc” is not a page number: the first page is shown."),
    ],
)
def test_topic_page_names_a_page_that_does_not_exist(client, demo, page, notice):
    # The topic page is one page: its latest publications, and a link to all of them.
    response = client.get("/en/topics/reinforcement-learning/", {"page": page})

    assert response.status_code == 200
    assert notice_text(response) == notice
    assert "Normalization and effective learning rates in reinforcement learning" in (
        text_of(response)
    )


@pytest.mark.parametrize(
    "address", ["/en/", EN_URL, "/en/topics/reinforcement-learning/", "/en/publications/"]
)
def test_the_first_page_asked_for_by_number_gives_no_notice(client, demo, address):
    assert notice_text(client.get(address, {"page": "1"})) == ""


def test_the_page_notice_shows_on_french_pages(client, demo):
    for address in (FR_URL, "/fr/", "/fr/sujets/apprentissage-par-renforcement/"):
        response = client.get(address, {"page": "999"})

        assert "999" in notice_text(response), address


def test_membership_labels_in_both_languages(client, db):
    researcher = ResearcherFactory(membership=Membership.CORE_ACADEMIC)

    assert "Membre académique principal" in text_of(client.get(researcher.get_absolute_url()))
    english_url = researcher.get_absolute_url().replace("/fr/chercheurs/", "/en/researchers/")
    assert "Core Academic Member" in text_of(client.get(english_url))


def test_profile_is_only_served_to_safe_methods(client, demo):
    assert client.post(FR_URL).status_code == 405
    assert client.head(FR_URL).status_code == 200


def _profile_queries(client, publication_count: int) -> int:
    researcher = researcher_with_author(slug=f"owner-{publication_count}")
    topics = [
        ResearchTopic.objects.create(
            slug=f"t{publication_count}-{n}", name_fr=f"Sujet {n}", name_en=f"Topic {n}"
        )
        for n in range(3)
    ]
    researcher.topics.set(topics)
    linked = researcher_with_author(slug=f"coauthor-{publication_count}")
    for number in range(publication_count):
        publication = publication_with_authors(
            [AuthorFactory(), researcher.author, linked.author, AuthorFactory()],
            title=f"Paper {number}",
        )
        publication.topics.set(topics)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(researcher.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_profile_costs_the_same_queries_for_5_or_300_publications(client):
    few = _profile_queries(client, 5)
    many = _profile_queries(client, 300)

    assert few == many
    # The researcher, their topics, their counts per year and per topic, the page's rows, their
    # key publications, the entries' authors, versions, links and topics, their coauthors' counts
    # and the names of the most frequent, their supervision.
    assert few <= 13


def test_topic_page_lists_its_researchers_and_publications(client, demo):
    response = client.get("/fr/sujets/apprentissage-par-renforcement/")
    text = text_of(response)

    assert response.status_code == 200
    assert "Apprentissage par renforcement" in text
    assert "Razvan Pascanu" in text
    assert "Normalization and effective learning rates in reinforcement learning" in text
    assert "Attention as a Hypernetwork" not in text
    english = client.get("/en/topics/reinforcement-learning/")
    assert "Reinforcement Learning" in text_of(english)


def test_publication_page_lists_all_authors_in_order(client, demo):
    publication = PublicationFactory._meta.model.objects.get(arxiv_id="2406.08423")

    response = client.get(publication.get_absolute_url())
    text = text_of(response)

    assert response.status_code == 200
    assert (
        text.index("Maciej Pióro")
        < text.index("Maciej Wołczyk")
        < text.index("Razvan Pascanu")
        < text.index("Johannes von Oswald")
        < text.index("João Sacramento")
    )
    assert (
        '<a href="/fr/chercheurs/razvan-pascanu/">Razvan Pascanu</a>' in response.content.decode()
    )
    assert "https://arxiv.org/abs/2406.08423" in response.content.decode()


def test_directory_lists_published_researchers(client, demo):
    ResearcherFactory(given_name="Hidden", family_name="Person", is_published=False)

    text = text_of(client.get("/fr/"))

    assert "Razvan Pascanu" in text
    assert "Hidden Person" not in text
    assert "1 chercheur" in text


def test_root_redirects_to_a_language(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_not_found_page_is_styled_and_translated(client, db):
    french = client.get("/fr/chercheurs/personne/")
    english = client.get("/en/researchers/nobody/")

    assert french.status_code == english.status_code == 404
    assert "Page introuvable" in text_of(french)
    assert "Page not found" in text_of(english)
    assert "/static/css/site.css" in english.content.decode()


@pytest.mark.django_db
def test_server_error_page_is_translated(client, settings):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("en"):
        english = render_to_string("500.html")
    french = render_to_string("500.html")

    assert "Something went wrong" in english
    assert "Une erreur s'est produite" in unescape(french)


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_directory_and_topic_pages_cost_constant_queries(client):
    topic = ResearchTopic.objects.create(
        slug="optimisation", name_fr="Optimisation", name_en="Optimization"
    )

    def grow(count: int) -> None:
        for _ in range(count):
            researcher = researcher_with_author()
            researcher.topics.add(topic)
            publication = publication_with_authors([researcher.author, AuthorFactory()])
            publication.topics.add(topic)

    grow(5)
    few = (_page_queries(client, "/fr/"), _page_queries(client, topic.get_absolute_url()))
    grow(60)
    many = (_page_queries(client, "/fr/"), _page_queries(client, topic.get_absolute_url()))

    assert few == many
