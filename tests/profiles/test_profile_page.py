"""The profile page a researcher links from their homepage: who they are, their key
publications, then all of them, narrowed by topic, year or words without leaving the page."""

import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import translation

from profiles.models import Membership, Supervision
from publications.models import Authorship, Publication, PublicationLink, PublicationVersion
from tests.factories import (
    AuthorFactory,
    ResearcherFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import text_of

FR = "/fr/chercheurs/ada/"
EN = "/en/researchers/ada/"
LONG_BIO_FR = (
    "Ada Lovelace étudie les machines analytiques, leurs programmes et ce qu'elles peuvent "
    "calculer. "
    * 5
    + "\n\n"
    + "Elle a publié la première note décrivant un algorithme destiné à une machine. " * 4
)
SHORT_BIO_EN = "Ada Lovelace studies analytical engines."


def topic(slug: str, name_fr: str, name_en: str):
    return ResearchTopicFactory(slug=slug, name_fr=name_fr, name_en=name_en)


@pytest.fixture
def owner(db):
    """Ada, on three topics (one without publications), with four published papers over three
    years, two of them key for her; a draft, a colleague's paper and a coauthor's key mark.

    =====================================  ====  =====================  =========
    title                                  year  topics                 key (Ada)
    =====================================  ====  =====================  =========
    Analytical engines for optimisation    2024  optimisation           yes
    Graph engines                          2021  graphs                 (Charles)
    Engines on both fronts                 2021  optimisation, graphs   yes
    Notes on the difference engine         2019  -                      no
    Draft on optimisation (unpublished)    2024  optimisation           yes
    =====================================  ====  =====================  =========
    """
    ada = researcher_with_author(
        given_name="Ada",
        family_name="Lovelace",
        slug="ada",
        membership=Membership.AFFILIATE,
        position_fr="Chercheuse principale",
        position_en="Principal Scientist",
        organization="Analytical Society",
        bio_fr=LONG_BIO_FR,
        bio_en=SHORT_BIO_EN,
        website="https://ada.example.org/",
        google_scholar_url="https://scholar.google.com/citations?user=ada",
        orcid="0000-0002-1825-0097",
        github_url="https://github.com/ada",
        openalex_id="A5023888391",
        dblp_pid="123/4567",
        semantic_scholar_id="1751762",
    )
    optimisation = topic("optimisation", "Optimisation", "Optimization")
    graphs = topic("graphs", "Graphes", "Graphs")
    ada.topics.set([optimisation, graphs, topic("unused", "Inutilisé", "Unused")])
    charles = researcher_with_author(given_name="Charles", family_name="Babbage", slug="charles")
    rows = [
        ("Analytical engines for optimisation", 2024, [optimisation], True, True),
        ("Graph engines", 2021, [graphs], False, True),
        ("Engines on both fronts", 2021, [optimisation, graphs], True, True),
        ("Notes on the difference engine", 2019, [], False, True),
        ("Draft on optimisation", 2024, [optimisation], True, False),
    ]
    for title, year, topics, key, published in rows:
        publication = publication_with_authors(
            [ada.author, charles.author], title=title, year=year, is_published=published
        )
        publication.topics.set(topics)
        Authorship.objects.filter(publication=publication, author=ada.author).update(is_key=key)
    Authorship.objects.filter(publication__title="Graph engines", author=charles.author).update(
        is_key=True
    )
    colleague = researcher_with_author(slug="colleague")
    publication_with_authors([colleague.author], title="Colleague's optimisation").topics.add(
        optimisation
    )
    return ada


def section(response, heading_id: str) -> str:
    """The HTML of the section that the heading ``heading_id`` names ("" when there is none)."""
    html = response.content.decode()
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}"', html)
    if match is None:
        return ""
    return html[match.start() :].split("</section>")[0]


def entry_titles(fragment: str) -> list[str]:
    return [
        unescape(title)
        for title in re.findall(
            r'<h[34] class="publication__title"[^>]*><a href="[^"]+">([^<]+)</a></h[34]>', fragment
        )
    ]


