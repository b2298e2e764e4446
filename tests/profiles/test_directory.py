"""The researcher directory, the topic index, the topic pages and the profile's topic filter."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils.text import slugify

from profiles.models import Membership, ResearchTopic
from tests.factories import (
    AuthorFactory,
    ResearcherFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import checkbox_counts, names, queries_of, text_of, titles

URL = "/fr/"
TOPICS_URL = "/fr/sujets/"


def notice(response) -> list[str]:
    """The lines of the "filters ignored" notice, or [] when there is none."""
    html = response.content.decode()
    if "Certains filtres n'ont pas pu être utilisés" not in unescape(html):
        return []
    box = html.split('class="notice notice--warning"')[1].split("</div>")[0]
    return [" ".join(unescape(line).split()) for line in re.findall(r"<li>(.*?)</li>", box, re.S)]


def topic(slug: str, name: str) -> ResearchTopic:
    return ResearchTopic.objects.create(slug=slug, name_fr=name, name_en=name)


# The directory


@pytest.fixture
def people(db) -> dict:
    """Five published researchers and a hidden one, on three topics.

    =================  ==================  ============================
    name               membership          topics
    =================  ==================  ============================
    Razvan Pascanu     affiliate           optimisation, deep-learning
    Ada Lovelace       core_academic       optimisation
    Grace Hopper       core_academic       compilers
    Yoshua Bengio      core_academic       deep-learning
    Joëlle Pineau      industry            (none)
    Hidden Person      core_academic       optimisation (unpublished)
    =================  ==================  ============================
    """
    optimisation = topic("optimisation", "Optimisation")
    deep = topic("deep-learning", "Apprentissage profond")
    compilers = topic("compilers", "Compilateurs")
    rows = [
        ("Razvan", "Pascanu", Membership.AFFILIATE, [optimisation, deep], True),
        ("Ada", "Lovelace", Membership.CORE_ACADEMIC, [optimisation], True),
        ("Grace", "Hopper", Membership.CORE_ACADEMIC, [compilers], True),
        ("Yoshua", "Bengio", Membership.CORE_ACADEMIC, [deep], True),
        ("Joëlle", "Pineau", Membership.INDUSTRY, [], True),
        ("Hidden", "Person", Membership.CORE_ACADEMIC, [optimisation], False),
    ]
    researchers = {}
    for given, family, membership, topics, is_published in rows:
        researcher = ResearcherFactory(
            given_name=given,
            family_name=family,
            slug=slugify(f"{given} {family}"),
            membership=membership,
            is_published=is_published,
        )
        researcher.topics.set(topics)
        researchers[family] = researcher
    return researchers


def test_directory_lists_published_researchers_by_family_name(client, people):
    response = client.get(URL)

    assert names(response) == [
        "Yoshua Bengio",
        "Grace Hopper",
        "Ada Lovelace",
        "Razvan Pascanu",
        "Joëlle Pineau",
    ]
    assert "5 chercheurs" in text_of(response)
    assert "Hidden Person" not in text_of(response)


@pytest.mark.parametrize("query", ["pascanu", "PASCANU", "Páscanu", "razvan pascanu", "RAZ"])
def test_name_search_ignores_case_and_accents(client, people, query):
    response = client.get(URL, {"q": query})

    assert names(response) == ["Razvan Pascanu"]
    assert "1 chercheur" in text_of(response)


def test_name_search_finds_accented_names_without_their_accents(client, people):
    assert names(client.get(URL, {"q": "joelle"})) == ["Joëlle Pineau"]
    assert names(client.get(URL, {"q": "JOËLLE pineau"})) == ["Joëlle Pineau"]
    assert names(client.get(URL, {"q": "hidden"})) == []


def test_name_search_needs_every_word(client, people):
    assert names(client.get(URL, {"q": "ada pascanu"})) == []


def test_topic_filter_takes_any_of_the_topics(client, people):
    assert names(client.get(URL, {"topic": "optimisation"})) == ["Ada Lovelace", "Razvan Pascanu"]
    response = client.get(URL, {"topic": ["optimisation", "deep-learning"]})
    assert names(response) == ["Yoshua Bengio", "Ada Lovelace", "Razvan Pascanu"]
    assert "3 chercheurs" in text_of(response)


def test_membership_filter(client, people):
    assert names(client.get(URL, {"membership": "core_academic"})) == [
        "Yoshua Bengio",
        "Grace Hopper",
        "Ada Lovelace",
    ]
    assert names(client.get(URL, {"membership": ["affiliate", "industry"]})) == [
        "Razvan Pascanu",
        "Joëlle Pineau",
    ]


def test_filters_combine(client, people):
    params = {"topic": ["optimisation", "compilers"], "membership": "core_academic"}
    assert names(client.get(URL, params)) == ["Grace Hopper", "Ada Lovelace"]
    params = {"topic": "deep-learning", "membership": "core_academic", "q": "bengio"}
    assert names(client.get(URL, params)) == ["Yoshua Bengio"]
    response = client.get(URL, {"topic": "compilers", "membership": "affiliate"})
    assert names(response) == []
    assert "0 chercheur" in text_of(response)
    assert "Aucun chercheur ne correspond à ces filtres." in text_of(response)


def test_facet_counts_follow_the_other_filters(client, people):
    response = client.get(URL, {"membership": "core_academic"})

    # Unpublished researchers count nowhere; the membership counts ignore their own filter.
    assert checkbox_counts(response, "topic") == {
        "optimisation": 1,
        "deep-learning": 1,
        "compilers": 1,
    }
    assert checkbox_counts(response, "membership") == {
        "core_academic": 3,
        "affiliate": 1,
        "industry": 1,
    }
    response = client.get(URL, {"topic": "optimisation"})
    assert checkbox_counts(response, "membership") == {"core_academic": 1, "affiliate": 1}
    assert checkbox_counts(response, "topic") == {
        "optimisation": 2,
        "deep-learning": 2,
        "compilers": 1,
    }


def test_family_names_sort_as_read_accents_ignored(client, db):
    for given, family in [("Marie", "Fournier"), ("Hélène", "Émond"), ("Paul", "Dupont")]:
        ResearcherFactory(given_name=given, family_name=family)

    assert names(client.get(URL)) == ["Paul Dupont", "Hélène Émond", "Marie Fournier"]


def test_directory_is_paginated_by_24_and_keeps_the_filters(client, db):
    chosen = topic("optimisation", "Optimisation")
    for number in range(50):
        researcher = ResearcherFactory(given_name="Camille", family_name=f"Tremblay{number:02d}")
        researcher.topics.add(chosen)
    ResearcherFactory(given_name="Camille", family_name="Elsewhere")

    params = {"topic": "optimisation", "q": "camille"}
    first = client.get(URL, params)
    second = client.get(URL, {**params, "page": "2"})
    third = client.get(URL, {**params, "page": "3"})

    assert names(first) == [f"Camille Tremblay{n:02d}" for n in range(24)]
    assert names(second) == [f"Camille Tremblay{n:02d}" for n in range(24, 48)]
    assert names(third) == ["Camille Tremblay48", "Camille Tremblay49"]
    assert "50 chercheurs" in text_of(first)
    assert "Page 1 sur 3" in text_of(first)
    href = re.search(r'<a href="([^"]*)" rel="next">', first.content.decode()).group(1)
    assert parse_qs(urlsplit(unescape(href)).query) == {
        "topic": ["optimisation"],
        "q": ["camille"],
        "page": ["2"],
    }


def test_empty_directory_says_so(client, db):
    text = text_of(client.get(URL))

    assert "0 chercheur" in text
    assert "Aucun chercheur n'est encore répertorié." in text


DIRECTORY_FILTERS = {"q": "camille", "topic": ["t-0", "t-1"], "membership": "core_academic"}
# Measured: 5 queries unfiltered (count, page, topic and membership facets, topic names), one
# more with a topic filter (the chosen topics, looked up again by the membership facet).
MAX_DIRECTORY_QUERIES_UNFILTERED = 5
MAX_DIRECTORY_QUERIES_FILTERED = 7


@pytest.mark.django_db
def test_directory_costs_the_same_queries_for_5_or_200_researchers(client):
    topics = [topic(f"t-{n}", f"Sujet {n}") for n in range(3)]

    def grow(count: int) -> None:
        for _ in range(count):
            researcher = ResearcherFactory(given_name="Camille")
            researcher.topics.set(topics[:2])

    grow(5)
    few = (queries_of(client, URL), queries_of(client, URL, DIRECTORY_FILTERS))
    grow(195)
    many = (queries_of(client, URL), queries_of(client, URL, DIRECTORY_FILTERS))

    assert few == many
    unfiltered, filtered = many
    assert unfiltered <= MAX_DIRECTORY_QUERIES_UNFILTERED
    assert filtered <= MAX_DIRECTORY_QUERIES_FILTERED


# The topic index


def topic_index_rows(response) -> dict[str, str]:
    """Each topic of the index and the counts written next to it."""
    html = response.content.decode()
    rows = {}
    for item in re.findall(r'<li class="topic-index__item">(.*?)</li>', html, re.S):
        name = unescape(re.search(r'class="topic-index__name"[^>]*>([^<]+)</a>', item).group(1))
        counts = item.split('class="topic-index__counts">')[1]
        rows[name] = " ".join(unescape(re.sub(r"<[^>]+>", " ", counts)).split())
    return rows


def test_topic_index_counts_only_published_researchers_and_publications(client, people):
    optimisation = ResearchTopic.objects.get(slug="optimisation")
    pascanu = people["Pascanu"]
    author = AuthorFactory(researcher=pascanu, display_name="Razvan Pascanu")
    for title, is_published in [("Seen", True), ("Also seen", True), ("Draft", False)]:
        publication = publication_with_authors([author], title=title, is_published=is_published)
        publication.topics.add(optimisation)
    topic("empty", "Écologie")

    response = client.get(TOPICS_URL)

    assert response.status_code == 200
    assert topic_index_rows(response) == {
        "Apprentissage profond": "2 chercheurs · aucune publication",
        "Compilateurs": "1 chercheur · aucune publication",
        "Écologie": "0 chercheur · aucune publication",
        "Optimisation": "2 chercheurs · 2 publications",
    }
    assert (
        '<a href="/fr/publications/?topic=optimisation">2 publications</a>'
        in response.content.decode()
    )


@pytest.mark.django_db
def test_topic_index_costs_the_same_queries_for_5_or_200_topics(client):
    researcher = researcher_with_author()
    publication = publication_with_authors([researcher.author])

    def grow(start: int, count: int) -> None:
        for number in range(start, start + count):
            new = topic(f"index-{number}", f"Sujet {number}")
            researcher.topics.add(new)
            publication.topics.add(new)

    grow(0, 5)
    few = queries_of(client, TOPICS_URL)
    grow(5, 195)
    many = queries_of(client, TOPICS_URL)

    # The topics, and their researchers and publications counted by topic in one query each.
    assert few == many == 3
    assert len(topic_index_rows(client.get(TOPICS_URL))) == 200


# The topic page


def see_all_link(response) -> tuple[str, str]:
    """The address and text of the link to the topic's whole publication list."""
    match = re.search(
        r'<p class="more-link"><a href="([^"]+)">([^<]+)</a></p>', response.content.decode()
    )
    return unescape(match.group(1)), unescape(match.group(2))


