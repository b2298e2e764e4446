"""Reads for the researcher pages: what they keep for the current state of the data is plain
values, from which the same researcher and topics come back, with no query, in either language."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import translation

from profiles.filters import ResearcherFilter
from profiles.models import Researcher, ResearchTopic
from profiles.selectors import researcher_get_for_profile, researcher_topics, topic_index
from tests.factories import ResearcherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def researcher() -> Researcher:
    researcher = ResearcherFactory(
        given_name="Hélène",
        family_name="Côté",
        slug="helene-cote",
        bio_fr="Elle étudie les réseaux.",
        bio_en="She studies networks.",
    )
    researcher.topics.set(
        [
            ResearchTopic.objects.create(slug="zoologie", name_fr="Zoologie", name_en="Zoology"),
            ResearchTopic.objects.create(slug="algebre", name_fr="Algèbre", name_en="Algebra"),
            ResearchTopic.objects.create(slug="eau", name_fr="Écologie", name_en="Water"),
        ]
    )
    return researcher


def test_the_profile_reads_the_researcher_once_per_change_of_the_data(
    researcher, django_assert_num_queries
):
    with django_assert_num_queries(1):
        first, preview = researcher_get_for_profile(slug="helene-cote", user=AnonymousUser())
    with django_assert_num_queries(0):
        kept, _preview = researcher_get_for_profile(slug="helene-cote", user=AnonymousUser())

    assert not preview
    assert kept == first == researcher
    assert not kept._state.adding
    assert kept.full_name == "Hélène Côté"
    with translation.override("en"):
        assert (kept.position, kept.bio) == ("Full Professor", "She studies networks.")
    assert (kept.position, kept.bio) == ("Professeure titulaire", "Elle étudie les réseaux.")

    researcher.family_name = "Côté-Tremblay"
    researcher.save()
    changed, _preview = researcher_get_for_profile(slug="helene-cote", user=AnonymousUser())
    assert changed.full_name == "Hélène Côté-Tremblay"


def test_a_draft_profile_is_not_found_by_visitors(researcher):
    researcher.is_published = False
    researcher.save()

    with pytest.raises(Http404):
        researcher_get_for_profile(slug="helene-cote", user=AnonymousUser())
    with pytest.raises(Http404):
        researcher_get_for_profile(slug="nobody", user=AnonymousUser())


def test_the_topics_are_read_once_and_sorted_in_each_language(
    researcher, django_assert_num_queries
):
    with django_assert_num_queries(1):
        french = [topic.name for topic in researcher_topics(researcher=researcher)]
    with django_assert_num_queries(0), translation.override("en"):
        english = [topic.name for topic in researcher_topics(researcher=researcher)]

    assert french == ["Algèbre", "Écologie", "Zoologie"]
    assert english == ["Algebra", "Water", "Zoology"]


def test_chosen_topics_are_read_once_per_change_of_the_data(researcher, django_assert_num_queries):
    def chosen(*slugs: str) -> tuple[list[str], list[str]]:
        filterset = ResearcherFilter(
            {"topic": list(slugs)}, queryset=Researcher.objects.published()
        )
        filterset.is_valid()  # an unknown topic is reported, the known ones kept
        topics = filterset.form.cleaned_data["topic"]
        return [topic.name for topic in topics], filterset.form.non_field_errors()

    with django_assert_num_queries(1):
        assert chosen("eau", "mars") == (
            ["Écologie"],
            ["Sujets de recherche : « mars » est inconnu."],
        )
    with django_assert_num_queries(0), translation.override("en"):
        names, _errors = chosen("eau", "mars")
        assert names == ["Water"]


def test_the_topic_index_counts_published_researchers_and_shows_the_given_counts(researcher):
    """The index counts the researchers itself; the numbers of works come from the page that
    composes it, by topic primary key (a topic left out has none)."""
    ResearcherFactory(is_published=False).topics.add(ResearchTopic.objects.get(slug="eau"))
    algebra = ResearchTopic.objects.get(slug="algebre")

    index = topic_index(publication_counts={algebra.pk: 7})

    assert [(topic.name, topic.researcher_count, topic.publication_count) for topic in index] == [
        ("Algèbre", 1, 7),
        ("Écologie", 1, 0),
        ("Zoologie", 1, 0),
    ]