def key_titles(response) -> list[str]:
    return entry_titles(section(response, "key-heading"))


def listed_titles(response) -> list[str]:
    """The titles of the publications section (not the key publications), in page order."""
    return entry_titles(section(response, "publications-heading"))


def year_headings(response) -> list[str]:
    return re.findall(
        r'<h3 class="profile__year">(\d+)</h3>', section(response, "publications-heading")
    )


def chips(response) -> list[dict]:
    """The topic chips in page order: name, count, address (None: not a link), current."""
    found = []
    for link, attributes, content in re.findall(
        r'<li><(a|span) class="topic topic-chip[^"]*"([^>]*)>(.*?)</\1></li>',
        section(response, "topics-heading"),
        re.S,
    ):
        href = re.search(r'href="([^"]+)"', attributes)
        count = re.search(r'class="topic-chip__count">(\d+)', content)
        found.append(
            {
                "name": unescape(content.split(" <span")[0]),
                "count": int(count.group(1)) if count else 0,
                "url": unescape(href.group(1)) if href and link == "a" else None,
                "current": 'aria-current="page"' in attributes,
                "text": " ".join(unescape(re.sub(r"<[^>]+>", " ", content)).split()),
            }
        )
    return found


def notice(response) -> list[str]:
    """The lines of the notice of what could not be used, or []."""
    html = response.content.decode()
    if 'class="notice notice--warning"' not in html:
        return []
    box = html.split('class="notice notice--warning"')[1].split("</div>")[0]
    return [" ".join(unescape(line).split()) for line in re.findall(r"<li>(.*?)</li>", box, re.S)]


def removable_filters(response) -> dict[str, str]:
    """Each chip of a filter in use: its accessible name and the address that removes it."""
    html = response.content.decode()
    hidden = r'<span[^>]*aria-hidden="true">.*?</span>|<[^>]+>'
    return {
        " ".join(unescape(re.sub(hidden, "", name)).split()): unescape(href)
        for href, name in re.findall(
            r'<a class="active-filter-chip" href="([^"]+)">(.*?)</a>', html, re.S
        )
    }


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# The header


def test_header_names_the_researcher_their_place_and_their_pages_elsewhere(client, owner):
    response = client.get(FR)
    html = response.content.decode()
    text = text_of(response)

    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>Ada Lovelace</h1>", html)
    assert "Membre affilié" in text
    assert "Chercheuse principale, Analytical Society" in text
    links = {
        unescape(label): unescape(href)
        for href, label in re.findall(
            r'<li><a href="([^"]+)"(?: rel="me")?>([^<]+)</a></li>',
            html.split('class="profile__links"')[1].split("</ul>")[0],
        )
    }
    assert links == {
        "Site web": "https://ada.example.org/",
        "Google Scholar": "https://scholar.google.com/citations?user=ada",
        "ORCID 0000-0002-1825-0097": "https://orcid.org/0000-0002-1825-0097",
        "GitHub": "https://github.com/ada",
        "OpenAlex": "https://openalex.org/A5023888391",
        "DBLP": "https://dblp.org/pid/123/4567",
        "Semantic Scholar": "https://www.semanticscholar.org/author/1751762",
    }


def test_header_leaves_out_the_links_a_researcher_does_not_have(client, db):
    researcher = researcher_with_author(slug="plain", website="", github_url="")

    html = client.get(researcher.get_absolute_url()).content.decode()

    assert 'class="profile__links"' not in html
    assert "ORCID" not in html


def figures(response) -> dict[str, str]:
    html = response.content.decode().split('class="profile__figures"')[1].split("</dl>")[0]
    return {
        unescape(term): re.sub(r"<[^>]+>", "", value)
        for term, value in re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", html)
    }


def test_header_gives_the_profile_in_figures_in_both_languages(client, owner):
    # Charles signed her works; her colleague did not.
    assert figures(client.get(FR)) == {"Publications": "4", "Coauteurs": "1", "Sujets": "3"}
    with translation.override("en"):
        assert figures(client.get(EN)) == {"Publications": "4", "Coauthors": "1", "Topics": "3"}