def test_topic_page_shows_the_ten_latest_publications_and_links_to_all(client, db):
    optimisation = topic("optimisation", "Optimisation")
    researcher = researcher_with_author(given_name="Ada", family_name="Lovelace")
    hidden = ResearcherFactory(given_name="Hidden", family_name="Person", is_published=False)
    researcher.topics.add(optimisation)
    hidden.topics.add(optimisation)
    for number in range(14):
        publication = publication_with_authors(
            [researcher.author], title=f"Paper {number:02d}", year=2000 + number
        )
        publication.topics.add(optimisation)
    draft = publication_with_authors([researcher.author], title="Draft", year=2030)
    draft.is_published = False
    draft.save()
    draft.topics.add(optimisation)
    publication_with_authors([researcher.author], title="Off topic", year=2029)

    response = client.get("/fr/sujets/optimisation/")

    assert titles(response) == [f"Paper {number:02d}" for number in range(13, 3, -1)]
    assert names(response) == ["Ada Lovelace"]
    assert see_all_link(response) == (
        "/fr/publications/?topic=optimisation",
        "Voir les 14 publications sur ce sujet",
    )
    listed = client.get(see_all_link(response)[0])
    assert "14 publications" in text_of(listed)


def test_topic_page_with_one_publication_says_so(client, db):
    optimisation = topic("optimisation", "Optimisation")
    publication_with_authors([AuthorFactory()], title="Only one").topics.add(optimisation)

    response = client.get("/fr/sujets/optimisation/")

    assert titles(response) == ["Only one"]
    assert see_all_link(response)[0] == "/fr/publications/?topic=optimisation"


