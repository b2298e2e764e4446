"""Citation downloads: BibTeX, RIS and CSL-JSON for one publication, a profile and a list."""

import json

import pytest

from profiles.models import Researcher
from publications.models import Author, Authorship, Publication
from publications.services import publication_import_bibtex
from tests.factories import AuthorFactory, publication_with_authors

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
    assert item["issued"] == {"date-parts": [[2024]]}
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