def test_follow_link_leads_to_the_feed_of_the_researchers_publications(client, owner):
    html = client.get(FR).content.decode()
    link = re.search(r'<a class="profile__feed" href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)

    assert link.group(1) == "/fr/feeds/researchers/ada.rss"
    assert " ".join(unescape(re.sub(r"<[^>]+>", " ", link.group(2))).split()) == (
        "Suivre les publications de Ada Lovelace RSS"
    )
    feed = client.get(link.group(1))
    assert feed.status_code == 200
    assert "Analytical engines for optimisation" in feed.content.decode()
    with translation.override("en"):
        assert ">Follow<" in client.get(EN).content.decode()


def test_a_long_biography_shows_its_first_paragraph_and_keeps_the_rest_behind_a_summary(
    client, owner
):
    html = client.get(FR).content.decode()
    bio = html.split('aria-labelledby="bio-heading"')[1].split("</section>")[0]
    teaser, details = bio.split("<details")

    assert "Ada Lovelace étudie les machines analytiques" in unescape(teaser)
    assert "première note" not in unescape(teaser)
    assert "<summary>Lire toute la biographie</summary>" in details
    assert "première note" in unescape(details)


def test_a_short_biography_is_shown_whole(client, owner):
    with translation.override("en"):
        html = client.get(EN).content.decode()
    bio = html.split('aria-labelledby="bio-heading"')[1].split("</section>")[0]

    assert SHORT_BIO_EN in bio
    assert "<details" not in bio


def test_a_long_biography_in_one_paragraph_is_cut_after_a_sentence(client, db):
    sentence = "Elle étudie les réseaux de neurones et leur entraînement sur de grands corpus. "
    researcher = researcher_with_author(slug="one-paragraph", bio_fr=sentence * 12)

    html = client.get(researcher.get_absolute_url()).content.decode()
    bio = html.split('aria-labelledby="bio-heading"')[1].split("</section>")[0]
    teaser, details = bio.split("<details")

    shown = " ".join(paragraphs(teaser))
    hidden = " ".join(paragraphs(details))
    assert shown.endswith("grands corpus.")
    assert 200 <= len(shown) <= 600
    assert f"{shown} {hidden}" == (sentence * 12).strip()


def paragraphs(html: str) -> list[str]:
    return [unescape(text).strip() for text in re.findall(r"<p>(.*?)</p>", html, re.S)]


# Key publications


def test_key_publications_come_first_newest_first_and_are_the_owners_own(client, owner):
    response = client.get(FR)

    assert "Publications clés" in text_of(response)
    assert key_titles(response) == ["Analytical engines for optimisation", "Engines on both fronts"]
    # Then the full list, which holds them too.
    assert listed_titles(response) == [
        "Analytical engines for optimisation",
        "Engines on both fronts",
        "Graph engines",
        "Notes on the difference engine",
    ]
    with translation.override("en"):
        assert "Key publications" in text_of(client.get(EN))


def test_a_profile_shows_at_most_five_key_publications(client, owner):
    for year in range(2010, 2017):
        publication = publication_with_authors([owner.author], title=f"Key of {year}", year=year)
        Authorship.objects.filter(publication=publication).update(is_key=True)

    shown = key_titles(client.get(FR))

    assert shown == [
        "Analytical engines for optimisation",
        "Engines on both fronts",
        "Key of 2016",
        "Key of 2015",
        "Key of 2014",
    ]


def test_key_publications_leave_each_id_of_the_page_to_one_element(client, owner):
    html = client.get(FR).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))

    assert [name for name, count in ids.items() if count > 1] == []
    for references in re.findall(r'aria-(?:labelledby|describedby)="([^"]+)"', html):
        for reference in references.split():
            assert ids[reference] == 1, reference


