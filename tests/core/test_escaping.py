"""Whatever editors type is shown as text, never run as markup: pages, metadata, feeds, exports
and the admin, in both languages.

Every text field an editor fills in holds a hostile payload; the fields are found by model
introspection, so that a field added later is covered without touching this file.
"""

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation
from modeltranslation.translator import NotRegistered, translator

from profiles.models import Researcher, ResearchTopic
from publications.models import Author, Authorship, Publication
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearcherFactory,
    ResearchTopicFactory,
)

pytestmark = pytest.mark.django_db

# Breaks out of a quoted attribute, adds an element with an event handler, and closes a script
# block early to open another one.
PAYLOAD = "'\"><img src=x onerror=alert(1)></script><script>alert(2)</script>"
# The same attacks without spaces, for fields whose format forbids them (links, DOIs).
COMPACT_PAYLOAD = "'\"><svg/onload=alert(1)></script><script>alert(2)</script>"
# Found verbatim in a response only if the markup was not escaped.
UNESCAPED_MARKERS = ("<script>alert", "<img src=x", "<svg/onload")

# Fields whose format leaves no room for markup: each gets an ordinary valid value instead,
# and test_format_checked_fields_really_refuse_markup checks that the format does refuse it.
FORMAT_CHECKED_VALUES = {
    # letters, digits and hyphens only
    ("profiles.ResearchTopic", "slug_fr"): "sujet-hostile",
    ("profiles.ResearchTopic", "slug_en"): "hostile-topic",
    ("profiles.Researcher", "slug"): "hostile-researcher",
    # sixteen digits with a checksum
    ("profiles.Researcher", "orcid"): "0000-0002-1825-0097",
    ("publications.Author", "orcid"): "0000-0001-5109-3700",
    # the identifiers of the sources publications are harvested from
    ("profiles.Researcher", "openalex_id"): "A5023888391",
    ("profiles.Researcher", "dblp_pid"): "123/4567",
    ("profiles.Researcher", "semantic_scholar_id"): "1751762",
    # digits, or an archive name and digits
    ("publications.Publication", "arxiv_id"): "2307.11888",
    # a language tag such as pt-BR
    ("publications.Publication", "language"): "en",
}

EDITED_MODELS = [ResearchTopic, Researcher, Author, Publication]
LANGUAGES = ["fr", "en"]


def translated_fields(model: type[models.Model]) -> set[str]:
    """Fields stored once per language: only their _fr and _en versions are typed."""
    try:
        return set(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return set()


def editor_text_fields(model: type[models.Model]) -> list[models.Field]:
    """The text fields an editor fills in.

    Left out: fields that are not editable (search and sort keys derived from the others on
    save), fields with choices (a value from a fixed list), and the language-neutral field of
    a translated pair, which only mirrors its _fr and _en versions.
    """
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and field.editable
        and not field.choices
        and field.name not in translated_fields(model)
    ]


def hostile_candidates(field: models.Field) -> list[str]:
    tag = f"{field.model._meta.model_name}.{field.name}"
    return [
        f"{PAYLOAD} {tag}",
        f"https://example.org/{tag}/{COMPACT_PAYLOAD}",
        f"10.1234/{tag}{COMPACT_PAYLOAD}",
        # Short fields (volume, pages, suffix): the script alone.
        f"'\"><script>alert(2)</script>{tag}",
    ]


def clean(field: models.Field, value: str) -> str | None:
    try:
        return field.clean(value, None)
    except ValidationError:
        return None


def hostile_value(field: models.Field) -> str:
    """The most hostile value the field accepts, as its validators leave it."""
    for candidate in hostile_candidates(field):
        cleaned = clean(field, candidate)
        if cleaned is not None:
            return cleaned
    key = (field.model._meta.label, field.name)
    if key not in FORMAT_CHECKED_VALUES:
        pytest.fail(f"{key} refuses every hostile value: give it one in FORMAT_CHECKED_VALUES")
    return FORMAT_CHECKED_VALUES[key]


def hostile_values(model: type[models.Model]) -> dict[str, str]:
    return {field.name: hostile_value(field) for field in editor_text_fields(model)}


