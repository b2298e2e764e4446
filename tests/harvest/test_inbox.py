"""The review inbox in the admin, as an editor uses it: the list of candidates with its filters,
the review page of each, the decisions taken there and on many candidates at once, in French
and in English."""

import pytest
from django.urls import reverse

from harvest.models import Candidate, Rejection
from harvest.services.staging import stage_works
from harvest.sources.base import HarvestedAuthor, Update
from publications.models import FieldOrigin, Publication
from publications.services.provenance import provenance_record
from tests.factories import PublicationFactory, ResearcherFactory
from tests.harvest.harvested import harvested
from tests.pages import text_of

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:harvest_candidate_changelist"
ORCID = "0000-0002-1825-0097"


def three_stored() -> None:
    """The stored publications the inbox's candidates are about."""
    PublicationFactory(
        title="Deep learning of representations",
        year=2013,
        kind=Publication.Kind.CONFERENCE_PAPER,
        doi="10.1234/p1",
        arxiv_id="1206.5538",
    )
    PublicationFactory(
        title="Theano: new features and speed improvements",
        year=2012,
        kind=Publication.Kind.CONFERENCE_PAPER,
        doi="10.1234/p2",
        venue="NIPS workshop",
        publisher="",
    )
    PublicationFactory(
        title="How to construct deep recurrent neural networks",
        year=2014,
        kind=Publication.Kind.CONFERENCE_PAPER,
        doi="10.1234/p3",
    )


def five_candidates(researcher=None) -> dict[str, Candidate]:
    """An inbox of five: a new work, a new version, changed fields, a suspected duplicate and a
    retracted new work; the first found for ``researcher``."""
    three_stored()
    new_work = harvested(
        "openalex", "W100", title="Gated feedback recurrent neural networks", year=2015,
        doi="10.1234/new.1", openalex_id="W100",
        authors=(HarvestedAuthor("Junyoung Chung", "Junyoung", "Chung", orcid=ORCID),),
    )  # fmt: skip
    stage_works(researcher=researcher, works=[new_work])
    others = [
        harvested(
            "arxiv", "1206.5538", title="Deep learning of representations", year=2012,
            arxiv_id="1206.5538", kind="preprint",
        ),
        harvested(
            "crossref", "10.1234/p2", title="Theano: new features and speed improvements",
            year=2012, doi="10.1234/p2", venue="Deep Learning Workshop, NIPS 2012",
            publisher="NIPS Foundation", kind="inproceedings",
        ),
        harvested(
            "dblp", "conf/iclr/PascanuGCB14", kind="inproceedings", year=2014,
            title="How to Construct Deep Recurrent Neural Networks",
            dblp_key="conf/iclr/PascanuGCB14",
        ),
        harvested(
            "crossref", "10.1234/retracted", title="A retracted study of everything", year=2020,
            doi="10.1234/retracted", is_retracted=True,
            updates=(Update("retraction", "10.1234/retraction-notice"),),
        ),
    ]  # fmt: skip
    stage_works(researcher=None, works=others)
    by_title = {c.title: c for c in Candidate.objects.all()}
    return {
        "new": by_title["Gated feedback recurrent neural networks"],
        "version": by_title["Deep learning of representations"],
        "changes": by_title["Theano: new features and speed improvements"],
        "duplicate": by_title["How to Construct Deep Recurrent Neural Networks"],
        "retracted": by_title["A retracted study of everything"],
    }


@pytest.fixture
def inbox() -> dict[str, Candidate]:
    candidates = five_candidates(ResearcherFactory(given_name="Junyoung", family_name="Chung"))
    relations = {name: c.relation for name, c in candidates.items()}
    assert relations == {
        "new": Candidate.Relation.NEW_WORK,
        "version": Candidate.Relation.NEW_VERSION,
        "changes": Candidate.Relation.CHANGED_FIELDS,
        "duplicate": Candidate.Relation.DUPLICATE,
        "retracted": Candidate.Relation.NEW_WORK,
    }
    return candidates


def review_url(candidate: Candidate) -> str:
    return reverse("admin:harvest_candidate_change", args=[candidate.pk])


def listed_titles(response) -> set[str]:
    return {str(row.title) for row in response.context["cl"].result_list}


# The list --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_editor_opens_the_inbox_of_candidates_to_review(editor_client, inbox, language):
    inbox["changes"].status = Candidate.Status.REJECTED
    inbox["changes"].save()

    response = editor_client.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert listed_titles(response) == {c.title for name, c in inbox.items() if name != "changes"}
    text = text_of(response)
    assert "Gated feedback recurrent neural networks" in text
    assert "openalex" in text
    assert "2015" in text


