"""Control characters never reach the database: not from a BibTeX file, not from an admin form,
not from a merge; and the ones stored before are removed by a migration."""

import importlib
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.urls import reverse

from core.text import name_key, title_key
from profiles.models import Researcher, ResearchTopic
from publications.models import Author, Authorship, Publication, PublicationVersion
from publications.search import publications_matching
from publications.services import author_get_or_create, publication_import_bibtex
from publications.services.merge import publication_merge
from publications.services.versions import version_split
from tests.factories import AuthorFactory, PublicationFactory, ResearcherFactory
from tests.test_admin import publication_form_data, researcher_form_data

pytestmark = pytest.mark.django_db

# Every C0 and C1 control character but tab and line feed, and a carriage return.
CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])


def dirty(text: str) -> str:
    """``text`` with every control character between its first letters but the carriage
    return, which stands for a line break."""
    return f"{text[0]}{CONTROLS.replace(chr(13), '')}{text[1:]}\x85"


def stored_dirty(text: str) -> str:
    """``dirty(text)`` as old rows may hold it: PostgreSQL stores no NUL."""
    return dirty(text).replace("\x00", "")


def has_controls(text: str) -> bool:
    return any(char in CONTROLS or char == "\r" for char in text)


def stored_texts() -> list[str]:
    """Every text column of every row the tests write."""
    texts = []
    for model in (Publication, PublicationVersion, Author, Researcher, ResearchTopic):
        names = [
            f.name for f in model._meta.concrete_fields if f.get_internal_type() == "CharField"
        ]
        names += [
            f.name for f in model._meta.concrete_fields if f.get_internal_type() == "TextField"
        ]
        for row in model.objects.values_list(*names):
            texts += [value for value in row if isinstance(value, str)]
    return texts


# BibTeX ----------------------------------------------------------------------------------------

HOSTILE_BIBTEX = (
    "@article{key\x01one,\n"
    "  title = {A\x01 title with an \x1b[2Jescape\x07},\n"
    "  author = {Ada\x02 Lovelace and {The\x85 Org} and Smith\x1f, John},\n"
    "  editor = {Jane\x03 Doe},\n"
    "  journal = {Journal\x0c of Tests},\n"
    "  publisher = {Pub\x7flisher},\n"
    "  abstract = {First line\r\nsecond\x9b line},\n"
    "  year = 2020,\n"
    "}\n"
)


def test_a_bibtex_import_stores_no_control_character():
    report = publication_import_bibtex(text=HOSTILE_BIBTEX)

    assert report.succeeded
    publication = Publication.objects.get()
    assert publication.title == "A title with an [2Jescape"
    assert (publication.venue, publication.publisher) == ("Journal of Tests", "Publisher")
    assert publication.abstract == "First line second line"
    assert [
        a.author.display_name for a in publication.authorships.order_by("role", "position")
    ] == [
        "Ada Lovelace",
        "The Org",
        "John Smith",
        "Jane Doe",
    ]
    assert report.entries[0].key == "keyone"
    assert not any(has_controls(text) for text in stored_texts())


