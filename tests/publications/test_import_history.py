"""The history an import records: what django-reversion itself would store, and undone from it."""

import pytest
import reversion
from django.core import serializers
from reversion.models import Revision, Version

from publications.models import Authorship, Publication, PublicationVersion
from publications.services import publication_import_bibtex
from publications.services.history import serialized_version
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearchTopicFactory,
    publication_with_authors,
)

pytestmark = pytest.mark.django_db

KNUTH = r"""
@techreport{knuth83,
  author = {Donald E. Knuth and Lu{\'\i}s Trabb Pardo},
  title = {Literate Programming},
  institution = {Stanford University},
  number = {STAN-CS-83-981},
  year = {1983},
  month = sep,
}
@article{knuth84,
  author = {Donald E. Knuth and Lu{\'\i}s Trabb Pardo},
  title = {Literate Programming},
  journal = {The Computer Journal},
  volume = {27},
  pages = {97--111},
  year = {1984},
  doi = {10.1093/comjnl/27.2.97},
  abstract = {Programs as "works of literature" -- for humans, with 50% more prose.},
}
"""


def import_knuth(**kwargs) -> Publication:
    report = publication_import_bibtex(text=KNUTH, **kwargs)
    assert report.succeeded, report.problems
    return Publication.objects.get(doi="10.1093/comjnl/27.2.97")


def authors_of(publication: Publication) -> list[str]:
    rows = publication.authorships.order_by("role", "position")
    return list(rows.values_list("author__display_name", flat=True))


def test_each_row_is_serialized_as_django_reversion_serializes_it():
    topics = [ResearchTopicFactory(slug="b-optimisation"), ResearchTopicFactory(slug="a-logic")]
    publication = publication_with_authors(
        [AuthorFactory(display_name="Zoë Ørsted")],
        title="Čech complexes — “quoted” and \\escaped",
        month=None,
        doi="10.1000/xyz",
    )
    publication.topics.set(topics)
    version = PublicationVersion.objects.create(
        publication=publication, kind=Publication.Kind.PREPRINT, year=2023, arxiv_id="2307.11888"
    )
    authorship = Authorship.objects.get(publication=publication)

    for obj in (Publication.objects.get(pk=publication.pk), authorship, version):
        expected = serializers.serialize("json", [obj])
        assert serialized_version(obj) == expected
        with reversion.create_revision():
            reversion.add_to_revision(obj)
        assert Version.objects.get_for_object(obj).first().serialized_data == expected


def test_the_revision_of_an_import_holds_each_row_as_stored():
    topic = ResearchTopicFactory()
    publication = import_knuth(topics=[topic])

    versions = Revision.objects.get().version_set.all()
    assert sorted(v.content_type.model for v in versions) == [
        "authorship", "authorship", "publication", "publicationversion",
    ]  # fmt: skip
    for version in versions:
        stored = version.content_type.get_object_for_this_type(pk=version.object_id)
        assert version.serialized_data == serializers.serialize("json", [stored])
        assert version.object_repr == str(stored)
    assert Version.objects.get_for_object(publication).get().field_dict["topics"] == [topic.pk]


def test_an_import_is_undone_through_its_revision():
    publication = import_knuth(topics=[ResearchTopicFactory()])
    authors = authors_of(publication)
    publication.authorships.order_by("position").first().delete()
    Authorship.objects.create(
        publication=publication, author=AuthorFactory(display_name="Someone Else"), position=9
    )
    publication.versions.all().delete()
    publication.topics.clear()
    Publication.objects.filter(pk=publication.pk).update(title="Changed", venue="")

    Version.objects.get_for_object(publication).get().revision.revert(delete=True)

    publication.refresh_from_db()
    assert publication.title == "Literate Programming"
    assert publication.venue == "The Computer Journal"
    assert authors_of(publication) == authors == ["Donald E. Knuth", "Luís Trabb Pardo"]
    assert list(publication.versions.values_list("number", flat=True)) == ["STAN-CS-83-981"]
    assert publication.topics.count() == 1


def test_a_completed_publication_keeps_its_stored_authors_in_the_revision():
    stored = publication_with_authors(
        [AuthorFactory(display_name="Donald E. Knuth")],
        title="Literate Programming",
        year=1984,
        venue="",
        kind=Publication.Kind.JOURNAL_ARTICLE,
        doi="10.1093/comjnl/27.2.97",
    )

    report = publication_import_bibtex(text=KNUTH)

    assert [e.publication for e in report.merged] == [stored]
    revision = Revision.objects.get()
    held = revision.version_set.filter(content_type__model="authorship")
    assert [v.object_id for v in held] == [str(stored.authorships.get().pk)]
    stored.authorships.all().delete()
    revision.revert(delete=True)
    assert authors_of(stored) == ["Donald E. Knuth"]


def test_two_entries_that_find_one_stored_publication_sign_it_once():
    # One entry finds it by its DOI, the other by its title: one publication, one history.
    stored = PublicationFactory(
        title="Deep kernels for wombat tracking",
        year=2020,
        doi="10.1000/w",
        kind=Publication.Kind.JOURNAL_ARTICLE,
        venue="",
        abstract="",
    )

    report = publication_import_bibtex(
        text="@article{a, title={Something else}, year={2020}, doi={10.1000/w},"
        " author={Marsupial, Quentin}, journal={Ecology}}\n"
        "@article{b, title={Deep kernels for wombat tracking}, year={2020},"
        " author={Marsupial, Quentin}, journal={Ecology}, abstract={Burrows.}}"
    )

    assert report.succeeded
    assert {e.publication for e in report.entries} == {stored}
    assert authors_of(stored) == ["Quentin Marsupial"]
    held = Revision.objects.get().version_set.values_list("content_type__model", flat=True)
    assert sorted(held) == ["authorship", "publication"]


def test_a_failure_while_recording_the_history_imports_nothing(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("publications.services.history._insert_versions", fail)
    with pytest.raises(RuntimeError):
        publication_import_bibtex(text=KNUTH)

    assert not Publication.objects.exists()
    assert not Authorship.objects.exists()
    assert not Revision.objects.exists()
