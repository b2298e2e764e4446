"""The admin's add and change forms check for a publication already stored, as an import does,
and save a record of a stored work only once the editor has said what it is."""

import pytest
from django.urls import reverse
from reversion.models import Version

from publications.models import Authorship, Publication, PublicationVersion
from tests.admin_forms import publication_form_data, with_author_rows
from tests.factories import AuthorFactory, PublicationFactory, publication_with_authors
from tests.pages import form_data, text_of

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:publications_publication_add")
TITLE = "Attention as a Hypernetwork"


def change_url(publication: Publication) -> str:
    return reverse("admin:publications_publication_change", args=[publication.pk])


@pytest.fixture
def stored():
    """The conference paper as the demo holds it, signed by its first author."""
    return publication_with_authors(
        [AuthorFactory(display_name="Simon Schug")],
        title=TITLE,
        year=2025,
        kind=Publication.Kind.CONFERENCE_PAPER,
        venue="ICLR 2025",
    )


@pytest.fixture
def authors():
    return [
        AuthorFactory(display_name="Seijin Kobayashi"),
        AuthorFactory(display_name="Yassir Akram"),
    ]


def add(client, data: dict):
    return client.post(ADD_URL, data, HTTP_ACCEPT_LANGUAGE="en")


def assert_refused_with_notice(response, match: Publication) -> None:
    """Nothing saved; the form is back with the stored publication named and linked."""
    assert response.status_code == 200
    html, text = response.content.decode(), text_of(response)
    assert "This publication may already be stored" in text
    assert f'href="{change_url(match)}"' in html
    assert match.title in text
    assert f"{match.get_kind_display()}, {match.year}" in text


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_same_title_within_a_year_is_not_saved(editor_client, stored, authors, year):
    data = with_author_rows(
        publication_form_data(title="Attention as a hypernetwork.", year=year), authors
    )

    response = add(editor_client, data)

    assert_refused_with_notice(response, stored)
    assert list(Publication.objects.all()) == [stored]
    assert Authorship.objects.count() == 1


def test_the_same_title_two_years_apart_is_another_work(editor_client, stored):
    response = add(editor_client, publication_form_data(title=TITLE, year=2027))

    assert response.status_code == 302
    assert Publication.objects.count() == 2


def test_the_same_doi_is_not_saved_and_cannot_be_saved_as_another_work(editor_client, authors):
    match = PublicationFactory(title="The original", doi="10.1038/s41586-023-06924-6")
    data = with_author_rows(
        publication_form_data(
            title="Another title", doi="https://doi.org/10.1038/S41586-023-06924-6"
        ),
        authors,
    )

    response = add(editor_client, data)

    assert_refused_with_notice(response, match)
    html = response.content.decode()
    assert "Another publication already has this DOI." in html
    assert 'value="different:' not in html  # a DOI names one work
    assert f'value="merge:{match.pk}"' in html
    assert Publication.objects.count() == 1


@pytest.mark.parametrize(
    "typed", ["2406.05816", "arXiv:2406.05816v2", "https://arxiv.org/abs/2406.05816"]
)
def test_the_same_arxiv_id_is_not_saved(editor_client, authors, typed):
    match = PublicationFactory(title="On arXiv", arxiv_id="2406.05816")

    response = add(editor_client, with_author_rows(publication_form_data(arxiv_id=typed), authors))

    assert_refused_with_notice(response, match)
    assert Publication.objects.count() == 1


def test_the_arxiv_id_of_a_stored_version_is_not_saved(editor_client, stored, authors):
    PublicationVersion.objects.create(
        publication=stored, kind=Publication.Kind.PREPRINT, year=2024, arxiv_id="2406.05816"
    )
    data = with_author_rows(
        publication_form_data(title="A preprint under another title", arxiv_id="2406.05816"),
        authors,
    )

    response = add(editor_client, data)

    assert_refused_with_notice(response, stored)
    assert Publication.objects.count() == 1


def test_the_refused_form_keeps_everything_typed(editor_client, stored, authors):
    data = with_author_rows(
        publication_form_data(title=TITLE, year=2025, abstract="Typed by the editor."), authors
    )

    kept = form_data(add(editor_client, data), "publication_form")

    assert kept["title"] == [TITLE]
    assert kept["abstract"] == ["Typed by the editor."]
    assert kept["authorships-TOTAL_FORMS"] == ["2"]
    assert kept["authorships-0-author"] == [str(authors[0].pk)]
    assert kept["authorships-1-author"] == [str(authors[1].pk)]


def resubmitted(client, data: dict, choice: str) -> dict:
    """The refused form as the browser sends it back, with the editor's choice."""
    kept = form_data(add(client, data), "publication_form")
    kept["duplicate_choice"] = [choice]
    return kept


def test_a_different_work_is_saved_once_the_editor_says_so(editor_client, stored, authors):
    data = with_author_rows(publication_form_data(title=TITLE, year=2025), authors)

    response = add(editor_client, resubmitted(editor_client, data, f"different:{stored.pk}"))

    assert response.status_code == 302
    new = Publication.objects.exclude(pk=stored.pk).get()
    assert new.title == TITLE
    assert list(
        new.authorships.order_by("position").values_list("author__display_name", flat=True)
    ) == [
        "Seijin Kobayashi",
        "Yassir Akram",
    ]


def test_a_confirmation_for_other_matches_does_not_save(editor_client, stored):
    other = PublicationFactory(title=TITLE, year=2024)
    data = publication_form_data(title=TITLE, year=2025)

    response = add(editor_client, {**data, "duplicate_choice": f"different:{stored.pk}"})

    assert_refused_with_notice(response, other)
    assert Publication.objects.count() == 2


