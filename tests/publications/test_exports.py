"""Citation downloads: BibTeX, RIS and CSL-JSON for one publication, a profile and a list."""

import json
import re
from html import unescape
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import Researcher
from publications.exports import to_bibtex, to_csl_json, to_ris
from publications.models import Author, Authorship, Publication, PublicationVersion
from publications.services import publication_import_bibtex
from publications.structured_data import highwire_tags, publication_article
from tests.factories import AuthorFactory, PublicationFactory, publication_with_authors

Kind = Publication.Kind

PUBLICATION_FIELDS = [
    "title",
    "year",
    "kind",
    "venue",
    "abstract",
    "doi",
    "arxiv_id",
    "url",
    "language",
]


def snapshot() -> list[tuple]:
    """Every publication's data and its authors in order, independent of primary keys."""
    rows = []
    for publication in Publication.objects.order_by("title"):
        authors = [
            (a.author.display_name, a.author.given_name, a.author.family_name)
            for a in publication.authorships.select_related("author").order_by("position")
        ]
        rows.append((*(getattr(publication, f) for f in PUBLICATION_FIELDS), tuple(authors)))
    return rows


def person(display_name: str, **parts) -> Author:
    return AuthorFactory(display_name=display_name, **parts)


def organisation(name: str) -> Author:
    return AuthorFactory(display_name=name, is_organization=True)


def make_publication(authors=(), editors=(), versions=(), **fields) -> Publication:
    """A publication signed by ``authors`` and edited by ``editors`` in this order, with other
    versions (dicts of their fields), read back the way the exports read it."""
    publication = PublicationFactory(**{"abstract": "", **fields})
    for role, people in ((Authorship.Role.AUTHOR, authors), (Authorship.Role.EDITOR, editors)):
        for position, author in enumerate(people, start=1):
            Authorship.objects.create(
                publication=publication, author=author, role=role, position=position
            )
    for version in versions:
        PublicationVersion.objects.create(publication=publication, **version)
    return Publication.objects.with_authors().get(pk=publication.pk)


def king() -> Author:
    return person(
        "Martin Luther King Jr.", given_name="Martin Luther", family_name="King", suffix="Jr."
    )


@pytest.fixture
def article(db) -> Publication:
    return make_publication(
        [king(), organisation("World Health Organization"), person("Jiří Škoda")],
        [person("Jane Doe")],
        title="Costs & benefits",
        kind=Kind.JOURNAL_ARTICLE,
        venue="Journal of A & B",
        year=2023,
        month=7,
        day=15,
        volume="12",
        issue="3",
        pages="12–34",
        publisher="Springer",
        note="Special issue",
        doi="10.1234/abc.5",
        language="en",
        authors_truncated=True,
    )


def bibtex_fields(text: str) -> dict[str, str]:
    """The fields of the first entry of ``text``, one per line as the export writes them."""
    entry = text.split("\n}\n")[0]
    return dict(re.findall(r"^  (\w+) = (.*?),?$", entry, re.M))


