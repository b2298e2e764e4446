"""The demo profile that `make run` loads, again at every run, without undoing editors' work."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from reversion.models import Revision, Version

from profiles.models import Membership, Researcher, ResearchTopic
from publications.models import Author, Authorship, Publication, PublicationVersion
from tests.factories import PublicationFactory
from tests.pages import form_data

UNIVERSALITY = "2307.11888"


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in [Researcher, ResearchTopic, Author, Publication, Authorship]
    } | {
        "versions": PublicationVersion.objects.count(),
        "researcher topics": Researcher.topics.through.objects.count(),
        "publication topics": Publication.topics.through.objects.count(),
    }


def loaddemo() -> str:
    """Run the command as `make run` does and return what it printed (in English)."""
    output = io.StringIO()
    with translation.override("en"):
        call_command("loaddemo", stdout=output)
    return output.getvalue()


def author_names(publication: Publication) -> list[str]:
    return list(
        publication.authorships.order_by("position").values_list("author__display_name", flat=True)
    )


def save_in_admin(client, url: str, **changes: str):
    """Open the publication form, change some fields as an editor would, and save it."""
    data = form_data(client.get(url), "publication_form")
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def change_url(publication: Publication) -> str:
    return reverse("admin:publications_publication_change", args=[publication.pk])


# First, they swap the first two authors; then the venue is renamed.
EDITOR_CHANGES = {
    "venue": "International Conference on Machine Learning (ICML)",
    "authorships-0-position": "2",
    "authorships-1-position": "1",
}


@pytest.mark.django_db
def test_loaddemo_twice_gives_the_same_rows():
    first_output = loaddemo()
    first = row_counts()
    first_ids = sorted(Authorship.objects.values_list("pk", flat=True))
    revisions = Revision.objects.count()

    second_output = loaddemo()

    assert row_counts() == first
    assert sorted(Authorship.objects.values_list("pk", flat=True)) == first_ids
    assert Revision.objects.count() == revisions
    assert first["Researcher"] == 1
    assert first["ResearchTopic"] == 15
    assert first["Publication"] == 11
    assert first["versions"] == 7
    assert (
        f"Demo: added 15 research topics, 1 researcher, 11 publications, 7 other versions, "
        f"{first['Author']} authors." in first_output
    )
    assert "/fr/chercheurs/razvan-pascanu/" in first_output
    assert "/en/researchers/razvan-pascanu/" in first_output
    assert "Demo already present: nothing changed." in second_output
    assert "added" not in second_output


def test_loaddemo_never_changes_what_editors_changed(editor_client, demo):
    publication = Publication.objects.get(arxiv_id=UNIVERSALITY)
    save_in_admin(editor_client, change_url(publication), **EDITOR_CHANGES)
    publication.topics.clear()
    demo.position_fr = "Directeur de recherche"
    demo.save()
    demo.topics.remove(ResearchTopic.objects.get(slug="optimisation"))
    topic = ResearchTopic.objects.get(slug="apprentissage-continu")
    topic.name_fr = "Apprentissage perpétuel"
    topic.save()
    PublicationVersion.objects.filter(publication=publication).update(year=2022)
    Author.objects.filter(display_name="Soham De").update(orcid="0000-0002-1825-0097")
    edited = row_counts()

    output = loaddemo()

    publication.refresh_from_db()
    assert publication.venue == "International Conference on Machine Learning (ICML)"
    assert author_names(publication)[:2] == ["Soham De", "Antonio Orvieto"]
    assert row_counts() == edited
    assert not publication.topics.exists()
    assert publication.versions.get().year == 2022
    demo.refresh_from_db()
    assert demo.position_fr == "Directeur de recherche"
    assert not demo.topics.filter(slug="optimisation").exists()
    assert ResearchTopic.objects.get(slug="apprentissage-continu").name_fr == (
        "Apprentissage perpétuel"
    )
    assert Author.objects.get(display_name="Soham De").orcid == "0000-0002-1825-0097"
    assert "Demo already present: nothing changed." in output


def test_a_deleted_demo_publication_is_added_again_and_named(demo):
    Publication.objects.get(arxiv_id=UNIVERSALITY).delete()
    others = dict(Publication.objects.values_list("arxiv_id", "pk"))

    output = loaddemo()

    assert "Demo: added 1 publication, 1 other version." in output
    assert "Universality of Linear Recurrences Followed by Non-linear Projections" in output
    assert "were missing" in output
    recreated = Publication.objects.get(arxiv_id=UNIVERSALITY)
    assert author_names(recreated) == [
        "Antonio Orvieto",
        "Soham De",
        "Caglar Gulcehre",
        "Razvan Pascanu",
        "Samuel L. Smith",
    ]
    assert recreated.versions.get().kind == "preprint"
    assert set(recreated.topics.values_list("slug", flat=True)) == {
        "reseaux-de-neurones-recurrents",
        "theorie-de-l-apprentissage-automatique",
    }
    assert dict(Publication.objects.exclude(pk=recreated.pk).values_list("arxiv_id", "pk")) == (
        others
    )


def test_versions_missing_from_stored_publications_are_added(demo):
    PublicationVersion.objects.all().delete()
    before = dict(Publication.objects.values_list("arxiv_id", "venue"))

    output = loaddemo()

    assert "Demo: added 7 other versions." in output
    assert PublicationVersion.objects.count() == 7
    assert dict(Publication.objects.values_list("arxiv_id", "venue")) == before


def test_a_version_the_editor_made_the_cited_one_is_not_added_again(editor_client, demo):
    """The editor cites the preprint instead of the conference paper: the seed's preprint is
    the publication itself now, and the conference paper its other version."""
    publication = Publication.objects.get(arxiv_id=UNIVERSALITY)
    preprint = publication.versions.get()
    url = reverse("admin:publications_publication_version_cite", args=[publication.pk, preprint.pk])
    assert editor_client.post(url).status_code == 302
    publication.refresh_from_db()
    assert publication.kind == "preprint"

    assert "Demo already present: nothing changed." in loaddemo()
    assert publication.versions.get().kind == "inproceedings"


def test_a_demo_work_stored_under_another_record_is_not_added_twice(demo):
    """An editor imported the paper from a BibTeX file without its arXiv id, with the title as
    the file spells it: by the rule for "the same work" it is the demo's, which only adds the
    preprint to it."""
    Publication.objects.get(arxiv_id=UNIVERSALITY).delete()
    imported = PublicationFactory(
        title="Universality of linear recurrences followed by non-linear projections: "
        "finite-width guarantees and benefits of complex eigenvalues",
        year=2024,
        venue="Proceedings of the 41st International Conference on Machine Learning",
    )
    before = Publication.objects.count()

    output = loaddemo()

    assert "Demo: added 1 other version." in output
    assert "were missing" not in output
    assert Publication.objects.count() == before
    imported.refresh_from_db()
    assert imported.arxiv_id == ""
    assert imported.venue.startswith("Proceedings of the 41st")
    assert list(imported.versions.values_list("kind", "arxiv_id")) == [("preprint", UNIVERSALITY)]
    assert "Demo already present: nothing changed." in loaddemo()


def test_a_demo_work_cited_by_its_doi_is_found_by_it(demo):
    """The stored record holds the preprint's DOI only: the DOI names the work."""
    preprint = Publication.objects.get(arxiv_id="2307.09638")
    preprint.arxiv_id = ""
    preprint.title = "A title an editor chose"
    preprint.save()
    before = row_counts()

    assert "Demo already present: nothing changed." in loaddemo()
    assert row_counts() == before