def test_topic_page_without_publications_says_so(client, db):
    topic("optimisation", "Optimisation")

    text = text_of(client.get("/fr/sujets/optimisation/"))

    assert "Aucune publication sur ce sujet pour l'instant." in text
    assert "Aucun chercheur n'indique encore ce sujet." in text


def test_unknown_topic_page_is_not_found(client, db):
    assert client.get("/fr/sujets/nothing-here/").status_code == 404


@pytest.mark.django_db
def test_topic_page_costs_the_same_queries_for_5_or_200_publications(client):
    chosen = topic("optimisation", "Optimisation")
    other = topic("other", "Autre")

    def grow(count: int) -> None:
        for _ in range(count):
            researcher = researcher_with_author()
            researcher.topics.add(chosen)
            publication = publication_with_authors(
                [researcher.author, AuthorFactory(), AuthorFactory()]
            )
            publication.topics.set([chosen, other])

    grow(5)
    few = queries_of(client, chosen.get_absolute_url())
    grow(195)
    many = queries_of(client, chosen.get_absolute_url())

    assert few == many
    # The topic, its researchers, the publication count, the ten publications, their authors,
    # their other versions, their links and their topics.
    assert many <= 8


# The profile's topic filter


@pytest.fixture
def owner(db):
    """A researcher on three topics with publications on two of them, and a colleague's paper."""
    owner = researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada")
    optimisation = topic("optimisation", "Optimisation")
    graphs = topic("graphs", "Graphes")
    owner.topics.set([optimisation, graphs, topic("unused", "Inutilisé")])
    rows = [
        ("Optimising engines", [optimisation], True),
        ("Graph engines", [graphs], True),
        ("Both engines", [optimisation, graphs], True),
        ("Draft on optimisation", [optimisation], False),
    ]
    for title, topics, is_published in rows:
        publication = publication_with_authors(
            [owner.author], title=title, is_published=is_published
        )
        publication.topics.set(topics)
    colleague = researcher_with_author(slug="colleague")
    publication_with_authors([colleague.author], title="Colleague's optimisation").topics.add(
        optimisation
    )
    topic("elsewhere", "Ailleurs")
    return owner