def ris_tags(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^([A-Z][A-Z0-9])  - (.*?)\r?$", text, re.M)


# BibTeX


def test_bibtex_writes_every_field_of_an_article(article):
    fields = bibtex_fields(to_bibtex([article]))

    assert fields == {
        "title": "{{Costs \\& benefits}}",
        "author": "{King, Jr., Martin Luther and {World Health Organization} and Škoda, Jiří"
        " and others}",
        "editor": "{Doe, Jane}",
        "year": "{2023}",
        "month": "jul",
        "day": "{15}",
        "pages": "{12--34}",
        "journal": "{Journal of A \\& B}",
        "volume": "{12}",
        "number": "{3}",
        "publisher": "{Springer}",
        "note": "{Special issue}",
        "doi": "{10.1234/abc.5}",
        "langid": "{en}",
    }
    assert to_bibtex([article]).startswith("@article{king2023costs,\n")


@pytest.mark.parametrize(
    ("kind", "entry_type", "expected"),
    [
        (Kind.THESIS, "phdthesis", {"school": "{Université de Montréal}"}),
        (Kind.REPORT, "techreport", {"institution": "{Université de Montréal}"}),
        (Kind.PREPRINT, "misc", {"howpublished": "{The venue}"}),
        (Kind.OTHER, "misc", {"howpublished": "{The venue}"}),
        (Kind.BOOK_CHAPTER, "incollection", {"booktitle": "{The venue}"}),
        (Kind.CONFERENCE_PAPER, "inproceedings", {"booktitle": "{The venue}"}),
    ],
)
def test_bibtex_names_venue_and_institution_by_kind(db, kind, entry_type, expected):
    institution = "Université de Montréal" if kind in (Kind.THESIS, Kind.REPORT) else ""
    venue = "" if institution else "The venue"
    publication = make_publication(
        [person("Ada Lovelace")], kind=kind, venue=venue, institution=institution, year=2020
    )

    text = to_bibtex([publication])

    assert text.startswith(f"@{entry_type}{{lovelace2020")
    assert expected.items() <= bibtex_fields(text).items()


def test_bibtex_writes_a_book_with_its_publisher_series_and_editors(db):
    book = make_publication(
        [],
        [person("Grace Hopper"), person("Alan Turing")],
        kind=Kind.BOOK,
        title="Programming",
        venue="",
        year=1999,
        publisher="Addison-Wesley",
        edition="2",
        series="Lecture Notes",
        number="42",
        address="Boston",
        pages="320",
        editors_truncated=True,
    )

    fields = bibtex_fields(to_bibtex([book]))

    assert "author" not in fields
    assert fields["editor"] == "{Hopper, Grace and Turing, Alan and others}"
    assert {k: fields[k] for k in ("publisher", "edition", "series", "number", "address")} == {
        "publisher": "{Addison-Wesley}",
        "edition": "{2}",
        "series": "{Lecture Notes}",
        "number": "{42}",
        "address": "{Boston}",
    }
    assert fields["pages"] == "{320}"
    assert "booktitle" not in fields
    assert "howpublished" not in fields
    assert to_bibtex([book]).startswith("@book{hopper1999programming,")


def test_bibtex_escapes_special_characters_and_keeps_letters(db):
    publication = make_publication(
        [person("Łukasz Kaiser"), organisation("Food and Agriculture Organization")],
        title="50% & $x_1$ #2 {braces} ~ back\\slash a^b: Ça marche",
        kind=Kind.OTHER,
        venue="",
        year=2020,
    )

    fields = bibtex_fields(to_bibtex([publication]))

    assert fields["title"] == (
        r"{{50\% \& \$x\_1\$ \#2 \{braces\} \textasciitilde{} back\textbackslash{}slash "
        r"a\^{}b: Ça marche}}"
    )
    assert fields["author"] == "{Kaiser, Łukasz and {Food and Agriculture Organization}}"


def test_bibtex_keeps_names_without_a_given_name_whole(db):
    publication = make_publication(
        [
            person("Plato", given_name="", family_name="Plato"),
            person("King Jr.", given_name="", family_name="King", suffix="Jr."),
            person("Leonardo da Vinci", given_name="", family_name="Leonardo da Vinci"),
            person("John Smith, and Sons", given_name="John", family_name="Smith, and Sons"),
        ],
        year=2020,
    )

    fields = bibtex_fields(to_bibtex([publication]))

    assert fields["author"] == (
        "{Plato and King, Jr., {} and {Leonardo da Vinci} and {Smith, and Sons}, John}"
    )


def test_bibtex_keys_are_unique_within_a_file(db):
    lovelace = person("Ada Lovelace")
    twins = [make_publication([lovelace], title="Engines", year=1943) for _ in range(3)]

    keys = re.findall(r"^@\w+\{([^,]+),", to_bibtex(twins), re.M)

    assert keys == ["lovelace1943engines", "lovelace1943enginesa", "lovelace1943enginesb"]


def test_bibtex_writes_other_versions_as_data_only_related_entries(client, db):
    publication = make_publication(
        [person("Maciej Pióro")],
        title="State Soup",
        kind=Kind.CONFERENCE_PAPER,
        venue="ICML 2025",
        year=2025,
        versions=[
            {
                "kind": Kind.PREPRINT,
                "year": 2024,
                "month": 6,
                "arxiv_id": "2406.08423",
                "venue": "arXiv",
                "title": "State Soup: In-Context Skill Learning",
            },
        ],
    )

    single = client.get(f"/fr/publications/{publication.pk}/cite.bib").content.decode()
    listed = client.get("/fr/publications/export.bib").content.decode()

    for text in (single, listed):
        cited, version = text.split("\n\n")
        assert cited.startswith("@inproceedings{pioro2025state,")
        assert "  related = {pioro2025state-preprint}" in cited
        assert version.startswith("@misc{pioro2025state-preprint,\n")
        assert "  options = {dataonly}" in version
        assert "  title = {{State Soup: In-Context Skill Learning}}" in version
        assert "  author = {Pióro, Maciej}" in version
        assert "  eprint = {2406.08423}" in version
        assert "  month = jun" in version
    csl = json.loads(client.get(f"/fr/publications/{publication.pk}/cite.json").content)
    ris = client.get(f"/fr/publications/{publication.pk}/cite.ris").content.decode()
    assert [item["id"] for item in csl] == ["pioro2025state"]
    assert "2406.08423" not in json.dumps(csl) + ris


def test_bibtex_keeps_fields_that_biblatex_has_no_place_for(db):
    # biblatex's article has no publisher; BibTeX styles and reference managers read it.
    publication = make_publication(
        [person("Ada Lovelace")],
        kind=Kind.JOURNAL_ARTICLE,
        venue="Nature",
        year=2020,
        publisher="Springer Nature",
        number="e1234",
        address="London",
    )

    fields = bibtex_fields(to_bibtex([publication]))

    assert fields["publisher"] == "{Springer Nature}"
    assert fields["eid"] == "{e1234}"
    assert fields["address"] == "{London}"


# RIS


def test_ris_writes_every_field_of_an_article_in_its_tag(article):
    tags = ris_tags(to_ris([article]))

    assert tags == [
        ("TY", "JOUR"),
        ("TI", "Costs & benefits"),
        ("AU", "King, Martin Luther, Jr."),
        ("AU", "World Health Organization"),
        ("AU", "Škoda, Jiří"),
        ("A2", "Doe, Jane"),
        ("PY", "2023"),
        ("DA", "2023/07/15/"),
        ("SP", "12"),
        ("EP", "34"),
        ("T2", "Journal of A & B"),
        ("VL", "12"),
        ("IS", "3"),
        ("PB", "Springer"),
        ("N1", "Special issue"),
        ("DO", "10.1234/abc.5"),
        ("LA", "en"),
        ("ER", ""),
    ]


def test_ris_places_books_theses_and_reports(db):
    book = make_publication(
        [person("Ada Lovelace")],
        [person("Grace Hopper")],
        kind=Kind.BOOK,
        venue="",
        year=1999,
        month=3,
        publisher="Addison-Wesley",
        edition="2",
        series="Classics",
        number="7",
        address="Boston",
    )
    thesis = make_publication(
        [person("Ada Lovelace")],
        kind=Kind.THESIS,
        venue="",
        year=2001,
        institution="Université de Montréal",
        address="Montréal",
    )
    report = make_publication(
        [person("Ada Lovelace")],
        kind=Kind.REPORT,
        venue="",
        year=2002,
        institution="Mila",
        number="TR-7",
    )

    book_tags, thesis_tags, report_tags = (ris_tags(to_ris([p])) for p in (book, thesis, report))

    assert ("A3", "Hopper, Grace") in book_tags  # A2 is a book's series editor
    assert {
        ("DA", "1999/03//"),
        ("PB", "Addison-Wesley"),
        ("ET", "2"),
        ("T3", "Classics"),
        ("M1", "7"),
        ("CY", "Boston"),
    } <= set(book_tags)
    assert not [tag for tag, _value in book_tags if tag == "T2"]
    assert {("TY", "THES"), ("PB", "Université de Montréal"), ("CY", "Montréal")} <= set(
        thesis_tags
    )
    assert {("TY", "RPRT"), ("PB", "Mila"), ("SN", "TR-7")} <= set(report_tags)


def test_ris_keeps_preprint_identifiers_and_writes_no_fake_author(db):
    preprint = make_publication(
        [person("Ada Lovelace")],
        kind=Kind.PREPRINT,
        venue="arXiv",
        year=2024,
        arxiv_id="2406.08423",
        authors_truncated=True,
    )

    tags = ris_tags(to_ris([preprint]))

    assert [value for tag, value in tags if tag == "AU"] == ["Lovelace, Ada"]
    assert {("DB", "arXiv"), ("AN", "2406.08423"), ("PB", "arXiv")} <= set(tags)
    assert ("UR", "https://arxiv.org/abs/2406.08423") in tags
    assert not [tag for tag, _value in tags if tag == "T2"]


# CSL-JSON


def test_csl_json_writes_every_field_of_an_article(article):
    (item,) = json.loads(to_csl_json([article]))

    assert item == {
        "id": "king2023costs",
        "type": "article-journal",
        "title": "Costs & benefits",
        "author": [
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            {"literal": "World Health Organization"},
            {"family": "Škoda", "given": "Jiří"},
        ],
        "editor": [{"family": "Doe", "given": "Jane"}],
        "issued": {"date-parts": [[2023, 7, 15]]},
        "page": "12-34",
        "container-title": "Journal of A & B",
        "volume": "12",
        "issue": "3",
        "publisher": "Springer",
        "note": "Special issue",
        "DOI": "10.1234/abc.5",
        "language": "en",
    }


def test_csl_json_gives_books_and_theses_a_publisher_not_a_container(db):
    book = make_publication(
        [person("Ada Lovelace")],
        kind=Kind.BOOK,
        venue="",
        year=1999,
        publisher="Addison-Wesley",
        series="Classics",
        number="7",
        address="Boston",
    )
    thesis = make_publication(
        [person("Ada Lovelace")],
        kind=Kind.THESIS,
        venue="",
        year=2001,
        institution="Université de Montréal",
    )
    report = make_publication(
        [person("Ada Lovelace")],
        kind=Kind.REPORT,
        venue="",
        year=2002,
        institution="Mila",
        number="TR-7",
    )

    book_item, thesis_item, report_item = json.loads(to_csl_json([book, thesis, report]))

    assert "container-title" not in book_item
    assert {
        k: book_item[k]
        for k in ("publisher", "publisher-place", "collection-title", "collection-number")
    } == {
        "publisher": "Addison-Wesley",
        "publisher-place": "Boston",
        "collection-title": "Classics",
        "collection-number": "7",
    }
    assert thesis_item["publisher"] == "Université de Montréal"
    assert (report_item["publisher"], report_item["number"]) == ("Mila", "TR-7")


def test_csl_json_puts_the_arxiv_id_in_its_archive(db):
    preprint = make_publication(
        [person("Ada Lovelace")],
        kind=Kind.PREPRINT,
        venue="arXiv",
        year=2024,
        arxiv_id="2406.08423",
        authors_truncated=True,
    )

    (item,) = json.loads(to_csl_json([preprint]))

    assert (item["archive"], item["archive_location"]) == ("arXiv", "2406.08423")
    assert item["URL"] == "https://arxiv.org/abs/2406.08423"
    assert "number" not in item
    assert item["author"] == [{"family": "Lovelace", "given": "Ada"}]  # no "others"


def test_csl_json_ids_are_unique_in_a_list_of_87(client, db):
    lead = person("Ada Lovelace")
    for _ in range(87):
        make_publication([lead], title="Engines", year=1943)

    items = json.loads(client.get("/fr/publications/export.json").content)

    assert len(items) == 87
    assert len({item["id"] for item in items}) == 87


# Every format


def test_editors_are_never_exported_as_authors(db):
    chapter = make_publication(
        [person("Ada Lovelace")],
        [person("Grace Hopper")],
        kind=Kind.BOOK_CHAPTER,
        venue="Collected Works",
        year=2000,
    )

    bib = bibtex_fields(to_bibtex([chapter]))
    ris = ris_tags(to_ris([chapter]))
    (csl,) = json.loads(to_csl_json([chapter]))

    assert (bib["author"], bib["editor"]) == ("{Lovelace, Ada}", "{Hopper, Grace}")
    assert [v for t, v in ris if t == "AU"] == ["Lovelace, Ada"]
    assert [v for t, v in ris if t == "A2"] == ["Hopper, Grace"]
    assert csl["author"] == [{"family": "Lovelace", "given": "Ada"}]
    assert csl["editor"] == [{"family": "Hopper", "given": "Grace"}]
    assert csl["container-title"] == "Collected Works"


def test_page_metadata_uses_the_same_mapping(article, rf):
    request = rf.get("/")

    data = publication_article(article, request)
    tags = highwire_tags(article)

    assert data["author"][0] == {
        "@type": "Person",
        "name": "Martin Luther King Jr.",
        "givenName": "Martin Luther",
        "familyName": "King",
        "honorificSuffix": "Jr.",
    }
    assert data["author"][1] == {"@type": "Organization", "name": "World Health Organization"}
    assert [editor["name"] for editor in data["editor"]] == ["Jane Doe"]
    assert data["isPartOf"] == {
        "@type": "PublicationIssue",
        "issueNumber": "3",
        "isPartOf": {
            "@type": "PublicationVolume",
            "volumeNumber": "12",
            "isPartOf": {"@type": "Periodical", "name": "Journal of A & B"},
        },
    }
    assert (data["pagination"], data["pageStart"], data["pageEnd"]) == ("12-34", "12", "34")
    assert data["publisher"] == {"@type": "Organization", "name": "Springer"}
    assert data["datePublished"] == "2023-07-15"
    assert [v for name, v in tags if name == "citation_author"] == [
        "Martin Luther King Jr.",
        "World Health Organization",
        "Jiří Škoda",
    ]
    assert {
        ("citation_journal_title", "Journal of A & B"),
        ("citation_volume", "12"),
        ("citation_issue", "3"),
        ("citation_firstpage", "12"),
        ("citation_lastpage", "34"),
        ("citation_publisher", "Springer"),
        ("citation_publication_date", "2023/07/15"),
    } <= set(tags)


# Feeds


@pytest.mark.parametrize("url", ["/fr/feeds/publications.rss", "/en/feeds/publications.atom"])
def test_feed_titles_and_descriptions_are_escaped_once(client, db, url):
    make_publication(
        [person("Ada Lovelace")], title="Costs & benefits", venue="R&D", abstract="", year=2020
    )

    response = client.get(url)

    body = response.content.decode()
    assert "<title>Costs &amp; benefits</title>" in body
    assert "&amp;amp;" not in body.replace("R&amp;amp;D", "")  # only the HTML description
    root = ElementTree.fromstring(response.content)
    descriptions = [
        element.text
        for element in root.iter()
        if element.tag in ("description", "{http://www.w3.org/2005/Atom}summary")
        and element.text.startswith("<p>")
    ]
    # The description is HTML, its text escaped once as HTML (then as XML, like any markup).
    assert descriptions == ["<p>Ada Lovelace</p>\n<p>R&amp;D 2020</p>"]
    assert unescape(descriptions[0]) == "<p>Ada Lovelace</p>\n<p>R&D 2020</p>"


def test_feeds_list_authors_not_editors(client, db):
    make_publication([person("Ada Lovelace")], [person("Grace Hopper")], year=2020)

    body = client.get("/fr/feeds/publications.rss").content.decode()

    assert "Ada Lovelace" in body
    assert "Grace Hopper" not in body


# Downloads


def _export_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/fr/publications/export.bib",
        "/fr/publications/export.json",
        "/fr/chercheurs/ada/publications.bib",
    ],
)
def test_exports_cost_the_same_queries_for_2_or_12_publications(client, db, url):
    from tests.factories import researcher_with_author

    lead = researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada").author

    def grow(count: int) -> None:
        for _ in range(count):
            make_publication(
                [lead, person("Grace Hopper")],
                [person("Alan Turing")],
                versions=[{"kind": Kind.PREPRINT, "year": 2020}],
            )

    grow(2)
    few = _export_queries(client, url)
    grow(10)
    many = _export_queries(client, url)

    assert few == many