@pytest.fixture
def hostile():
    """A published researcher, topic, authors and publication, every typed text hostile."""
    topic = ResearchTopicFactory(**hostile_values(ResearchTopic))
    researcher = ResearcherFactory(**hostile_values(Researcher))
    researcher.topics.add(topic)
    author = AuthorFactory(**hostile_values(Author), researcher=researcher)
    coauthor = AuthorFactory(**{**hostile_values(Author), "orcid": ""})
    publication = PublicationFactory(**hostile_values(Publication))
    for position, signer in enumerate([author, coauthor], start=1):
        Authorship.objects.create(publication=publication, author=signer, position=position)
    publication.topics.add(topic)
    for obj in (topic, researcher, author, coauthor, publication):
        obj.full_clean()  # an editor could have typed all of it in the admin
    return {
        "topic": topic,
        "researcher": researcher,
        "author": author,
        "coauthor": coauthor,
        "publication": publication,
    }


class Markup(HTMLParser):
    """The elements, script blocks and text of a page, as a browser's parser splits them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[dict] = []
        self.texts: list[str] = []
        self._script: dict | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script = {"attrs": attributes, "body": ""}
            self.scripts.append(self._script)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script["body"] += data
        else:
            self.texts.append(data)

    def attribute_values(self) -> list[str]:
        return [value for _tag, attributes in self.elements for value in attributes.values()]


def linked_data(markup: Markup) -> str:
    """The body of the page's JSON-LD block (the page loads scripts besides it)."""
    return next(
        script["body"]
        for script in markup.scripts
        if script["attrs"].get("type") == "application/ld+json"
    )


def strings_in(data) -> list[str]:
    """Every string anywhere in parsed JSON."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [text for value in data.values() for text in strings_in(value)]
    if isinstance(data, list):
        return [text for value in data for text in strings_in(value)]
    return []


def assert_markup_is_text(html: str, *, where: str) -> Markup:
    """The payload is nowhere markup: no element, attribute or script of its making."""
    lowered = html.lower()
    for marker in UNESCAPED_MARKERS:
        assert marker not in lowered, f"{where}: unescaped {marker!r}"
    markup = Markup(html)
    for tag, attributes in markup.elements:
        handlers = [name for name in attributes if name.startswith("on")]
        assert not handlers, f"{where}: <{tag}> has event handler attributes {handlers}"
        assert not (tag == "img" and attributes.get("src") == "x"), f"{where}: injected <img>"
    # Each block's own closing tag is the only "</script" there is: none came from the data.
    assert lowered.count("</script") == len(markup.scripts), f"{where}: a script block closed early"
    for script in markup.scripts:
        kind = script["attrs"].get("type", "")
        if kind in ("application/ld+json", "application/json"):
            data = json.loads(script["body"])  # fails if the block was cut short
            if kind == "application/ld+json":
                assert any(PAYLOAD in text for text in strings_in(data)), (
                    f"{where}: the JSON-LD block does not carry the typed text as data"
                )
        else:
            assert script["attrs"].get("src"), f"{where}: inline script {script['body'][:80]!r}"
            assert not script["body"].strip(), f"{where}: a script with a src has a body"
    return markup


def shown_as_text(markup: Markup) -> str:
    return "\n".join(markup.texts + markup.attribute_values())


def url(name: str, lang: str, *args, query: str = "") -> str:
    with translation.override(lang):
        return reverse(name, args=args) + (f"?{query}" if query else "")


QUOTED_PAYLOAD = quote(PAYLOAD)


def public_pages(objects, lang: str) -> list[str]:
    researcher, topic = objects["researcher"], objects["topic"]
    publication = objects["publication"]
    return [
        url("profiles:researcher_list", lang),
        url("profiles:researcher_list", lang, query=f"q={QUOTED_PAYLOAD}"),
        url("profiles:researcher_list", lang, query=f"topic={topic.slug}"),
        url("profiles:researcher_list", lang, query=f"topic={QUOTED_PAYLOAD}"),
        url("profiles:researcher_detail", lang, researcher.slug),
        url("profiles:researcher_detail", lang, researcher.slug, query=f"topic={QUOTED_PAYLOAD}"),
        url("publications:publication_list", lang),
        url(
            "publications:publication_list",
            lang,
            query=f"topic={topic.slug}&researcher={researcher.slug}&year_from=2000",
        ),
        url(
            "publications:publication_list",
            lang,
            query=f"q={QUOTED_PAYLOAD}&topic={QUOTED_PAYLOAD}&year_from={QUOTED_PAYLOAD}",
        ),
        url("publications:publication_detail", lang, publication.pk),
        url("profiles:topic_list", lang),
        url("profiles:topic_detail", lang, topic.slug_in(lang)),
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_show_typed_markup_as_text(client, hostile, lang):
    for address in public_pages(hostile, lang):
        response = client.get(address)

        assert response.status_code == 200, address
        markup = assert_markup_is_text(response.content.decode(), where=address)
        assert PAYLOAD in shown_as_text(markup), f"{address} does not show the typed text"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_profile_and_publication_metadata_carry_typed_markup_as_data(client, hostile, lang):
    researcher, publication = hostile["researcher"], hostile["publication"]

    profile = Markup(client.get(url("profiles:researcher_detail", lang, researcher.slug)).text)
    article = Markup(client.get(url("publications:publication_detail", lang, publication.pk)).text)

    person = json.loads(linked_data(profile))
    assert person["givenName"] == researcher.given_name
    assert person["jobTitle"] == getattr(researcher, f"position_{lang}")
    assert person["affiliation"]["name"] == researcher.organization
    assert researcher.website in person["sameAs"]
    scholarly = json.loads(linked_data(article))
    assert scholarly["name"] == publication.title
    assert scholarly["abstract"] == publication.abstract
    assert [a["name"] for a in scholarly["author"]] == [
        hostile["author"].display_name,
        hostile["coauthor"].display_name,
    ]
    meta = {
        attributes.get("name") or attributes.get("property"): attributes.get("content")
        for tag, attributes in article.elements
        if tag == "meta"
    }
    assert meta["citation_title"] == publication.title
    assert meta["citation_conference_title"] == publication.venue
    assert meta["citation_doi"] == publication.doi
    assert meta["og:title"] == publication.title


def html_fragment(text: str, *, where: str) -> Markup:
    """A feed's HTML content: only paragraphs and line breaks, the payload as their text."""
    fragment = Markup(text)
    tags = {tag for tag, _attributes in fragment.elements}
    assert tags <= {"p", "br"}, f"{where}: markup {tags} in HTML content"
    return fragment