@pytest.mark.parametrize(
    "params", [{"topic": "optimisation"}, {"year": "2024"}, {"q": "engines"}, {"page": "2"}]
)
def test_key_publications_are_only_on_the_unfiltered_first_page(client, owner, params):
    for number in range(25):
        publication_with_authors([owner.author], title=f"Filler {number}", year=2000)

    response = client.get(FR, params)

    assert response.status_code == 200
    assert key_titles(response) == []
    assert "Publications clés" not in text_of(response)


def test_a_profile_without_key_publications_has_no_such_section(client, owner):
    Authorship.objects.update(is_key=False)

    response = client.get(FR)

    assert key_titles(response) == []
    assert 'id="key-heading"' not in response.content.decode()


# The topics, which filter the publications


def test_topic_chips_count_the_owners_publications_and_lead_to_them(client, owner):
    found = chips(client.get(FR))

    # The most published first, then A to Z.
    assert [(chip["name"], chip["count"]) for chip in found] == [
        ("Tous les sujets", 4),
        ("Graphes", 2),
        ("Optimisation", 2),
        ("Inutilisé", 0),
    ]
    by_name = {chip["name"]: chip for chip in found}
    assert by_name["Tous les sujets"]["current"]
    assert by_name["Optimisation"]["url"] == "/fr/chercheurs/ada/?topic=optimisation#publications"
    assert by_name["Optimisation"]["text"] == "Optimisation 2 publications"
    # A topic without publications leads nowhere, and says so.
    assert by_name["Inutilisé"]["url"] is None
    assert by_name["Inutilisé"]["text"] == "Inutilisé aucune publication"
    with translation.override("en"):
        english = {chip["name"]: chip for chip in chips(client.get(EN))}
    assert english["Unused"]["text"] == "Unused no publication yet"
    assert english["All topics"]["count"] == 4


def test_a_topic_chip_narrows_the_list_and_is_marked_as_current(client, owner):
    response = client.get(FR, {"topic": "optimisation"})

    assert sorted(listed_titles(response)) == [
        "Analytical engines for optimisation",
        "Engines on both fronts",
    ]
    assert "2 publications" in text_of(response)
    assert notice(response) == []
    current = [chip for chip in chips(response) if chip["current"]]
    assert [chip["name"] for chip in current] == ["Optimisation"]
    everything = next(chip for chip in chips(response) if chip["name"] == "Tous les sujets")
    assert everything["url"] == "/fr/chercheurs/ada/#publications"


def test_topics_beyond_the_first_five_are_behind_a_summary(client, owner):
    extra = [topic(f"extra-{n}", f"Sujet {n:02d}", f"Topic {n:02d}") for n in range(7)]
    owner.topics.add(*extra)
    last = publication_with_authors([owner.author], title="On the last topic", year=2018)
    last.topics.add(extra[6])

    html = client.get(FR).content.decode()
    topics = html.split('aria-labelledby="topics-heading"')[1].split("</section>")[0]
    shown, more = topics.split("<details")

    # "All topics", then the five most published; the others under "+5 autres".
    assert shown.count('class="topic topic-chip') == 6
    assert re.search(r"<summary>\+5 autres<span", more)
    assert more.count('class="topic topic-chip') == 5
    assert '<details class="topic-chips__more">' in html
    # The chosen topic is never hidden: its group opens.
    chosen = client.get(FR, {"topic": "extra-5"}).content.decode()
    assert '<details class="topic-chips__more" open>' in chosen


@pytest.mark.parametrize("requested", ["elsewhere", "no-such-topic", "<b>x</b>"])
def test_a_topic_that_is_not_the_owners_is_named_and_everything_is_shown(client, owner, requested):
    topic("elsewhere", "Ailleurs", "Elsewhere")

    response = client.get(FR, {"topic": requested})

    assert response.status_code == 200
    assert len(listed_titles(response)) == 4
    assert notice(response) == [
        f"« {requested} » ne fait pas partie des sujets de ce chercheur : "
        "toutes ses publications sont affichées."
    ]
    assert "<b>x</b>" not in response.content.decode()


# Years and words


