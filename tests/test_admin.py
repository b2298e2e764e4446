"""The curation admin as an editor uses it: pages, permissions, forms, actions and costs."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles.models import Researcher, ResearchTopic
from publications.models import Author, Authorship, Publication, PublicationVersion
from tests.admin_forms import publication_form_data, researcher_form_data, with_author_rows
from tests.factories import (
    AuthorFactory,
    AuthorshipFactory,
    PublicationFactory,
    ResearcherFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import text_of

pytestmark = pytest.mark.django_db

CURATED_MODELS = [
    ("profiles", "researchtopic"),
    ("profiles", "researcher"),
    ("publications", "author"),
    ("publications", "publication"),
    ("publications", "authorship"),
]

CHECKSUM_MESSAGE = "This ORCID iD is not valid: its last character does not match its checksum."


def make_object(model_name: str):
    """One stored object of the curated model, to open its change page."""
    if model_name == "researchtopic":
        return ResearchTopicFactory()
    if model_name == "researcher":
        researcher = ResearcherFactory()
        researcher.topics.add(ResearchTopicFactory())
        return researcher
    if model_name == "author":
        return researcher_with_author().author
    if model_name == "publication":
        return publication_with_authors([AuthorFactory(), AuthorFactory()])
    return AuthorshipFactory()


# Every page of the curated models opens ----------------------------------------------------


@pytest.mark.parametrize(("app_label", "model_name"), CURATED_MODELS)
def test_editor_opens_the_changelist(editor_client, app_label, model_name):
    make_object(model_name)

    response = editor_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), CURATED_MODELS)
def test_editor_opens_the_add_page(editor_client, app_label, model_name):
    response = editor_client.get(reverse(f"admin:{app_label}_{model_name}_add"))

    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), CURATED_MODELS)
def test_editor_opens_the_change_page(editor_client, app_label, model_name):
    obj = make_object(model_name)

    response = editor_client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))

    assert response.status_code == 200
    assert str(obj) in response.content.decode()


def test_editor_sees_the_curated_models_on_the_admin_index(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()

    for app_label, model_name in CURATED_MODELS:
        assert reverse(f"admin:{app_label}_{model_name}_changelist") in html
    assert reverse("admin:auth_user_changelist") not in html


class _Outline(HTMLParser):
    """The elements around each link and each element with an id, and the children of
    #content, each as "tag#id.class"."""

    VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.links: dict[str, list[str]] = {}
        self.ids: dict[str, list[str]] = {}
        self.content_children: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        label = f"{tag}#{attrs.get('id', '')}.{attrs.get('class', '')}"
        if self.stack and self.stack[-1].startswith("div#content."):
            self.content_children.append(label)
        if tag == "a" and attrs.get("href"):
            self.links.setdefault(attrs["href"], self.stack.copy())
        if attrs.get("id"):
            self.ids[attrs["id"]] = self.stack.copy()
        if tag not in self.VOID:
            self.stack.append(label)

    def handle_endtag(self, tag):
        while self.stack and not self.stack.pop().startswith(f"{tag}#"):
            pass


def outline(response) -> _Outline:
    parser = _Outline()
    parser.feed(response.content.decode())
    return parser


def test_the_admin_home_keeps_djangos_two_columns_with_the_shortcuts_in_the_main_one(
    editor_client,
):
    page = outline(editor_client.get(reverse("admin:index")))

    columns = [child.split(".")[0] for child in page.content_children if child.startswith("div")]
    assert columns == ["div#content-main", "div#content-related"]
    for address in [
        reverse("admin_recent_activity"),
        reverse("admin:publications_publication_import_bibtex"),
    ]:
        around = page.links[address]
        assert any(element.startswith("div#content-main.") for element in around)
        assert any(".module" in element for element in around)
    assert page.ids["recent-actions-module"][-1].startswith("div#content-related.")