def test_the_feeds_list_a_publication_imported_with_control_characters(client):
    publication_import_bibtex(text=HOSTILE_BIBTEX)

    for name in ("feed_rss", "feed_atom"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        feed = ElementTree.fromstring(response.content)
        assert "A title with an [2Jescape" in "".join(feed.itertext())


# Admin -----------------------------------------------------------------------------------------


def test_the_publication_form_and_its_versions_store_no_control_character(editor_client):
    data = publication_form_data(
        title=dirty("Title"),
        venue=dirty("Venue"),
        abstract=dirty("Abstract") + "\r\nnext line",
        note=dirty("Note"),
        pages=dirty("12–34"),
        url="https://example.org/\x01page",
        **{
            "versions-TOTAL_FORMS": 1,
            "versions-0-title": dirty("Preprint"),
            "versions-0-kind": Publication.Kind.PREPRINT,
            "versions-0-year": 2022,
            "versions-0-venue": dirty("arXiv"),
            "versions-0-source_key": dirty("key"),
        },
    )

    response = editor_client.post(reverse("admin:publications_publication_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    publication = Publication.objects.get()
    assert (publication.title, publication.venue, publication.note, publication.pages) == (
        "Title",
        "Venue",
        "Note",
        "12–34",
    )
    assert publication.abstract == "Abstract\nnext line"
    assert publication.url == "https://example.org/page"
    version = publication.versions.get()
    assert (version.title, version.venue, version.source_key) == ("Preprint", "arXiv", "key")


def test_a_value_of_only_control_characters_is_an_empty_value(editor_client):
    response = editor_client.post(
        reverse("admin:publications_publication_add"), publication_form_data(title="\x01\x02")
    )

    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert Publication.objects.count() == 0


def test_the_author_form_stores_no_control_character(editor_client):
    author = AuthorFactory(display_name="Ada Lovelace")
    response = editor_client.get(reverse("admin:publications_author_change", args=[author.pk]))
    data = {
        name: value
        for name, value in response.context["adminform"].form.initial.items()
        if value is not None
    }
    data.update(
        display_name=dirty("Ada Lovelace"),
        given_name=dirty("Ada"),
        family_name=dirty("Lovelace"),
        suffix=dirty("Jr."),
        edit_snapshot=response.context["adminform"].form["edit_snapshot"].value(),
    )
    data.pop("researcher", None)

    response = editor_client.post(
        reverse("admin:publications_author_change", args=[author.pk]), data
    )

    assert response.status_code == 302
    author.refresh_from_db()
    assert (author.display_name, author.given_name, author.family_name, author.suffix) == (
        "Ada Lovelace",
        "Ada",
        "Lovelace",
        "Jr.",
    )


def test_the_researcher_form_and_its_translations_store_no_control_character(editor_client):
    data = researcher_form_data(
        given_name=dirty("Razvan"),
        family_name=dirty("Pascanu"),
        position_fr=dirty("Professeur"),
        position_en=dirty("Professor"),
        bio_fr=dirty("Biographie"),
        bio_en=dirty("Biography"),
        organization=dirty("Mila"),
    )

    response = editor_client.post(reverse("admin:profiles_researcher_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    researcher = Researcher.objects.get()
    assert (researcher.given_name, researcher.family_name, researcher.organization) == (
        "Razvan",
        "Pascanu",
        "Mila",
    )
    assert (researcher.position_fr, researcher.position_en) == ("Professeur", "Professor")
    assert (researcher.bio_fr, researcher.bio_en) == ("Biographie", "Biography")


def test_the_topic_form_stores_no_control_character(editor_client):
    response = editor_client.post(
        reverse("admin:profiles_researchtopic_add"),
        {
            "name_fr": dirty("Apprentissage"),
            "name_en": dirty("Learning"),
            "slug_fr": "apprentissage",
            "slug_en": "learning",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    topic = ResearchTopic.objects.get()
    assert (topic.name_fr, topic.name_en) == ("Apprentissage", "Learning")


# Services --------------------------------------------------------------------------------------


def test_an_author_created_by_name_has_no_control_character():
    author, created = author_get_or_create(display_name=dirty("Ada Lovelace"))

    assert created
    assert (author.display_name, author.family_name) == ("Ada Lovelace", "Lovelace")


def test_a_merge_and_a_split_store_no_control_character():
    # Old rows, written before the checks, as the migration below would find them.
    keep = PublicationFactory(title="Kept", venue="")
    duplicate = PublicationFactory(title="Kept", venue="", year=keep.year)
    Publication.objects.filter(pk=duplicate.pk).update(
        venue=stored_dirty("Venue"), note=stored_dirty("Note")
    )
    Publication.objects.filter(pk=keep.pk).update(title=stored_dirty("Kept"))
    keep.refresh_from_db()

    publication_merge(keep=keep, duplicates=[Publication.objects.get(pk=duplicate.pk)])

    keep.refresh_from_db()
    assert (keep.title, keep.venue, keep.note) == ("Kept", "Venue", "Note")
    version = PublicationVersion.objects.create(publication=keep, year=2020, kind="report")
    PublicationVersion.objects.filter(pk=version.pk).update(title=stored_dirty("Report"))
    split = version_split(version=PublicationVersion.objects.get(pk=version.pk))
    assert split.title == "Report"


# Migration -------------------------------------------------------------------------------------


def test_the_migrations_remove_the_control_characters_already_stored():
    researcher = ResearcherFactory(given_name="Razvan", family_name="Pascanu")
    topic = ResearchTopic.objects.create(name_fr="Apprentissage", name_en="Learning", slug="l")
    author = AuthorFactory(display_name="Ada Lovelace")
    publication = PublicationFactory(title="Old title")
    Authorship.objects.create(publication=publication, author=author, position=1)
    version = PublicationVersion.objects.create(publication=publication, year=2020)
    Publication.objects.filter(pk=publication.pk).update(
        title=stored_dirty("Old title"),
        abstract=stored_dirty("Abstract"),
        venue=stored_dirty("Venue"),
    )
    PublicationVersion.objects.filter(pk=version.pk).update(title=stored_dirty("Version"))
    Author.objects.filter(pk=author.pk).update(
        display_name=stored_dirty("Ada Lovelace"), family_name=stored_dirty("Lovelace")
    )
    Researcher.objects.filter(pk=researcher.pk).update(
        family_name=stored_dirty("Pascanu"),
        position_en=stored_dirty("Professor"),
        bio_fr=stored_dirty("Bio"),
    )
    ResearchTopic.objects.filter(pk=topic.pk).update(name_en=stored_dirty("Learning"))
    assert any(has_controls(text) for text in stored_texts())

    for module in (
        "publications.migrations.0014_text_without_control_characters",
        "profiles.migrations.0006_text_without_control_characters",
    ):
        importlib.import_module(module).remove_control_characters(apps, None)

    assert not any(has_controls(text) for text in stored_texts())
    publication.refresh_from_db()
    assert (publication.title, publication.abstract, publication.venue) == (
        "Old title",
        "Abstract",
        "Venue",
    )
    assert publication.title_key == title_key("Old title")
    assert publications_matching(Publication.objects.all(), "venue").get() == publication
    author.refresh_from_db()
    assert (author.display_name, author.family_name) == ("Ada Lovelace", "Lovelace")
    assert author.name_key == name_key("Ada Lovelace")
    researcher.refresh_from_db()
    assert (researcher.family_name, researcher.position_en, researcher.bio_fr) == (
        "Pascanu",
        "Professor",
        "Bio",
    )
    assert researcher.sort_name == "pascanu razvan"
    assert ResearchTopic.objects.get().name_en == "Learning"