def test_publications_are_grouped_under_their_years_newest_first(client, owner):
    response = client.get(FR)

    assert year_headings(response) == ["2024", "2021", "2019"]
    groups = section(response, "publications-heading").split('<h3 class="profile__year">')[1:]
    assert [entry_titles(group) for group in groups] == [
        ["Analytical engines for optimisation"],
        ["Engines on both fronts", "Graph engines"],
        ["Notes on the difference engine"],
    ]


def test_a_year_narrows_the_list(client, owner):
    response = client.get(FR, {"year": "2021"})

    assert sorted(listed_titles(response)) == ["Engines on both fronts", "Graph engines"]
    assert year_headings(response) == ["2021"]
    assert '<option value="2021" selected>2021 (2)</option>' in response.content.decode()


def test_the_year_menu_lists_the_owners_years_with_their_counts(client, owner):
    html = client.get(FR).content.decode()
    menu = html.split('id="profile-year"')[1].split("</select>")[0]

    assert re.findall(r'<option value="(\d*)"[^>]*>([^<]+)</option>', menu) == [
        ("", "Toutes les années"),
        ("2024", "2024 (1)"),
        ("2021", "2021 (2)"),
        ("2019", "2019 (1)"),
    ]


@pytest.mark.parametrize("year", ["abc", "1800", "20211", "２０２１", "2021\x00", " "])
def test_a_year_that_is_not_one_is_named_and_every_year_is_shown(client, owner, year):
    response = client.get(FR, {"year": year})

    assert response.status_code == 200
    assert len(listed_titles(response)) == 4
    if year.strip():
        assert notice(response) == [
            f"« {year.replace(chr(0), chr(0xFFFD))} » n'est pas une année : "
            "les publications de toutes les années sont affichées."
        ]
    else:
        assert notice(response) == []


def test_a_year_without_publications_says_so_and_leads_back(client, owner):
    response = client.get(FR, {"year": "1999"})
    text = text_of(response)

    assert listed_titles(response) == []
    assert "Aucune publication ne correspond à ces filtres." in text
    assert '<a href="/fr/chercheurs/ada/#publications">Voir toutes les publications</a>' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("analytical", ["Analytical engines for optimisation"]),
        (
            "engine",
            [
                "Analytical engines for optimisation",
                "Engines on both fronts",
                "Graph engines",
                "Notes on the difference engine",
            ],
        ),
        ("GRAPH", ["Graph engines"]),
        ("difference engine", ["Notes on the difference engine"]),
        (
            "babbage",
            [
                "Analytical engines for optimisation",
                "Engines on both fronts",
                "Graph engines",
                "Notes on the difference engine",
            ],
        ),
        ("zyxwvut", []),
    ],
)
def test_words_search_the_owners_publications_only(client, owner, words, expected):
    response = client.get(FR, {"q": words})

    assert response.status_code == 200
    assert sorted(listed_titles(response)) == sorted(expected)
    assert "Colleague's optimisation" not in text_of(response)
    assert f'value="{words}"' in response.content.decode()


def test_words_year_and_topic_combine(client, owner):
    response = client.get(FR, {"q": "engines", "year": "2021", "topic": "optimisation"})

    assert listed_titles(response) == ["Engines on both fronts"]


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("x" * 201, "La recherche dépasse 200 caractères : elle a été laissée de côté."),
        (
            "engine\x00s",
            "La recherche contient des caractères qui ne se cherchent pas : "
            "elle a été laissée de côté.",
        ),
    ],
)
def test_words_that_cannot_be_searched_are_named_and_everything_is_shown(
    client, owner, words, message
):
    response = client.get(FR, {"q": words})

    assert response.status_code == 200
    assert notice(response) == [message]
    assert len(listed_titles(response)) == 4


# The filters in use