def test_merging_keeps_the_stored_publication_with_the_record_as_a_version(
    editor_client, stored, authors
):
    data = with_author_rows(
        publication_form_data(
            title=TITLE,
            year=2024,
            kind=Publication.Kind.PREPRINT,
            venue="arXiv",
            arxiv_id="2406.05816",
        ),
        authors,
    )

    response = add(editor_client, resubmitted(editor_client, data, f"merge:{stored.pk}"))

    assert response.status_code == 302
    assert response["Location"] == change_url(stored)
    assert list(Publication.objects.all()) == [stored]
    version = stored.versions.get()
    assert (version.kind, version.year, version.arxiv_id) == ("preprint", 2024, "2406.05816")
    assert list(
        stored.authorships.order_by("position").values_list("author__display_name", flat=True)
    ) == ["Simon Schug", "Seijin Kobayashi", "Yassir Akram"]
    page = text_of(editor_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en"))
    assert f"was merged into “{TITLE}”" in page


def test_merging_a_record_with_the_same_doi_completes_the_stored_one(editor_client):
    match = PublicationFactory(
        title="The original", doi="10.1038/s41586-023-06924-6", abstract="", code_url=""
    )
    data = publication_form_data(
        title="The original",
        kind=match.kind,
        venue=match.venue,
        year=match.year,
        doi="10.1038/s41586-023-06924-6",
        abstract="The abstract the stored record lacked.",
    )

    response = add(editor_client, {**data, "duplicate_choice": f"merge:{match.pk}"})

    assert response.status_code == 302
    match.refresh_from_db()
    assert list(Publication.objects.all()) == [match]
    assert match.doi == "10.1038/s41586-023-06924-6"
    assert match.abstract == "The abstract the stored record lacked."
    comments = set(
        Version.objects.get_for_object(match).values_list("revision__comment", flat=True)
    )
    assert any(comment.startswith("Before merging") for comment in comments)


@pytest.mark.parametrize("choice", ["merge:abc", "merge:999999999999999999999", "merge:", "?"])
def test_a_bad_choice_brings_the_notice_back(editor_client, stored, choice):
    response = add(
        editor_client, {**publication_form_data(title=TITLE, year=2025), "duplicate_choice": choice}
    )

    assert_refused_with_notice(response, stored)
    assert Publication.objects.count() == 1


def test_changing_a_title_to_a_stored_one_is_checked(editor_client, stored):
    other = publication_with_authors([AuthorFactory()], title="A working title", year=2025)
    url = change_url(other)
    data = form_data(editor_client.get(url), "publication_form")
    data["title"] = [TITLE]

    response = editor_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert_refused_with_notice(response, stored)
    other.refresh_from_db()
    assert other.title == "A working title"


def test_moving_only_the_year_next_to_a_stored_title_is_checked(editor_client, stored):
    """Two years apart the same title is another work; a year apart it is the same one."""
    later = publication_with_authors([AuthorFactory()], title=TITLE, year=2027)
    url = change_url(later)
    data = form_data(editor_client.get(url), "publication_form")
    data["year"] = ["2026"]

    response = editor_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert_refused_with_notice(response, stored)
    later.refresh_from_db()
    assert later.year == 2027


def test_changing_other_fields_of_a_look_alike_is_not_checked(editor_client, stored):
    twin = publication_with_authors([AuthorFactory()], title=TITLE, year=2025)
    url = change_url(twin)
    data = form_data(editor_client.get(url), "publication_form")
    data["abstract"] = ["Edited."]

    response = editor_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.abstract == "Edited."


def test_a_publication_is_not_its_own_duplicate(editor_client, stored):
    url = change_url(stored)
    data = form_data(editor_client.get(url), "publication_form")
    data["title"] = ["Attention as a hypernetwork"]
    data["arxiv_id"] = ["2406.05816"]

    response = editor_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.arxiv_id == "2406.05816"


def test_a_changed_publication_merged_into_a_stored_one_leaves_the_stored_one(
    editor_client, stored
):
    other = publication_with_authors(
        [AuthorFactory(display_name="Yassir Akram")], title="A working title", year=2025
    )
    url = change_url(other)
    data = form_data(editor_client.get(url), "publication_form")
    data["title"] = [TITLE]
    data["duplicate_choice"] = [f"merge:{stored.pk}"]

    response = editor_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response["Location"] == change_url(stored)
    assert list(Publication.objects.all()) == [stored]
    assert list(
        stored.authorships.order_by("position").values_list("author__display_name", flat=True)
    ) == ["Simon Schug", "Yassir Akram"]


def test_a_merge_that_cannot_be_made_saves_nothing_and_says_why(editor_client, stored):
    holder = PublicationFactory(title="Another work")
    PublicationVersion.objects.create(
        publication=holder, kind=Publication.Kind.REPORT, year=2024, doi="10.1234/report"
    )
    data = with_author_rows(
        publication_form_data(
            title=TITLE, year=2025, kind=Publication.Kind.PREPRINT, doi="10.1234/report"
        ),
        [AuthorFactory()],
    )

    response = add(editor_client, {**data, "duplicate_choice": f"merge:{stored.pk}"})

    assert response.status_code == 302
    assert response["Location"] == ADD_URL
    assert set(Publication.objects.all()) == {stored, holder}
    assert Authorship.objects.filter(publication=stored).count() == 1
    page = text_of(editor_client.get(ADD_URL, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Nothing was saved: the merge failed (Another version already has this DOI.)" in page
