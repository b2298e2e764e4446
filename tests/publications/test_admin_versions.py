"""A publication's other versions in the admin: edited with the publication, split back out
into a publication of their own, or cited instead."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from publications.models import Authorship, Publication, PublicationVersion
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearchTopicFactory,
    publication_with_authors,
)
from tests.pages import form_data, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged():
    """A journal article holding, by mistake, another paper's preprint as a version; signed by
    two authors and an editor, with a topic."""
    ada, charles = AuthorFactory(display_name="Ada Lovelace"), AuthorFactory(display_name="C B")
    article = publication_with_authors(
        [ada, charles],
        title="Notes on the engine",
        kind=Publication.Kind.JOURNAL_ARTICLE,
        year=2024,
        venue="Journal of Engines",
        volume="7",
        doi="10.1234/engine.7",
    )
    Authorship.objects.create(
        publication=article,
        author=AuthorFactory(display_name="Mary Somerville"),
        role=Authorship.Role.EDITOR,
        position=1,
    )
    article.topics.add(ResearchTopicFactory(name_en="Engines"))
    preprint = PublicationVersion.objects.create(
        publication=article,
        title="Notes on another engine",
        kind=Publication.Kind.PREPRINT,
        year=2023,
        venue="arXiv",
        arxiv_id="2301.00001",
        source_key="lovelace2023",
    )
    return article, preprint


def action_url(version: PublicationVersion, action: str) -> str:
    return reverse(
        f"admin:publications_publication_version_{action}",
        args=[version.publication_id, version.pk],
    )


def signatures(publication: Publication) -> list[tuple[str, int, str]]:
    return list(
        publication.authorships.order_by("role", "position").values_list(
            "role", "position", "author__display_name"
        )
    )


def test_the_change_form_shows_each_version_with_its_corrections(editor_client, merged):
    article, preprint = merged

    response = editor_client.get(
        reverse("admin:publications_publication_change", args=[article.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert "Other versions of this work" in html
    assert 'value="Notes on another engine"' in html
    assert 'value="lovelace2023"' in html
    assert f'<a href="{action_url(preprint, "split")}">Split into its own publication</a>' in html
    assert f'<a href="{action_url(preprint, "cite")}">Cite this version instead</a>' in html


def test_an_editor_corrects_a_version_in_the_change_form(editor_client, merged):
    article, preprint = merged
    url = reverse("admin:publications_publication_change", args=[article.pk])
    data = form_data(editor_client.get(url), "publication_form")
    data["versions-0-venue"] = ["arXiv preprint"]
    data["versions-0-year"] = ["2022"]

    response = editor_client.post(url, data)

    assert response.status_code == 302
    preprint.refresh_from_db()
    assert (preprint.venue, preprint.year) == ("arXiv preprint", 2022)


def test_split_asks_first_then_makes_a_publication_of_the_version(editor_client, editor, merged):
    article, preprint = merged
    url = action_url(preprint, "split")

    page = text_of(editor_client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "becomes a publication of its own" in page
    assert Publication.objects.count() == 1

    response = editor_client.post(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    split = Publication.objects.exclude(pk=article.pk).get()
    assert response["Location"] == reverse("admin:publications_publication_change", args=[split.pk])
    assert (split.title, split.kind, split.year, split.venue, split.arxiv_id) == (
        "Notes on another engine",
        Publication.Kind.PREPRINT,
        2023,
        "arXiv",
        "2301.00001",
    )
    assert signatures(split) == signatures(article)
    assert list(split.topics.values_list("name_en", flat=True)) == ["Engines"]
    assert not article.versions.exists()
    article.refresh_from_db()
    assert (article.kind, article.venue, article.doi) == (
        "article",
        "Journal of Engines",
        "10.1234/engine.7",
    )
    page = editor_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        f'is now its own publication: <a href="{response["Location"]}">Notes on another engine</a>'
        in page
    )


def test_split_is_recorded_in_both_histories(editor_client, editor, merged):
    article, preprint = merged

    editor_client.post(action_url(preprint, "split"), HTTP_ACCEPT_LANGUAGE="en")

    split = Publication.objects.exclude(pk=article.pk).get()
    article_history = Version.objects.get_for_object(article).order_by("revision__date_created")
    comments = [v.revision.comment for v in article_history]
    assert len(comments) == 2
    assert comments[0].startswith("Before splitting the version")
    assert comments[1].startswith("Split the version")
    # Reverting to the first revision brings the version back.
    assert any(
        v.content_type.model == "publicationversion"
        for v in article_history[0].revision.version_set.all()
    )
    latest = Version.objects.get_for_object(split).get()
    assert latest.revision.user == editor
    assert latest.revision.comment == comments[1]


def test_cite_a_version_instead_swaps_it_with_the_cited_one(editor_client, merged):
    article, preprint = merged
    url = action_url(preprint, "cite")
    assert (
        "Cite this version instead"
        in editor_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    response = editor_client.post(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.kind, article.year, article.venue, article.arxiv_id) == (
        "Notes on another engine",
        Publication.Kind.PREPRINT,
        2023,
        "arXiv",
        "2301.00001",
    )
    before = article.versions.get()
    assert (before.kind, before.year, before.venue, before.volume, before.doi) == (
        Publication.Kind.JOURNAL_ARTICLE,
        2024,
        "Journal of Engines",
        "7",
        "10.1234/engine.7",
    )
    assert Publication.objects.count() == 1
    history = Version.objects.get_for_object(article).order_by("-revision__date_created")
    assert history[0].revision.comment.startswith("Cited the version")


def test_a_version_of_another_publication_is_not_found(editor_client, merged):
    article, preprint = merged
    other = publication_with_authors([AuthorFactory()])

    url = reverse("admin:publications_publication_version_split", args=[other.pk, preprint.pk])

    assert editor_client.post(url).status_code == 404
    assert article.versions.exists()


def test_corrections_need_the_rights_and_a_csrf_token(django_user_model, merged):
    article, preprint = merged
    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_publication"),
        Permission.objects.get(codename="change_publication"),
    )
    client = Client()
    client.force_login(user)

    # Changing a publication is enough to cite another version; splitting one adds one.
    assert client.post(action_url(preprint, "split")).status_code == 403
    assert client.get(action_url(preprint, "split")).status_code == 403
    assert article.versions.exists()

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(action_url(preprint, "cite")).status_code == 403
    article.refresh_from_db()
    assert article.kind == Publication.Kind.JOURNAL_ARTICLE

    assert client.post(action_url(preprint, "cite")).status_code == 302
    article.refresh_from_db()
    assert article.kind == Publication.Kind.PREPRINT


def test_a_split_the_database_would_refuse_changes_nothing_and_says_why(editor_client, merged):
    article, preprint = merged
    PublicationFactory(title="The preprint, imported on its own", doi="10.1234/preprint")
    preprint.doi = "10.1234/preprint"
    preprint.save()

    response = editor_client.post(
        action_url(preprint, "split"), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert response.redirect_chain == [
        (reverse("admin:publications_publication_change", args=[article.pk]), 302)
    ]
    assert "Another publication already has this DOI." in response.content.decode()
    assert article.versions.get() == preprint
    assert Publication.objects.count() == 2
    assert not Version.objects.get_for_object(article).exists()
