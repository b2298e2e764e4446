"""Finding look-alike publications and merging them, in the admin and as a service."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from profiles.models import ResearchTopic
from publications.models import Publication
from publications.services import publication_merge
from tests.factories import AuthorFactory, PublicationFactory, publication_with_authors

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:publications_publication_changelist")


@pytest.fixture
def look_alikes():
    alice, bob, carol = (AuthorFactory(display_name=n) for n in ["Alice A", "Bob B", "Carol C"])
    rnn = ResearchTopic.objects.create(slug="rnn", name_fr="RNR", name_en="RNN")
    theory = ResearchTopic.objects.create(slug="theory", name_fr="Théorie", name_en="Theory")
    kept = publication_with_authors(
        [alice, bob], title="State Soup: In-Context Skill Learning", year=2024, abstract="", doi=""
    )
    kept.topics.add(rnn)
    copy = publication_with_authors(
        [bob, carol],
        title="State soup — in-context skill learning",
        year=2024,
        abstract="The full abstract.",
        doi="10.1000/soup",
    )
    copy.topics.add(rnn, theory)
    other = PublicationFactory(title="Something else entirely")
    return kept, copy, other


def test_merge_moves_authors_topics_and_missing_fields(look_alikes):
    kept, copy, _other = look_alikes

    report = publication_merge(keep=kept, duplicates=[copy])

    kept.refresh_from_db()
    assert not Publication.objects.filter(pk=copy.pk).exists()
    assert [a.author.display_name for a in kept.authorships.order_by("position")] == [
        "Alice A",
        "Bob B",
        "Carol C",
    ]
    assert set(kept.topics.values_list("slug", flat=True)) == {"rnn", "theory"}
    assert kept.abstract == "The full abstract."
    assert kept.doi == "10.1000/soup"  # the identifier moved from the deleted copy
    assert report.added_authors == ["Carol C"]
    assert sorted(report.filled_fields) == ["abstract", "doi"]


def test_possible_duplicates_filter_groups_look_alikes(editor_client, look_alikes):
    kept, copy, other = look_alikes

    response = editor_client.get(CHANGELIST, {"duplicates": "yes"})

    listed = list(response.context["cl"].result_list)
    assert set(listed) == {kept, copy}
    assert other not in listed


def test_admin_merge_action_asks_which_to_keep_then_merges(editor_client, look_alikes):
    kept, copy, _other = look_alikes
    selection = {"action": "merge", ACTION_CHECKBOX_NAME: [kept.pk, copy.pk]}

    confirm = editor_client.post(CHANGELIST, selection, HTTP_ACCEPT_LANGUAGE="en")

    assert confirm.status_code == 200
    assert "Choose the publication to keep" in confirm.content.decode()
    assert Publication.objects.filter(pk=copy.pk).exists()

    done = editor_client.post(CHANGELIST, {**selection, "keep": copy.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert done.status_code == 302
    assert not Publication.objects.filter(pk=kept.pk).exists()
    copy.refresh_from_db()
    assert [a.author.display_name for a in copy.authorships.order_by("position")] == [
        "Bob B",
        "Carol C",
        "Alice A",
    ]


def test_merge_needs_two_publications(editor_client, look_alikes):
    kept, _copy, _other = look_alikes

    response = editor_client.post(
        CHANGELIST,
        {"action": "merge", ACTION_CHECKBOX_NAME: [kept.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "Select at least two publications to merge." in response.content.decode()
    assert Publication.objects.count() == 3