def test_the_admin_home_names_its_shortcuts(editor_client):
    text = text_of(editor_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Everyone's changes" in text
    assert "Import BibTeX" in text
    assert "Recent actions" in text  # Django's own sidebar, still there


def test_the_researcher_page_links_to_an_import_for_them(editor_client):
    researcher = ResearcherFactory()

    html = editor_client.get(
        reverse("admin:profiles_researcher_change", args=[researcher.pk])
    ).content.decode()

    url = reverse("admin:publications_publication_import_bibtex")
    assert f'href="{url}?researcher={researcher.pk}"' in html


def selected_researchers(response) -> list[str]:
    select = re.search(r'<select name="researcher".*?</select>', response.content.decode(), re.S)
    return re.findall(r'<option value="(\d+)" selected>', select.group(0))


def test_the_import_page_chooses_the_researcher_it_is_given(editor_client):
    researcher, _other = ResearcherFactory(), ResearcherFactory()
    url = reverse("admin:publications_publication_import_bibtex")

    response = editor_client.get(url, {"researcher": researcher.pk})

    assert selected_researchers(response) == [str(researcher.pk)]


@pytest.mark.parametrize("value", ["abc", "", "1e3", "٣", "-1", "99999999999999999999999", "1\x00"])
def test_the_import_page_ignores_a_researcher_it_cannot_read(editor_client, value):
    ResearcherFactory()
    url = reverse("admin:publications_publication_import_bibtex")

    response = editor_client.get(url, {"researcher": value})

    assert response.status_code == 200
    assert selected_researchers(response) == []


# Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["admin:auth_user_changelist", "admin:auth_group_changelist"])
def test_editor_may_not_manage_users_or_groups(editor_client, url_name):
    response = editor_client.get(reverse(url_name))

    assert response.status_code == 403


def test_editors_group_may_add_change_delete_and_view_the_curated_models_only():
    group = Group.objects.get(name="Editors")

    permissions = set(group.permissions.values_list("content_type__app_label", "codename"))

    # A publication's other versions and links are edited with it, in its change form, and a
    # researcher's supervisions with them. The harvest's candidates are reviewed (read and
    # decided on), its runs read; the harvest alone adds and removes them.
    edited_within = [
        ("publications", "publicationversion"),
        ("publications", "publicationlink"),
        ("profiles", "supervision"),
    ]
    assert permissions == {
        (app_label, f"{action}_{model_name}")
        for app_label, model_name in [*CURATED_MODELS, *edited_within]
        for action in ["add", "change", "delete", "view"]
    } | {
        ("harvest", "view_candidate"),
        ("harvest", "change_candidate"),
        ("harvest", "view_harvestrun"),
    }
    assert len(permissions) == 35


def test_editor_is_staff_but_not_superuser(editor):
    assert editor.is_staff
    assert not editor.is_superuser
    assert editor.has_perm("publications.delete_publication")
    assert not editor.has_perm("auth.change_user")


# Adding a publication with its authors -----------------------------------------------------


def test_editor_adds_a_publication_with_two_ordered_authors(editor_client):
    first = AuthorFactory(display_name="Bernardino Romera-Paredes")
    second = AuthorFactory(display_name="Mohammadamin Barekatain")
    data = with_author_rows(
        publication_form_data(doi="https://doi.org/10.1038/S41586-023-06924-6"), [first, second]
    )

    response = editor_client.post(reverse("admin:publications_publication_add"), data)

    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.title == "Large language models for science"
    assert publication.doi == "10.1038/s41586-023-06924-6"
    assert list(
        publication.authorships.order_by("position").values_list("position", "author__display_name")
    ) == [(1, "Bernardino Romera-Paredes"), (2, "Mohammadamin Barekatain")]


def test_author_rows_without_positions_keep_the_order_of_the_rows(editor_client):
    authors = [AuthorFactory(display_name=name) for name in ["Carol C", "Alice A", "Bob B"]]
    data = with_author_rows(publication_form_data(), authors)
    for index in range(3):
        data[f"authorships-{index}-position"] = ""

    response = editor_client.post(reverse("admin:publications_publication_add"), data)

    assert response.status_code == 302
    publication = Publication.objects.get()
    assert [a.author.display_name for a in publication.authorships.order_by("position")] == [
        "Carol C",
        "Alice A",
        "Bob B",
    ]


def test_a_duplicate_doi_is_refused_with_a_readable_message(editor_client):
    PublicationFactory(doi="10.48550/arxiv.2307.11888", title="The original")
    data = with_author_rows(
        publication_form_data(doi="https://doi.org/10.48550/ARXIV.2307.11888"), [AuthorFactory()]
    )

    response = editor_client.post(
        reverse("admin:publications_publication_add"), data, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "Another publication already has this DOI." in response.content.decode()
    assert list(Publication.objects.values_list("title", flat=True)) == ["The original"]
    assert not Authorship.objects.exists()


def test_a_duplicate_doi_is_refused_in_french_by_default(editor_client):
    PublicationFactory(doi="10.48550/arxiv.2307.11888")

    response = editor_client.post(
        reverse("admin:publications_publication_add"),
        publication_form_data(doi="10.48550/arXiv.2307.11888"),
    )

    assert response.status_code == 200
    assert "Une autre publication a déjà ce DOI." in response.content.decode()
    assert Publication.objects.count() == 1


def test_a_year_out_of_range_is_refused_in_the_admin(editor_client):
    response = editor_client.post(
        reverse("admin:publications_publication_add"),
        publication_form_data(year=1850),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "The year must be 1900 or later." in response.content.decode()
    assert not Publication.objects.exists()


def test_a_pasted_arxiv_address_is_stored_as_an_identifier(editor_client):
    response = editor_client.post(
        reverse("admin:publications_publication_add"),
        publication_form_data(arxiv_id="https://arxiv.org/abs/2307.11888v1"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert Publication.objects.get().arxiv_id == "2307.11888"


# Researchers -------------------------------------------------------------------------------


def test_editor_adds_a_researcher_with_a_pasted_orcid_without_dashes(editor_client):
    response = editor_client.post(
        reverse("admin:profiles_researcher_add"),
        researcher_form_data(orcid="000000029079593x"),
    )

    assert response.status_code == 302
    researcher = Researcher.objects.get()
    assert researcher.orcid == "0000-0002-9079-593X"
    assert researcher.position_fr == "Professeur associé"
    assert researcher.position_en == "Adjunct Professor"


def test_an_orcid_with_a_wrong_checksum_is_refused(editor_client):
    response = editor_client.post(
        reverse("admin:profiles_researcher_add"),
        researcher_form_data(orcid="0000-0002-1825-0098"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert CHECKSUM_MESSAGE in response.content.decode()
    assert not Researcher.objects.exists()


def test_a_taken_orcid_is_refused_with_a_readable_message(editor_client):
    ResearcherFactory(orcid="0000-0002-1825-0097")

    response = editor_client.post(
        reverse("admin:profiles_researcher_add"),
        researcher_form_data(orcid="0000000218250097"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Another researcher already has this ORCID iD." in response.content.decode()
    assert Researcher.objects.count() == 1


def test_a_pasted_orcid_address_is_stored_as_an_identifier(editor_client):
    response = editor_client.post(
        reverse("admin:profiles_researcher_add"),
        researcher_form_data(orcid="https://orcid.org/0000-0002-1825-0097"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert Researcher.objects.get().orcid == "0000-0002-1825-0097"


def test_the_researcher_change_page_links_to_the_public_profile(editor_client):
    researcher = ResearcherFactory(slug="razvan-pascanu")
    content_type = ContentType.objects.get_for_model(Researcher)
    view_on_site = reverse("admin:view_on_site", args=[content_type.pk, researcher.pk])

    html = editor_client.get(
        reverse("admin:profiles_researcher_change", args=[researcher.pk])
    ).content.decode()
    response = editor_client.get(view_on_site)

    assert f'href="{view_on_site}"' in html
    assert response.status_code == 302
    assert response["Location"].endswith("/fr/chercheurs/razvan-pascanu/")


# Publish and unpublish ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "factory"),
    [
        ("admin:publications_publication_changelist", PublicationFactory),
        ("admin:profiles_researcher_changelist", ResearcherFactory),
    ],
)
def test_unpublish_then_publish_the_selected_entries(editor_client, url_name, factory):
    selected = [factory(is_published=True), factory(is_published=True)]
    untouched = factory(is_published=True)
    url = reverse(url_name)
    pks = [obj.pk for obj in selected]

    response = editor_client.post(
        url,
        {"action": "unpublish", "_selected_action": pks},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    model = type(untouched)
    assert "2 entries unpublished." in response.content.decode()
    assert set(model.objects.filter(is_published=False).values_list("pk", flat=True)) == set(pks)

    response = editor_client.post(
        url,
        {"action": "publish", "_selected_action": [*pks, untouched.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # The entry that was already published is not counted.
    assert "2 entries published." in response.content.decode()
    assert not model.objects.filter(is_published=False).exists()


def test_the_unpublish_message_is_in_french_by_default(editor_client):
    publication = PublicationFactory(is_published=True)

    response = editor_client.post(
        reverse("admin:publications_publication_changelist"),
        {"action": "unpublish", "_selected_action": [publication.pk]},
        follow=True,
    )

    assert "1 entrée dépubliée." in response.content.decode()
    publication.refresh_from_db()
    assert not publication.is_published


# Searching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["Pióro", "pioro", "maciej"])
def test_the_author_autocomplete_finds_an_author_by_name(editor_client, term):
    AuthorFactory(display_name="Maciej Pióro")
    AuthorFactory(display_name="Razvan Pascanu")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "publications",
            "model_name": "authorship",
            "field_name": "author",
            "term": term,
        },
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Maciej Pióro"]


def test_the_topic_autocomplete_finds_a_topic_by_its_english_name(editor_client):
    ResearchTopicFactory(name_fr="Apprentissage par renforcement", name_en="Reinforcement learning")
    ResearchTopicFactory(name_fr="Vision par ordinateur", name_en="Computer vision")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "profiles",
            "model_name": "researcher",
            "field_name": "topics",
            "term": "reinforcement",
        },
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == [
        "Apprentissage par renforcement"
    ]


@pytest.mark.parametrize("term", ["10.48550/arxiv.2307.11888", "2307.11888"])
def test_the_publication_changelist_finds_by_identifier(editor_client, term):
    PublicationFactory(
        title="Found by its identifier", doi="10.48550/arxiv.2307.11888", arxiv_id="2307.11888"
    )
    PublicationFactory(title="Another paper", doi="10.1145/3368089.3409742", arxiv_id="2001.00001")

    html = editor_client.get(
        reverse("admin:publications_publication_changelist"), {"q": term}
    ).content.decode()

    assert "Found by its identifier" in html
    assert "Another paper" not in html


def test_the_publication_changelist_finds_by_arxiv_id_only(editor_client):
    PublicationFactory(title="Only on arXiv", arxiv_id="math/0211159")
    PublicationFactory(title="Another paper", arxiv_id="2001.00001")

    html = editor_client.get(
        reverse("admin:publications_publication_changelist"), {"q": "math/0211159"}
    ).content.decode()

    assert "Only on arXiv" in html
    assert "Another paper" not in html


def test_the_publication_changelist_shows_authors_in_order(editor_client):
    authors = [AuthorFactory(display_name=name) for name in ["Zoe Z", "Alice A", "Max M"]]
    publication_with_authors(authors, title="Ordered")

    html = editor_client.get(reverse("admin:publications_publication_changelist")).content.decode()

    assert "Zoe Z, Alice A, Max M" in html


def changelist_titles(client, url_name: str, term: str, column: str = "title") -> list[str]:
    """The entries a changelist search lists, one per row, in order, by their linked
    ``column``."""
    response = client.get(reverse(url_name), {"q": term})
    assert response.status_code == 200
    return [
        unescape(title)
        for title in re.findall(
            rf'<t[hd] class="field-{column}"><a href="[^"]+">([^<]+)</a></t[hd]>',
            response.content.decode(),
        )
    ]


@pytest.fixture
def searched_publications():
    """Three publications: one signed by two authors sharing a word of their names, one whose
    editor is the only person named, and one by someone else."""
    schug = AuthorFactory(display_name="Simon Schug")
    gulcehre = AuthorFactory(display_name="Çağlar Gülçehre")
    publication_with_authors(
        [AuthorFactory(display_name="Skander Moalla"), AuthorFactory(display_name="Ada Moallam")],
        title="Réseaux récurrents profonds",
        venue="ICLR 2025",
        year=2025,
    )
    book = PublicationFactory(
        title="An edited book", kind=Publication.Kind.BOOK, venue="", year=2024
    )
    Authorship.objects.create(
        publication=book, author=gulcehre, role=Authorship.Role.EDITOR, position=1
    )
    PublicationVersion.objects.create(
        publication=book, kind=Publication.Kind.PREPRINT, year=2023, arxiv_id="2301.00042"
    )
    publication_with_authors([schug], title="Attention as a Hypernetwork", venue="NeurIPS 2024")


@pytest.mark.parametrize(
    ("term", "titles"),
    [
        ("Moalla", ["Réseaux récurrents profonds"]),
        ("moalla", ["Réseaux récurrents profonds"]),  # two authors match: still one row
        ('"Skander Moalla"', ["Réseaux récurrents profonds"]),
        ("Gulcehre", ["An edited book"]),  # an editor, accents ignored
        ("GÜLÇEHRE", ["An edited book"]),
        ("reseaux", ["Réseaux récurrents profonds"]),  # titles without accents too
        ("Hypernetwork Schug", ["Attention as a Hypernetwork"]),  # words in different fields
        ("Hypernetwork Moalla", []),
        ("ICLR", ["Réseaux récurrents profonds"]),
        ("arXiv:2301.00042v1", ["An edited book"]),  # the arXiv id of another version
    ],
)
def test_the_publication_changelist_searches_titles_names_and_venues(
    editor_client, searched_publications, term, titles
):
    found = changelist_titles(editor_client, "admin:publications_publication_changelist", term)

    assert found == titles


@pytest.mark.parametrize("term", ['"', "'unclosed", "%", "_", "C++", "v2", "doi:"])
def test_an_odd_publication_search_never_breaks_the_changelist(
    editor_client, searched_publications, term
):
    response = editor_client.get(reverse("admin:publications_publication_changelist"), {"q": term})

    assert response.status_code == 200


def test_the_authorship_autocomplete_finds_a_publication_by_an_author(
    editor_client, searched_publications
):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "publications",
            "model_name": "authorship",
            "field_name": "publication",
            "term": "moalla",
        },
    )

    assert [result["text"] for result in response.json()["results"]] == [
        "Réseaux récurrents profonds"
    ]


@pytest.mark.parametrize(
    "url_name",
    ["admin:publications_publication_changelist", "admin:profiles_researcher_changelist"],
)
def test_a_search_holding_a_nul_character_never_breaks_a_changelist(editor_client, url_name):
    ResearcherFactory(given_name="Ada", family_name="Lovelace")
    PublicationFactory(title="Ada")

    response = editor_client.get(reverse(url_name), {"q": "Ada\x00"})

    assert response.status_code == 200
    assert "Ada" in response.content.decode()


@pytest.mark.parametrize(
    "term",
    [
        "0000-0002-1825-0097",
        "https://orcid.org/0000-0002-1825-0097",
        "0000000218250097",
        "Montréal",
        "Emond",
        "Héloïse Émond",
    ],
)
def test_the_researcher_changelist_finds_by_orcid_organisation_and_name(editor_client, term):
    ResearcherFactory(
        given_name="Héloïse",
        family_name="Émond",
        orcid="0000-0002-1825-0097",
        organization="Université de Montréal",
    )
    ResearcherFactory(given_name="Other", family_name="Person", organization="Mila")

    found = changelist_titles(
        editor_client, "admin:profiles_researcher_changelist", term, column="full_name"
    )

    assert found == ["Héloïse Émond"]


# Query counts ------------------------------------------------------------------------------


def add_rows(count: int) -> None:
    """``count`` rows for each changelist (three times as many authorships): topics,
    researchers with two topics and an author, publications with three authors and two
    topics."""
    topics = [ResearchTopicFactory() for _ in range(count)]
    authors = []
    for index in range(count):
        researcher = researcher_with_author()
        researcher.topics.set([topics[index], topics[(index + 1) % count]])
        authors.append(researcher.author)
    for index in range(count):
        signing = [authors[(index + offset) % count] for offset in range(3)]
        publication = publication_with_authors(signing)
        publication.topics.set([topics[index], topics[(index + 1) % count]])


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("app_label", "model_name"), CURATED_MODELS)
def test_a_changelist_costs_the_same_number_of_queries_for_3_or_30_rows(
    editor_client, app_label, model_name
):
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    model = {
        "researchtopic": ResearchTopic,
        "researcher": Researcher,
        "author": Author,
        "publication": Publication,
        "authorship": Authorship,
    }[model_name]
    add_rows(3)
    editor_client.get(url)  # Fills the caches (content types, permissions) first.

    few = count_queries(editor_client, url)
    add_rows(27)
    many = count_queries(editor_client, url)

    assert model.objects.count() == (90 if model_name == "authorship" else 30)
    assert few == many


# Translated fields -------------------------------------------------------------------------


def test_the_topic_form_has_a_french_and_an_english_name(editor_client):
    topic = ResearchTopicFactory(name_fr="Apprentissage continu", name_en="Continual learning")

    html = editor_client.get(
        reverse("admin:profiles_researchtopic_change", args=[topic.pk])
    ).content.decode()

    assert 'name="name_fr"' in html
    assert 'name="name_en"' in html
    assert 'name="name"' not in html
    assert "Apprentissage continu" in html
    assert "Continual learning" in html


def test_the_researcher_form_has_a_french_and_an_english_position(editor_client):
    researcher = ResearcherFactory(
        position_fr="Professeure titulaire", position_en="Full Professor"
    )

    html = editor_client.get(
        reverse("admin:profiles_researcher_change", args=[researcher.pk])
    ).content.decode()

    for name in ["position_fr", "position_en", "bio_fr", "bio_en"]:
        assert f'name="{name}"' in html
    assert 'name="position"' not in html
    assert "Professeure titulaire" in html
    assert "Full Professor" in html


@pytest.mark.parametrize("model_name", ["researchtopic", "researcher"])
def test_translated_forms_include_the_tabs_script(editor_client, model_name):
    obj = make_object(model_name)

    for url in [
        reverse(f"admin:profiles_{model_name}_change", args=[obj.pk]),
        reverse(f"admin:profiles_{model_name}_add"),
    ]:
        html = editor_client.get(url).content.decode()
        assert "editor/translation_tabs.js" in html


def test_editor_adds_a_topic_in_both_languages(editor_client):
    response = editor_client.post(
        reverse("admin:profiles_researchtopic_add"),
        {
            "name_fr": "Apprentissage continu",
            "name_en": "Continual learning",
            "slug_fr": "apprentissage-continu",
            "slug_en": "continual-learning",
        },
    )

    assert response.status_code == 302
    topic = ResearchTopic.objects.get()
    assert (topic.name_fr, topic.name_en) == ("Apprentissage continu", "Continual learning")
    assert (topic.slug_fr, topic.slug_en) == ("apprentissage-continu", "continual-learning")


def test_a_topic_needs_an_english_name(editor_client):
    response = editor_client.post(
        reverse("admin:profiles_researchtopic_add"),
        {
            "name_fr": "Apprentissage continu",
            "name_en": "",
            "slug_fr": "apprentissage-continu",
            "slug_en": "continual-learning",
        },
    )

    assert response.status_code == 200
    assert not ResearchTopic.objects.exists()


# The publication form, grouped by kind -----------------------------------------------------


def fieldset_classes(html: str, heading: str) -> list[str]:
    """The classes of the fieldset whose heading is ``heading``."""
    match = re.search(
        r'<fieldset class="([^"]*)"[^>]*>\s*(?:<details><summary>)?\s*'
        rf'<h2 id="[^"]+" class="fieldset-heading">{re.escape(heading)}</h2>',
        html,
    )
    assert match, f"no fieldset headed {heading}"
    return match.group(1).split()


def test_the_publication_form_opens_the_groups_its_kind_uses(editor_client):
    book = PublicationFactory(kind=Publication.Kind.BOOK, venue="", publisher="MIT Press")

    html = editor_client.get(
        reverse("admin:publications_publication_change", args=[book.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "collapse" not in fieldset_classes(html, "Books and chapters")
    assert "collapse" in fieldset_classes(html, "Theses and reports")
    assert "collapse" in fieldset_classes(html, "Where it appeared")
    assert "kind-thesis" in fieldset_classes(html, "Theses and reports")
    assert "For theses (the university) and technical reports" in html
    assert "editor/publication_kinds.js" in html


def test_a_group_holding_a_value_stays_open_whatever_the_kind(editor_client):
    article = PublicationFactory(kind=Publication.Kind.JOURNAL_ARTICLE, institution="Mila")

    html = editor_client.get(
        reverse("admin:publications_publication_change", args=[article.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "collapse" not in fieldset_classes(html, "Theses and reports")
    assert "collapse" in fieldset_classes(html, "Books and chapters")
    assert "collapse" not in fieldset_classes(html, "Where it appeared")


def test_editor_adds_a_thesis_with_its_institution_and_date(editor_client):
    data = publication_form_data(
        kind=Publication.Kind.THESIS,
        venue="",
        institution="Université de Montréal",
        number="42",
        month=6,
        day=14,
        note="In French",
    )

    response = editor_client.post(reverse("admin:publications_publication_add"), data)

    assert response.status_code == 302
    thesis = Publication.objects.get()
    assert (thesis.kind, thesis.institution, thesis.number) == (
        "thesis",
        "Université de Montréal",
        "42",
    )
    assert (thesis.year, thesis.month, thesis.day, thesis.note) == (2023, 6, 14, "In French")


def test_an_error_in_a_group_of_another_kind_is_shown_open(editor_client):
    data = publication_form_data(kind=Publication.Kind.JOURNAL_ARTICLE, institution="x" * 300)

    response = editor_client.post(
        reverse("admin:publications_publication_add"), data, HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 255 characters" in html
    assert "collapse" not in fieldset_classes(html, "Theses and reports")
    assert "collapse" in fieldset_classes(html, "Books and chapters")
    assert not Publication.objects.exists()


def test_the_changelist_names_the_editors_of_a_book_without_authors(editor_client):
    book = PublicationFactory(title="Edited volume", kind=Publication.Kind.BOOK)
    for position, name in enumerate(["Ada Lovelace", "Mary Somerville"], start=1):
        Authorship.objects.create(
            publication=book,
            author=AuthorFactory(display_name=name),
            role=Authorship.Role.EDITOR,
            position=position,
        )

    html = editor_client.get(
        reverse("admin:publications_publication_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Ada Lovelace (ed.), Mary Somerville (ed.)" in html


def test_the_merge_page_marks_the_editors(editor_client):
    ada, mary = AuthorFactory(display_name="Ada Lovelace"), AuthorFactory(display_name="Mary S")
    first = publication_with_authors([ada], title="Handbook")
    Authorship.objects.create(
        publication=first, author=mary, role=Authorship.Role.EDITOR, position=1
    )
    second = publication_with_authors([ada], title="Handbook")

    response = editor_client.post(
        reverse("admin:publications_publication_changelist"),
        {"action": "merge", "_selected_action": [first.pk, second.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "<td>Ada Lovelace, Mary S (ed.)</td>" in response.content.decode()


# Authors: suffixes and organisations -------------------------------------------------------


def test_editor_adds_an_author_with_a_suffix(editor_client):
    response = editor_client.post(
        reverse("admin:publications_author_add"),
        {
            "display_name": "Martin Luther King Jr.",
            "given_name": "Martin Luther",
            "family_name": "King",
            "suffix": "Jr.",
            "orcid": "",
            "researcher": "",
        },
    )

    assert response.status_code == 302
    author = Author.objects.get()
    assert (author.given_name, author.family_name, author.suffix) == (
        "Martin Luther",
        "King",
        "Jr.",
    )
    assert not author.is_organization


def test_an_organisation_keeps_its_name_whole(editor_client):
    response = editor_client.post(
        reverse("admin:publications_author_add"),
        {
            "display_name": "World Health Organization",
            "is_organization": "on",
            "given_name": "",
            "family_name": "",
            "suffix": "",
            "orcid": "",
            "researcher": "",
        },
    )

    assert response.status_code == 302
    author = Author.objects.get()
    assert author.is_organization
    assert (author.given_name, author.family_name) == ("", "World Health Organization")


def test_the_author_changelist_shows_names_as_sorted_and_organisations(editor_client):
    AuthorFactory(
        display_name="Martin Luther King Jr.",
        given_name="Martin Luther",
        family_name="King",
        suffix="Jr.",
    )
    AuthorFactory(display_name="World Health Organization", is_organization=True)
    url = reverse("admin:publications_author_changelist")

    html = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    organisations = editor_client.get(url, {"is_organization__exact": "1"}).content.decode()

    assert "King, Jr., Martin Luther" in html
    assert "Family name, suffix, given name" in html
    assert "World Health Organization" in organisations
    assert "Martin Luther King Jr." not in organisations