def test_a_row_that_conflicts_with_the_demo_stops_the_load_and_changes_nothing(demo):
    Publication.objects.get(arxiv_id=UNIVERSALITY).delete()
    other = Publication.objects.get(arxiv_id="2407.01800").versions.get()
    other.doi = "10.48550/arXiv.2307.11888"  # the DOI of the deleted publication's preprint
    other.save()
    before = row_counts()

    with pytest.raises(CommandError, match="The demo cannot be loaded, nothing was changed"):
        loaddemo()

    assert row_counts() == before
    assert not Publication.objects.filter(arxiv_id=UNIVERSALITY).exists()


# History ---------------------------------------------------------------------------------------


def test_the_demo_load_is_the_first_version_of_each_entry(editor_client, db):
    loaddemo()
    publication = Publication.objects.get(arxiv_id=UNIVERSALITY)
    demo = Researcher.objects.get(slug="razvan-pascanu")
    first = Version.objects.get_for_object(publication).get()

    assert first.revision.comment == "Demo loaded"
    assert first.revision.user is None
    assert Revision.objects.count() == 1
    assert Version.objects.get_for_object(demo).count() == 1
    assert Version.objects.get_for_object(demo.author).count() == 1
    topic = ResearchTopic.objects.get(slug="apprentissage-continu")
    assert Version.objects.get_for_object(topic).count() == 1

    save_in_admin(
        editor_client, change_url(publication), venue="ICML", title="Universality, edited"
    )
    assert Version.objects.get_for_object(publication).count() == 2

    revert_url = reverse("admin:publications_publication_revision", args=[publication.pk, first.pk])
    save_in_admin(editor_client, revert_url)
    publication.refresh_from_db()
    assert publication.venue == "ICML 2024"
    assert publication.title.startswith("Universality of Linear Recurrences")
    assert author_names(publication)[:2] == ["Antonio Orvieto", "Soham De"]
    assert publication.versions.get().kind == "preprint"