def test_each_filter_in_use_can_be_removed_on_its_own(client, owner):
    response = client.get(FR, {"q": "engines", "year": "2021", "topic": "optimisation"})
    chips_in_use = removable_filters(response)

    assert set(chips_in_use) == {
        "Retirer le filtre : Optimisation",
        "Retirer le filtre : 2021",
        "Retirer le filtre : “engines”",
    }
    assert query_of(chips_in_use["Retirer le filtre : 2021"]) == {
        "topic": ["optimisation"],
        "q": ["engines"],
    }
    assert query_of(chips_in_use["Retirer le filtre : Optimisation"]) == {
        "year": ["2021"],
        "q": ["engines"],
    }
    assert "Effacer tous les filtres" in text_of(response)
    with translation.override("en"):
        english = removable_filters(client.get(EN, {"year": "2021"}))
    assert list(english) == ["Remove filter: 2021"]
    assert english["Remove filter: 2021"] == "/en/researchers/ada/#publications"


def test_no_filter_in_use_shows_no_chip_and_a_bad_value_leads_nowhere(client, owner):
    assert removable_filters(client.get(FR)) == {}

    response = client.get(FR, {"year": "abc", "topic": "graphs"})

    assert list(removable_filters(response)) == ["Retirer le filtre : Graphes"]
    assert "abc" not in "".join(chip["url"] or "" for chip in chips(response))


def test_pages_keep_the_filters(client, owner):
    for number in range(25):
        publication = publication_with_authors(
            [owner.author], title=f"Engines, part {number}", year=2021
        )
        publication.topics.add(*owner.topics.filter(slug="graphs"))
    params = {"q": "engines", "year": "2021", "topic": "graphs"}

    first = client.get(FR, params)
    link = re.search(r'<a href="([^"]+)" rel="next">', first.content.decode()).group(1)
    second = client.get(FR + unescape(link))

    assert query_of(unescape(link)) == {
        "q": ["engines"],
        "year": ["2021"],
        "topic": ["graphs"],
        "page": ["2"],
    }
    assert len(listed_titles(first)) == 20
    # The 25 parts, "Graph engines" and "Engines on both fronts".
    assert len(listed_titles(second)) == 7
    assert "Page 2 sur 2" in text_of(second)


# What surrounds the work


def test_each_bar_of_the_chart_of_years_leads_to_that_years_publications(client, owner):
    html = client.get(FR).content.decode()
    links = [
        unescape(href) for href in re.findall(r'<a class="year-chart__link" href="([^"]+)"', html)
    ]

    assert links == [
        "/fr/chercheurs/ada/?year=2019#publications",
        "/fr/chercheurs/ada/?year=2021#publications",
        "/fr/chercheurs/ada/?year=2024#publications",
    ]
    assert sorted(listed_titles(client.get(links[1]))) == [
        "Engines on both fronts",
        "Graph engines",
    ]


def test_the_coauthors_and_the_supervision_are_beside_the_publications(client, owner):
    charles = owner.__class__.objects.get(slug="charles")
    Supervision.objects.create(supervisor=charles, student=owner, degree="phd", start_year=2015)

    html = client.get(FR).content.decode()
    coauthors = section_html(html, "coauthors-heading")
    supervision = section_html(html, "supervision-heading")

    assert '<a href="/fr/chercheurs/charles/">Charles Babbage</a>' in coauthors
    assert '<a href="/fr/chercheurs/charles/">Charles Babbage</a>' in supervision
    aside = html.split('class="profile__aside"')[1]
    assert 'id="coauthors-heading"' in aside
    assert 'id="supervision-heading"' in aside
    assert "year-chart" in aside


def section_html(html: str, heading_id: str) -> str:
    start = re.search(rf'<section[^>]*aria-labelledby="{heading_id}"', html).start()
    return html[start:].split("</section>")[0]


# Empty profiles


def test_a_researcher_without_publications_says_so_without_a_search_form(client, db):
    researcher = ResearcherFactory(slug="newcomer")

    response = client.get(researcher.get_absolute_url())

    assert response.status_code == 200
    assert "Aucune publication pour l'instant." in text_of(response)
    assert 'role="search"' not in response.content.decode().split('id="main"')[1]
    assert figures(response)["Publications"] == "0"


# Cost


