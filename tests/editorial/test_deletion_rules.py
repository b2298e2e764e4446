"""Deliberate deletion rules in the admin: what goes, what stays, and what cannot go."""

from django.urls import reverse

from profiles.models import Researcher, ResearchTopic
from publications.models import Author, Publication
from tests.factories import (
    AuthorFactory,
    ResearcherFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import text_of


def test_deleting_a_researcher_keeps_their_publications_and_unlinks_their_author(
    editor_client, client
):
    researcher = researcher_with_author(given_name="Hugo", family_name="Larochelle")
    author = researcher.author
    paper = publication_with_authors([author], title="Neural autoregressive density estimation")
    url = reverse("admin:profiles_researcher_delete", args=[researcher.pk])

    confirmation = text_of(editor_client.get(url))
    assert "Leurs publications restent dans l’annuaire" in confirmation

    assert editor_client.post(url, {"post": "yes"}).status_code == 302

    assert not Researcher.objects.filter(pk=researcher.pk).exists()
    author.refresh_from_db()
    assert author.researcher is None
    assert author.display_name == "Hugo Larochelle"
    assert Publication.objects.filter(pk=paper.pk).exists()
    # Visitors still see the paper, with the author's name no longer a link to a profile.
    page = client.get(f"/fr/publications/{paper.pk}/")
    assert "Hugo Larochelle" in text_of(page)
    assert "/fr/chercheurs/hugo-larochelle/" not in page.content.decode()


def test_an_author_who_signs_publications_cannot_be_deleted(editor_client):
    author = AuthorFactory(display_name="Ada Lovelace")
    first = publication_with_authors([author], title="Sketch of the analytical engine", year=1950)
    second = publication_with_authors(
        [AuthorFactory(), author], title="Notes by the translator", year=1951
    )
    url = reverse("admin:publications_author_delete", args=[author.pk])

    response = editor_client.get(url)
    page = text_of(response)
    html = response.content.decode()
    assert "L’auteur « Ada Lovelace » ne peut pas être supprimé" in page
    assert "Sketch of the analytical engine (1950)" in page
    assert "Notes by the translator (1951)" in page
    assert reverse("admin:publications_publication_change", args=[first.pk]) in html
    assert reverse("admin:publications_publication_change", args=[second.pk]) in html
    assert "Oui, je suis sûr" not in page

    editor_client.post(url, {"post": "yes"})
    assert Author.objects.filter(pk=author.pk).exists()


def test_an_author_without_publications_can_be_deleted(editor_client):
    author = AuthorFactory()
    url = reverse("admin:publications_author_delete", args=[author.pk])

    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Author.objects.filter(pk=author.pk).exists()


def test_deleting_authors_in_bulk_names_the_publications_that_keep_them(editor_client):
    signing = AuthorFactory(display_name="Grace Hopper")
    publication_with_authors([signing], title="A compiler for the A-0 system")
    idle = AuthorFactory()
    changelist = reverse("admin:publications_author_changelist")

    response = editor_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [signing.pk, idle.pk]}
    )

    page = text_of(response)
    assert "Ces auteurs ne peuvent pas être supprimés" in page
    assert "A compiler for the A-0 system" in page
    assert Author.objects.filter(pk__in=[signing.pk, idle.pk]).count() == 2


def test_deleting_a_topic_lists_the_links_then_removes_only_them(editor_client):
    topic = ResearchTopicFactory(name_fr="Vision par ordinateur", name_en="Computer vision")
    researcher = ResearcherFactory(given_name="Fei-Fei", family_name="Li")
    researcher.topics.add(topic)
    paper = publication_with_authors([AuthorFactory()], title="ImageNet")
    paper.topics.add(topic)
    url = reverse("admin:profiles_researchtopic_delete", args=[topic.pk])

    confirmation = text_of(editor_client.get(url))
    assert "Lien avec le chercheur Fei-Fei Li" in confirmation
    assert "Lien avec la publication « ImageNet »" in confirmation
    assert "Liens avec des chercheurs: 1" in confirmation
    assert "Liens avec des publications: 1" in confirmation
    assert "object (" not in confirmation  # no raw rows of the linking tables
    assert ResearchTopic.objects.filter(pk=topic.pk).exists()  # nothing happens before "yes"

    assert editor_client.post(url, {"post": "yes"}).status_code == 302

    assert not ResearchTopic.objects.filter(pk=topic.pk).exists()
    researcher.refresh_from_db()
    paper.refresh_from_db()
    assert list(researcher.topics.all()) == []
    assert list(paper.topics.all()) == []