def test_exported_bibtex_imports_back_to_the_same_data(client, demo):
    tricky = publication_with_authors(
        [AuthorFactory(display_name="Hado van Hasselt"), AuthorFactory(display_name="Jiří Škoda")],
        title="Costs of 50% & more: $x_1$ #2 {braces} ~ back\\slash",
        abstract="Under_scores and a tilde ~ too.",
        venue="Journal of A & B",
        kind=Publication.Kind.JOURNAL_ARTICLE,
        year=2021,
        language="fr",
    )
    tricky.save()
    before = snapshot()

    response = client.get("/fr/publications/export.bib")
    text = response.content.decode()
    Authorship.objects.all().delete()
    Publication.objects.all().delete()
    Researcher.objects.update(is_published=True)
    Author.objects.all().delete()
    report = publication_import_bibtex(text=text)

    assert report.succeeded, report.problems
    assert len(report.created) == 12
    assert snapshot() == before


def test_one_publication_downloads_in_each_format(client, demo):
    publication = Publication.objects.get(arxiv_id="2406.08423")
    base = f"/fr/publications/{publication.pk}/cite."

    bib = client.get(base + "bib")
    ris = client.get(base + "ris")
    csl = client.get(base + "json")

    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bib["Content-Disposition"] == 'attachment; filename="pioro2024state.bib"'
    assert "author = {Pióro, Maciej and Wołczyk, Maciej and Pascanu, Razvan" in bib.content.decode()
    assert ris["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert "TY  - UNPB\r\nTI  - State Soup" in ris.content.decode()
    assert "AU  - Pióro, Maciej\r\n" in ris.content.decode()
    assert ris.content.decode().rstrip().endswith("ER  -")
    assert csl["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    item = json.loads(csl.content)[0]
    assert item["author"][0] == {"family": "Pióro", "given": "Maciej"}
    assert item["issued"]["date-parts"][0][0] == 2024
    assert item["type"] == "article"


def test_profile_downloads_all_its_publications(client, demo):
    response = client.get("/en/researchers/razvan-pascanu/publications.json")

    assert response["Content-Disposition"] == (
        'attachment; filename="razvan-pascanu-publications.json"'
    )
    assert len(json.loads(response.content)) == 11


def test_filtered_list_downloads_with_its_filters(client, demo):
    response = client.get("/fr/publications/export.ris?topic=apprentissage-par-renforcement")

    assert response.content.decode().count("TY  - ") == 2
    html = client.get("/fr/publications/?topic=apprentissage-par-renforcement").content.decode()
    assert "/fr/publications/export.bib?topic=apprentissage-par-renforcement" in html


@pytest.mark.parametrize(
    "url",
    [
        "/fr/publications/99999/cite.bib",
        "/fr/publications/1/cite.pdf",
        "/fr/chercheurs/nobody/publications.bib",
        "/fr/publications/export.exe",
    ],
)
def test_unknown_exports_are_not_found(client, demo, url):
    assert client.get(url).status_code == 404


def test_unpublished_publications_are_not_exported(client, demo):
    Publication.objects.filter(arxiv_id="2406.08423").update(is_published=False)
    hidden = Publication.objects.get(arxiv_id="2406.08423")

    assert client.get(f"/fr/publications/{hidden.pk}/cite.bib").status_code == 404
    assert "State Soup" not in client.get("/fr/publications/export.bib").content.decode()
    profile = client.get("/fr/chercheurs/razvan-pascanu/publications.bib").content.decode()
    assert "State Soup" not in profile