def test_the_inbox_filters_by_status_relation_researcher_and_source(editor_client, inbox):
    url = reverse(CHANGELIST)
    inbox["changes"].status = Candidate.Status.REJECTED
    inbox["changes"].save()

    rejected = editor_client.get(url, {"status": "rejected"})
    everything = editor_client.get(url, {"status": "all"})
    duplicates = editor_client.get(url, {"relation": "duplicate"})
    theirs = editor_client.get(url, {"researcher__id__exact": inbox["new"].researcher_id})
    from_crossref = editor_client.get(url, {"source": "crossref"})

    assert listed_titles(rejected) == {inbox["changes"].title}
    assert len(listed_titles(everything)) == 5
    assert listed_titles(duplicates) == {inbox["duplicate"].title}
    assert listed_titles(theirs) == {inbox["new"].title}
    assert listed_titles(from_crossref) == {inbox["retracted"].title}


def test_the_inbox_searches_titles_and_dois(editor_client, inbox):
    by_title = editor_client.get(reverse(CHANGELIST), {"q": "gated feedback"})
    by_doi = editor_client.get(reverse(CHANGELIST), {"q": "10.1234/retracted"})

    assert listed_titles(by_title) == {inbox["new"].title}
    assert listed_titles(by_doi) == {inbox["retracted"].title}


def test_the_inbox_reads_the_sources_of_all_rows_at_once(
    editor_client, inbox, django_assert_max_num_queries
):
    editor_client.get(reverse(CHANGELIST))  # Fills the caches (content types, permissions).

    with django_assert_max_num_queries(14):
        editor_client.get(reverse(CHANGELIST))


# The review page -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", ["new", "version", "changes", "duplicate", "retracted"])
def test_editor_opens_the_review_page_of_each_kind(editor_client, inbox, name, language):
    response = editor_client.get(review_url(inbox[name]), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert inbox[name].title in text_of(response)


def test_the_review_page_of_changed_fields_shows_each_value_with_its_source(editor_client, inbox):
    text = text_of(editor_client.get(review_url(inbox["changes"]), HTTP_ACCEPT_LANGUAGE="en"))

    assert "NIPS workshop" in text
    assert "Deep Learning Workshop, NIPS 2012" in text
    assert "crossref: 10.1234/p2" in text
    assert "not recorded" in text  # the stored value's source


def test_the_review_page_of_a_duplicate_shows_reasons_score_and_the_stored_publication(
    editor_client, inbox
):
    response = editor_client.get(review_url(inbox["duplicate"]), HTTP_ACCEPT_LANGUAGE="en")

    stored = inbox["duplicate"].publication
    assert reverse("admin:publications_publication_change", args=[stored.pk]) in (
        response.content.decode()
    )
    text = text_of(response)
    assert "the same title" in text
    assert f"{inbox['duplicate'].score:.0%}" in text


def test_the_review_page_flags_a_retraction(editor_client, inbox):
    text = text_of(editor_client.get(review_url(inbox["retracted"]), HTTP_ACCEPT_LANGUAGE="en"))

    assert "A source says this work was retracted." in text
    assert "DOI 10.1234/retraction-notice" in text


def test_the_review_page_of_a_new_work_shows_each_field_from_its_source_and_orcids(
    editor_client, inbox
):
    text = text_of(editor_client.get(review_url(inbox["new"]), HTTP_ACCEPT_LANGUAGE="en"))

    assert "10.1234/new.1 openalex: W100" in text
    assert f"Junyoung Chung (ORCID {ORCID})" in text


# Decisions -------------------------------------------------------------------------------


def decide(client, candidate: Candidate, **data):
    return client.post(review_url(candidate), data, HTTP_ACCEPT_LANGUAGE="en", follow=True)


def test_accepting_a_new_work_from_its_page_publishes_it_and_returns_to_the_inbox(
    editor_client, inbox
):
    response = decide(editor_client, inbox["new"], decision="accept_new", publish="on")

    publication = Publication.objects.get(doi="10.1234/new.1")
    assert publication.is_published
    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    text = text_of(response)
    assert "was added to the publications and published" in text
    assert inbox["new"].title not in listed_titles(response)


def test_accepting_as_a_version_of_the_matched_publication(editor_client, inbox):
    decide(editor_client, inbox["version"], decision="accept_version")

    stored = Publication.objects.get(doi="10.1234/p1")
    assert list(stored.versions.values_list("kind", "year")) == [("preprint", 2012)]


def test_accepting_a_duplicate_as_a_version_of_another_publication_picked(editor_client, inbox):
    other = Publication.objects.get(doi="10.1234/p1")

    decide(editor_client, inbox["duplicate"], decision="accept_version", publication=str(other.pk))

    inbox["duplicate"].refresh_from_db()
    assert inbox["duplicate"].publication == other


def test_applying_chosen_changes_leaves_the_others(editor_client, inbox):
    response = decide(editor_client, inbox["changes"], decision="accept_fields", fields=["venue"])

    stored = Publication.objects.get(doi="10.1234/p2")
    assert (stored.venue, stored.publisher) == ("Deep Learning Workshop, NIPS 2012", "")
    assert "1 change was applied" in text_of(response)


def test_a_field_locked_since_is_named_and_left_alone(editor_client, inbox):
    stored = Publication.objects.get(doi="10.1234/p2")
    provenance_record(publication=stored, fields=["venue"], origin=FieldOrigin.EDITOR)

    response = decide(
        editor_client, inbox["changes"], decision="accept_fields", fields=["venue", "publisher"]
    )

    stored.refresh_from_db()
    assert (stored.venue, stored.publisher) == ("NIPS workshop", "NIPS Foundation")
    assert "Left as they were, as an editor locked them: venue." in text_of(response)


def test_rejecting_from_the_review_page_is_remembered(editor_client, inbox):
    response = decide(editor_client, inbox["duplicate"], decision="reject")

    assert "will not propose it again" in text_of(response)
    assert Rejection.objects.filter(candidate=inbox["duplicate"]).exists()


def test_a_refused_acceptance_says_why_and_keeps_the_candidate(editor_client, inbox):
    PublicationFactory(title="Holder of the DOI", doi="10.1234/new.1")

    response = decide(editor_client, inbox["new"], decision="accept_new")

    assert response.status_code == 200
    assert "Another publication already has this DOI." in text_of(response)
    inbox["new"].refresh_from_db()
    assert inbox["new"].status == Candidate.Status.NEW


def test_a_decided_candidate_offers_no_decision(editor_client, inbox):
    decide(editor_client, inbox["new"], decision="reject")

    response = editor_client.get(review_url(inbox["new"]), HTTP_ACCEPT_LANGUAGE="en")

    assert 'name="decision"' not in response.content.decode()


def test_a_reader_without_change_permission_may_not_decide(client, django_user_model, inbox):
    from django.contrib.auth.models import Permission

    reader = django_user_model.objects.create_user(username="reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_candidate"))
    client.force_login(reader)

    assert client.get(review_url(inbox["new"])).status_code == 200
    assert client.post(review_url(inbox["new"]), {"decision": "reject"}).status_code == 403
    inbox["new"].refresh_from_db()
    assert inbox["new"].status == Candidate.Status.NEW