def _grown(count: int) -> str:
    """A researcher with ``count`` publications over ten years, three of them key, each with
    a coauthor who is a member, on three topics, another version and a further link; a
    supervisor and two students."""
    researcher = researcher_with_author(slug=f"owner-{count}")
    topics = [topic(f"t{count}-{n}", f"Sujet {n}", f"Topic {n}") for n in range(3)]
    researcher.topics.set(topics)
    coauthor = researcher_with_author(slug=f"coauthor-{count}")
    for number in range(count):
        publication = publication_with_authors(
            [AuthorFactory(), researcher.author, coauthor.author],
            title=f"Paper {number}",
            year=2015 + number % 10,
        )
        publication.topics.set(topics)
    signed = Publication.objects.filter(authorships__author=researcher.author)
    PublicationVersion.objects.bulk_create(
        PublicationVersion(publication=publication, kind="preprint", year=publication.year)
        for publication in signed
    )
    PublicationLink.objects.bulk_create(
        PublicationLink(publication=publication, kind="slides", url="https://example.org/s")
        for publication in signed
    )
    oldest = Publication.objects.filter(authorships__author=researcher.author).order_by("year")
    Authorship.objects.filter(
        author=researcher.author, publication__in=list(oldest.values_list("pk", flat=True)[:3])
    ).update(is_key=True)
    Supervision.objects.create(
        supervisor=ResearcherFactory(), student=researcher, degree="phd", start_year=2010
    )
    for year in (2019, 2022):
        Supervision.objects.create(
            supervisor=researcher, student=ResearcherFactory(), degree="msc", start_year=year
        )
    return researcher.get_absolute_url()


# The researcher, their topics, the counts per year and per topic, the page's rows, the key
# publications' rows, the entries' authors, versions, links and topics, the coauthors' counts
# and the names of the most frequent, the supervision.
PROFILE_QUERIES = 13


@pytest.mark.parametrize("count", [5, 300])
def test_a_profile_costs_the_same_queries_for_5_or_300_publications(
    client, db, django_assert_num_queries, count
):
    url = _grown(count)

    with django_assert_num_queries(PROFILE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert len(key_titles(response)) == 3
    assert len(listed_titles(response)) == min(count, 20)


@pytest.mark.parametrize("count", [5, 300])
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Without key publications, with the count of the list; the language switch reads the
        # topic's slug in the other language.
        ({"topic": "t{count}-1"}, PROFILE_QUERIES + 1),
        # A year alone: its count is the owner's count for that year.
        ({"year": "2017"}, PROFILE_QUERIES - 1),
        # PostgreSQL also looks up the authors whose name is like the words.
        ({"q": "paper"}, PROFILE_QUERIES + (connection.vendor == "postgresql")),
    ],
)
def test_a_filtered_profile_costs_the_same_queries_for_5_or_300_publications(
    client, db, django_assert_num_queries, count, params, expected
):
    url = _grown(count)
    params = {name: value.format(count=count) for name, value in params.items()}

    with django_assert_num_queries(expected):
        response = client.get(url, params)

    assert response.status_code == 200
    assert listed_titles(response)


def test_a_profile_seen_again_is_read_from_the_cache_until_it_changes(
    client, owner, django_assert_num_queries
):
    client.get(FR, {"year": "2021"})
    with django_assert_num_queries(0):
        again = client.get(FR, {"year": "2021"})
    assert sorted(listed_titles(again)) == ["Engines on both fronts", "Graph engines"]

    publication_with_authors([owner.author], title="Engines of 2021, late", year=2021)

    assert "Engines of 2021, late" in listed_titles(client.get(FR, {"year": "2021"}))
    assert figures(client.get(FR))["Publications"] == "5"


def test_the_page_cache_keeps_the_filters_apart(client, owner):
    assert len(listed_titles(client.get(FR, {"year": "2024"}))) == 1
    assert len(listed_titles(client.get(FR, {"year": "2021"}))) == 2
    assert len(listed_titles(client.get(FR, {"q": "graph"}))) == 1
    assert len(listed_titles(client.get(FR))) == 4
