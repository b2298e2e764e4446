"""Versions of one work: recognised on import and merge, the most final one cited, nothing a
version brought lost, and a wrong merge split back out."""

import pytest

from publications.models import Author, Authorship, Publication, PublicationVersion
from publications.services import (
    publication_import_bibtex,
    publication_merge,
    version_make_cited,
    version_split,
)
from tests.factories import AuthorFactory, publication_with_authors

pytestmark = pytest.mark.django_db

KNUTH = r"""
@techreport{knuth83,
  author = {Donald E. Knuth},
  title = {Literate Programming},
  institution = {Stanford University},
  number = {STAN-CS-83-981},
  year = {1983},
  month = sep,
}
@article{knuth84,
  author = {Donald E. Knuth},
  title = {Literate Programming},
  journal = {The Computer Journal},
  volume = {27},
  number = {2},
  pages = {97--111},
  year = {1984},
  doi = {10.1093/comjnl/27.2.97},
}
"""

SEED_PREPRINT = r"""
@misc{orvieto2023universality,
  title = {Universality of Linear Recurrences Followed by Non-linear Projections},
  author = {Orvieto, Antonio and De, Soham and Gulcehre, Caglar and Pascanu, Razvan
            and Smith, Samuel L.},
  year = {2023},
  eprint = {2307.11888},
  archivePrefix = {arXiv},
  doi = {10.48550/arXiv.2307.11888},
}
"""
SEED_PAPER = r"""
@inproceedings{orvieto2024universality,
  title = {Universality of Linear Recurrences Followed by Non-linear Projections},
  author = {Orvieto, Antonio and De, Soham and G{\"u}l{\c{c}}ehre, {\c{C}}a{\u{g}}lar
            and Pascanu, Razvan and Smith, Samuel L.},
  booktitle = {Proceedings of the 41st International Conference on Machine Learning (ICML 2024)},
  pages = {38939--38959},
  volume = {235},
  series = {Proceedings of Machine Learning Research},
  publisher = {PMLR},
  year = {2024},
}
"""


def test_a_report_and_its_journal_article_are_one_work_citing_the_article():
    report = publication_import_bibtex(text=KNUTH)

    assert report.succeeded, report.problems
    publication = Publication.objects.get()
    assert (publication.kind, publication.year) == ("article", 1984)
    assert publication.venue == "The Computer Journal"
    assert (publication.volume, publication.issue, publication.pages) == ("27", "2", "97–111")
    assert publication.doi == "10.1093/comjnl/27.2.97"
    version = publication.versions.get()
    assert (version.kind, version.year, version.month) == ("report", 1983, 9)
    assert (version.institution, version.number) == ("Stanford University", "STAN-CS-83-981")
    assert [e.status for e in report.entries] == ["created", "version"]


def test_the_journal_article_imported_after_its_report_becomes_the_cited_version():
    report, article = KNUTH.split("@article")
    publication_import_bibtex(text=report)
    outcome = publication_import_bibtex(text="@article" + article)

    publication = Publication.objects.get()
    assert (publication.kind, publication.year, publication.venue) == (
        "article",
        1984,
        "The Computer Journal",
    )
    assert publication.versions.get().institution == "Stanford University"
    [entry] = outcome.entries
    assert (entry.status, entry.version_role) == ("version", "replaces")
    changed = {change.name: (change.old, change.new) for change in entry.changes}
    assert changed["kind"] == ("report", "article")
    assert changed["venue"] == ("", "The Computer Journal")


def test_the_preprint_and_the_conference_paper_are_one_publication_of_the_conference_year():
    publication_import_bibtex(text=SEED_PREPRINT)
    publication_import_bibtex(text=SEED_PAPER)

    publication = Publication.objects.get()
    assert (publication.kind, publication.year) == ("inproceedings", 2024)
    assert publication.venue.endswith("(ICML 2024)")
    assert (publication.volume, publication.pages, publication.publisher) == (
        "235",
        "38939–38959",
        "PMLR",
    )
    assert publication.arxiv_id == "2307.11888"  # the preprint stays one click away
    preprint = publication.versions.get()
    assert (preprint.kind, preprint.year, preprint.doi) == (
        "preprint",
        2023,
        "10.48550/arxiv.2307.11888",
    )
    # The accented spelling tells more than the plain one: it wins.
    assert Author.objects.filter(family_name="Gülçehre", given_name="Çağlar").exists()
    assert not Author.objects.filter(display_name="Caglar Gulcehre").exists()