FEEDS = [
    ("feed_rss", None),
    ("feed_atom", None),
    ("researcher_feed_rss", "researcher"),
    ("researcher_feed_atom", "researcher"),
    ("topic_feed_rss", "topic"),
    ("topic_feed_atom", "topic"),
]
ATOM = "{http://www.w3.org/2005/Atom}"
# What RSS readers show as HTML: the description. A title is plain text, escaped once for the
# XML: escaped twice, readers showed "Costs &amp; benefits".
RSS_HTML = {"description"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "subject"), FEEDS)
def test_feeds_carry_typed_markup_as_escaped_text(client, hostile, lang, name, subject):
    args = [hostile[subject].slug] if subject else []
    address = url(name, lang, *args)

    response = client.get(address)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<script" not in body.lower()
    root = ElementTree.fromstring(response.content)
    if name.endswith("rss"):
        items = root.findall("channel/item")
        html_parts = [element for item in items for element in item if element.tag in RSS_HTML]
        titles = [item.find("title").text for item in items]
        assert all(title.startswith(PAYLOAD) for title in titles), "RSS titles are plain text"
    else:
        items = root.findall(f"{ATOM}entry")
        assert not root.findall(".//*[@type='xhtml']")
        html_parts = root.findall(".//*[@type='html']")
        titles = [entry.find(f"{ATOM}title").text for entry in items]
        assert all(title.startswith(PAYLOAD) for title in titles), "Atom titles are plain text"
    assert len(items) == 1
    assert html_parts
    for element in html_parts:
        # Readers decode the XML, then show the result as HTML.
        fragment = html_fragment(element.text, where=f"{address} <{element.tag}>")
        assert PAYLOAD in " ".join(fragment.texts), f"{address} <{element.tag}>"


# Types that no browser renders as a page.
DOWNLOAD_TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