# Many at once ----------------------------------------------------------------------------


def test_accepting_the_selected_new_works_as_drafts(editor_client, inbox):
    selected = [inbox["new"].pk, inbox["retracted"].pk, inbox["changes"].pk]

    response = editor_client.post(
        reverse(CHANGELIST),
        {"action": "accept_new_works", "_selected_action": selected},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    drafts = Publication.objects.filter(is_published=False)
    assert sorted(drafts.values_list("doi", flat=True)) == ["10.1234/new.1", "10.1234/retracted"]
    assert list(Publication.objects.get(doi="10.1234/retracted").notices.values_list("kind")) == [
        ("retraction",)
    ]
    text = text_of(response)
    assert "2 new works were added to the publications as drafts." in text
    assert "1 selected proposition was left as it was" in text


def test_rejecting_the_selected_candidates(editor_client, inbox):
    selected = [inbox["duplicate"].pk, inbox["retracted"].pk]

    response = editor_client.post(
        reverse(CHANGELIST),
        {"action": "reject_selected", "_selected_action": selected},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert "2 propositions were rejected" in text_of(response)
    assert listed_titles(response) == {inbox[name].title for name in ("new", "version", "changes")}


def test_staging_a_rejected_work_again_proposes_nothing(editor_client, inbox):
    editor_client.post(
        reverse(CHANGELIST),
        {"action": "reject_selected", "_selected_action": [inbox["retracted"].pk]},
    )
    again = harvested(
        "openalex", "W999", title="A retracted study of everything", year=2020,
        doi="10.1234/retracted",
    )  # fmt: skip

    report = stage_works(researcher=None, works=[again])

    assert (report.new, report.rejected) == (0, 1)


# Permissions -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_editors_permissions_on_the_inbox_come_and_go_with_their_migration():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    def granted() -> set[str]:
        editors = Group.objects.get(name="Editors")
        return set(
            editors.permissions.filter(content_type__app_label="harvest").values_list(
                "codename", flat=True
            )
        )

    # An earlier test of the run may have emptied the tables the migrations filled.
    Group.objects.get_or_create(name="Editors")
    call_command("migrate", "harvest", "0001", verbosity=0)
    assert granted() == set()
    call_command("migrate", "harvest", verbosity=0)
    assert granted() == {"view_candidate", "change_candidate", "view_harvestrun"}