def test_the_same_version_twice_fills_empty_fields_and_adds_no_version():
    publication_import_bibtex(text=SEED_PAPER.replace("pages = {38939--38959},", ""))
    report = publication_import_bibtex(text=SEED_PAPER)

    publication = Publication.objects.get()
    assert publication.pages == "38939–38959"
    assert not publication.versions.exists()
    assert [e.status for e in report.entries] == ["merged"]


def test_a_version_merged_by_mistake_is_split_back_out_with_its_authors():
    publication_import_bibtex(text=KNUTH)
    publication = Publication.objects.get()

    split = version_split(version=publication.versions.get())

    assert Publication.objects.count() == 2
    assert not publication.versions.exists()
    assert (split.kind, split.year, split.institution) == ("report", 1983, "Stanford University")
    assert [a.author.display_name for a in split.authorships.all()] == ["Donald E. Knuth"]


def test_an_editor_can_cite_another_version_instead():
    publication_import_bibtex(text=KNUTH)
    publication = Publication.objects.get()

    version_make_cited(version=publication.versions.get())

    publication.refresh_from_db()
    assert (publication.kind, publication.year) == ("report", 1983)
    assert publication.versions.get().venue == "The Computer Journal"


def test_merging_a_preprint_into_its_paper_keeps_the_preprint_as_a_version():
    author = AuthorFactory(display_name="Ada Lovelace")
    paper = publication_with_authors(
        [author], title="Notes", kind="article", year=1943, venue="Scientific Memoirs"
    )
    preprint = publication_with_authors(
        [author], title="Notes (draft)", kind="preprint", year=1942, arxiv_id="1234.56789"
    )

    report = publication_merge(keep=paper, duplicates=[preprint])

    paper.refresh_from_db()
    assert Publication.objects.count() == 1
    assert (paper.kind, paper.venue, paper.arxiv_id) == ("article", "Scientific Memoirs", "")
    version = paper.versions.get()
    assert (version.kind, version.year, version.arxiv_id, version.title) == (
        "preprint",
        1942,
        "1234.56789",
        "Notes (draft)",
    )
    assert report.added_versions


def test_the_public_page_lists_the_other_versions_and_the_year_cited(client):
    publication_import_bibtex(text=SEED_PREPRINT + SEED_PAPER)
    publication = Publication.objects.get()

    page = client.get(publication.get_absolute_url()).content.decode()
    listing = client.get("/fr/publications/?year_from=2024&year_to=2024").content.decode()

    assert "Prépublication arXiv, 2023" in page
    assert "vol. 235" in page
    assert "38939–38959" in page
    assert publication.title in listing


def test_editors_are_never_authors_and_et_al_is_kept(client):
    text = r"""
    @proceedings{icml2024,
      editor = {Salakhutdinov, Ruslan and Kolter, Zico and others},
      title = {Proceedings of the 41st International Conference on Machine Learning},
      publisher = {PMLR}, year = {2024}, series = {PMLR}, volume = {235},
    }
    @article{who2020,
      author = {{World Health Organization} and King, Jr., Martin Luther and others},
      title = {A report signed by a body}, journal = {Bulletin}, year = {2020}}
    """
    report = publication_import_bibtex(text=text)

    assert report.succeeded, report.problems
    book = Publication.objects.get(kind="book")
    assert not book.authorships.authors().exists()
    assert [a.author.display_name for a in book.authorships.editors()] == [
        "Ruslan Salakhutdinov",
        "Zico Kolter",
    ]
    assert book.editors_truncated
    assert not book.authors_truncated
    article = Publication.objects.get(kind="article")
    assert article.authors_truncated
    who, king = (a.author for a in article.authorships.order_by("position"))
    assert who.is_organization
    assert who.display_name == "World Health Organization"
    assert (king.given_name, king.family_name, king.suffix) == ("Martin Luther", "King", "Jr.")
    page = client.get(book.get_absolute_url()).content.decode()
    assert "(éd.)" in page
    assert "et al." in client.get(article.get_absolute_url()).content.decode()


def test_an_import_bringing_thousands_of_new_authors_works(django_assert_max_num_queries):
    entries = "\n".join(
        f"@article{{big{n}, title={{Paper {n}}}, journal={{J}}, year={{2020}}, "
        f"author={{{' and '.join(f'Person{n}x{k} Family{n}y{k}' for k in range(6))}}}}}"
        for n in range(400)
    )
    report = publication_import_bibtex(text=entries)

    assert report.succeeded
    assert Author.objects.count() == 2400
    assert Authorship.objects.count() == 2400
    assert PublicationVersion.objects.count() == 0