def exports(objects, lang: str) -> list[str]:
    researcher, publication = objects["researcher"], objects["publication"]
    addresses = []
    for fmt in DOWNLOAD_TYPES:
        addresses += [
            url("publications:publication_export", lang, publication.pk, fmt),
            url("profiles:researcher_export", lang, researcher.slug, fmt),
            url("publications:publication_list_export", lang, fmt, query="topic=hostile-topic"),
        ]
    return addresses


@pytest.mark.parametrize("lang", LANGUAGES)
def test_citation_downloads_are_never_read_as_html(client, hostile, lang):
    for address in exports(hostile, lang):
        response = client.get(address)

        assert response.status_code == 200, address
        fmt = address.rsplit(".", 1)[-1].split("?")[0]
        assert response["Content-Type"] == DOWNLOAD_TYPES[fmt]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert re.fullmatch(
            rf'attachment; filename="[a-z0-9-]+\.{fmt}"', response["Content-Disposition"]
        ), response["Content-Disposition"]
        if fmt == "json":
            items = json.loads(response.content)
            assert [item["title"] for item in items] == [hostile["publication"].title]


def test_sitemap_holds_addresses_only(client, hostile):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    ElementTree.fromstring(response.content)
    assert "<script" not in response.content.decode().lower()
    assert "hostile-researcher" in response.content.decode()


def admin_pages(objects) -> list[tuple[str, models.Model | None]]:
    pages = [
        (reverse("admin:publications_publication_import_bibtex"), None),
        (reverse("admin:publications_authorship_changelist"), None),
    ]
    for key in ("topic", "researcher", "author", "coauthor", "publication"):
        obj = objects[key]
        opts = obj._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        pages += [
            (reverse(f"{prefix}_change", args=[obj.pk]), obj),
            (reverse(f"{prefix}_delete", args=[obj.pk]), None),
            (reverse(f"{prefix}_history", args=[obj.pk]), None),
            (reverse(f"{prefix}_changelist"), None),
            (f"{reverse(f'{prefix}_changelist')}?q={QUOTED_PAYLOAD}", None),
        ]
    return pages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_pages_show_typed_markup_as_text(admin_client, hostile, lang):
    for address, edited in admin_pages(hostile):
        response = admin_client.get(address, headers={"Accept-Language": lang})

        assert response.status_code == 200, address
        markup = assert_markup_is_text(response.content.decode(), where=address)
        assert PAYLOAD in shown_as_text(markup), f"{address} does not show the typed text"
        if edited is not None:
            shown = shown_as_text(markup)
            for field in editor_text_fields(type(edited)):
                value = getattr(edited, field.name)
                assert value in shown, f"{address}: {field.name} is not in the change form"


def test_every_editor_text_field_holds_markup_unless_its_format_forbids_it():
    covered = {
        (model._meta.label, field.name): hostile_value(field)
        for model in EDITED_MODELS
        for field in editor_text_fields(model)
    }

    assert set(FORMAT_CHECKED_VALUES) <= set(covered), "a format-checked field no longer exists"
    hostile = {key for key, value in covered.items() if key not in FORMAT_CHECKED_VALUES}
    assert all(
        "<script>alert(2)</script>" in covered[key] and "'\">" in covered[key] for key in hostile
    )
    # Both languages of every translated field, and the fields read by visitors.
    for key in [
        ("profiles.ResearchTopic", "name_fr"),
        ("profiles.ResearchTopic", "name_en"),
        ("profiles.Researcher", "position_fr"),
        ("profiles.Researcher", "position_en"),
        ("profiles.Researcher", "bio_fr"),
        ("profiles.Researcher", "bio_en"),
        ("profiles.Researcher", "given_name"),
        ("profiles.Researcher", "organization"),
        ("profiles.Researcher", "website"),
        ("publications.Author", "display_name"),
        ("publications.Publication", "title"),
        ("publications.Publication", "abstract"),
        ("publications.Publication", "venue"),
        ("publications.Publication", "doi"),
        ("publications.Publication", "pdf_url"),
    ]:
        assert key in hostile, key


def test_format_checked_fields_really_refuse_markup():
    for (label, name), valid in FORMAT_CHECKED_VALUES.items():
        field = next(
            model._meta.get_field(name) for model in EDITED_MODELS if model._meta.label == label
        )

        assert clean(field, valid) == valid
        assert all(clean(field, value) is None for value in hostile_candidates(field))