def test_profile_topic_narrows_the_owner_publications(client, owner):
    response = client.get("/fr/chercheurs/ada/", {"topic": "optimisation"})

    assert sorted(titles(response)) == ["Both engines", "Optimising engines"]
    assert "2 publications" in text_of(response)
    assert notice(response) == []
    assert re.search(
        r'<a class="topic topic-chip" href="[^"]*\?topic=optimisation#publications" '
        r'aria-current="page">Optimisation <',
        response.content.decode(),
    )


def test_profile_topic_chips_list_the_owner_topics_with_counts(client, owner):
    html = client.get("/fr/chercheurs/ada/").content.decode()
    section = html.split('id="topics-heading"')[1].split("</section>")[0]
    chips = [
        (unescape(href), unescape(name), count)
        for href, name, count in re.findall(
            r'<(?:a|span) class="topic topic-chip[^"]*"(?: href="([^"]*)")?[^>]*>([^<]+?) '
            r'<span class="topic-chip__(?:count|none)">(\d*)',
            section,
        )
    ]

    # The most published first, then A to Z; a topic without a published publication leads
    # nowhere.
    assert chips == [
        ("/fr/chercheurs/ada/#publications", "Tous les sujets", "3"),
        ("/fr/chercheurs/ada/?topic=graphs#publications", "Graphes", "2"),
        ("/fr/chercheurs/ada/?topic=optimisation#publications", "Optimisation", "2"),
        ("", "Inutilisé", ""),
    ]


@pytest.mark.parametrize("requested", ["elsewhere", "no-such-topic"])
def test_profile_with_a_topic_that_is_not_the_owner_shows_everything(client, owner, requested):
    response = client.get("/fr/chercheurs/ada/", {"topic": requested})

    assert response.status_code == 200
    assert sorted(titles(response)) == ["Both engines", "Graph engines", "Optimising engines"]
    assert notice(response) == [
        f"« {requested} » ne fait pas partie des sujets de ce chercheur : "
        "toutes ses publications sont affichées."
    ]