def test_reverting_to_the_demo_restores_a_reordered_author_list(editor_client, demo):
    publication = Publication.objects.get(arxiv_id=UNIVERSALITY)
    first = Version.objects.get_for_object(publication).get()
    save_in_admin(editor_client, change_url(publication), **EDITOR_CHANGES)

    revert_url = reverse("admin:publications_publication_revision", args=[publication.pk, first.pk])
    save_in_admin(editor_client, revert_url)

    publication.refresh_from_db()
    assert publication.venue == "ICML 2024"
    assert author_names(publication)[:2] == ["Antonio Orvieto", "Soham De"]


def test_what_a_later_load_adds_is_its_first_version(demo):
    Publication.objects.get(arxiv_id=UNIVERSALITY).delete()
    kept = Publication.objects.get(arxiv_id="2407.01800")

    loaddemo()

    recreated = Publication.objects.get(arxiv_id=UNIVERSALITY)
    assert Version.objects.get_for_object(recreated).get().revision.comment == "Demo loaded"
    assert Version.objects.get_for_object(kept).count() == 1


# The demo's content ----------------------------------------------------------------------------


def test_demo_researcher(demo):
    assert demo.full_name == "Razvan Pascanu"
    assert demo.membership == Membership.AFFILIATE
    assert demo.position_fr == "Chercheur scientifique principal"
    assert demo.position_en == "Principal Research Scientist"
    assert demo.organization == "Google DeepMind"
    assert demo.topics.count() == 15
    assert demo.author.display_name == "Razvan Pascanu"
    assert demo.portrait.name.startswith("portraits/")
    assert demo.portrait_width == demo.portrait_height == 480


def test_demo_publications_have_complete_clean_data(demo):
    publications = Publication.objects.all()

    assert publications.count() == 11
    assert (
        publications.filter(
            title="Normalization and effective learning rates in reinforcement learning"
        ).count()
        == 1
    )
    for publication in publications:
        assert publication.abstract
        assert "\\" not in publication.abstract
        assert "{" not in publication.abstract
        assert "(voir plus)" not in publication.abstract
        assert publication.arxiv_id
        assert publication.url.endswith(publication.arxiv_id)
        assert publication.topics.exists()
        assert publication.authorships.filter(author__researcher=demo).count() == 1
    structured = publications.get(arxiv_id="2406.16450")
    assert "called self-guided training, aimed at" in structured.abstract


def test_demo_authors_are_complete_and_correctly_spelt(demo):
    state_soup = Publication.objects.get(arxiv_id="2406.08423")
    normalization = Publication.objects.get(arxiv_id="2407.01800")

    assert [a.author.display_name for a in state_soup.authorships.order_by("position")] == [
        "Maciej Pióro",
        "Maciej Wołczyk",
        "Razvan Pascanu",
        "Johannes von Oswald",
        "João Sacramento",
    ]
    assert "Khimya Khetarpal" in normalization.authors.values_list("display_name", flat=True)
    hado = Author.objects.get(display_name="Hado van Hasselt")
    assert (hado.given_name, hado.family_name) == ("Hado", "van Hasselt")
    # Shared coauthors are one person, not one record per paper.
    assert Author.objects.filter(display_name="Petar Veličković").count() == 1
    assert Author.objects.get(display_name="Petar Veličković").publications.count() == 3
