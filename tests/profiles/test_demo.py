"""The demo profile that `make run` loads."""

import io

import pytest
from django.core.management import call_command

from profiles.models import Membership, Researcher, ResearchTopic
from publications.models import Author, Authorship, Publication


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in [Researcher, ResearchTopic, Author, Publication, Authorship]
    } | {
        "researcher topics": Researcher.topics.through.objects.count(),
        "publication topics": Publication.topics.through.objects.count(),
    }


@pytest.mark.django_db
def test_loaddemo_twice_gives_the_same_rows():
    output = io.StringIO()
    call_command("loaddemo", stdout=output)
    first = row_counts()
    first_ids = sorted(Authorship.objects.values_list("pk", flat=True))

    call_command("loaddemo", stdout=io.StringIO())

    assert row_counts() == first
    assert sorted(Authorship.objects.values_list("pk", flat=True)) == first_ids
    assert first["Researcher"] == 1
    assert first["ResearchTopic"] == 15
    assert first["Publication"] == 11
    assert "/fr/chercheurs/razvan-pascanu/" in output.getvalue()


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
