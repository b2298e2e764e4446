"""What each publication entry shows, on a profile, the publication list and a topic page: the
whole author list with the profile's owner marked, the authors' marks, the links, and a "Cite"
disclosure with the citation, its BibTeX and the downloads."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from publications.bibtex import parse_bibtex
from publications.models import Authorship, Publication, PublicationLink, PublicationVersion
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearcherFactory,
    publication_with_authors,
    researcher_with_author,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/fr/publications/"


def entries(html: str) -> dict[str, str]:
    """Each entry's HTML by its title."""
    found = {}
    for article in re.findall(r'<article class="publication".*?</article>', html, re.S):
        title = re.search(r'<h[34] class="publication__title"[^>]*><a [^>]+>([^<]+)</a>', article)
        found[unescape(title.group(1))] = article
    return found


def visible(html: str) -> str:
    """Text a sighted reader sees: tags and visually hidden hints removed."""
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def words(html: str) -> str:
    """Text a screen reader reads: tags removed, hidden hints kept, aria-hidden marks left out."""
    html = re.sub(r'<span class="author-mark" aria-hidden="true">[^<]*</span>', "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def listed(html: str) -> list[str]:
    """The visible text of each list item of ``html`` (the commas between are the CSS's)."""
    return [visible(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", html, re.S)]


def author_section(entry: str) -> str:
    return entry.split('<div class="publication__authors">')[1].split("</div>")[0]


def cite_block(entry: str) -> str:
    return entry.split('<details class="cite-disclosure">')[1].split("</details>")[0]


def cite_text(entry: str) -> str:
    """The citation line as read (its title is a <cite> in the sentence)."""
    line = entry.split('<p class="cite__text">')[1].split("</p>")[0]
    return unescape(re.sub(r"<[^>]+>", "", line))


def bibtex_shown(entry: str) -> str:
    return unescape(re.search(r'<pre class="cite__bibtex"[^>]*>(.*?)</pre>', entry, re.S).group(1))


def profile_url(researcher, language: str = "fr") -> str:
    with translation.override(language):
        return reverse("profiles:researcher_detail", kwargs={"slug": researcher.slug})


@pytest.fixture
def ada():
    return researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada")


@pytest.fixture
def grace():
    return researcher_with_author(given_name="Grace", family_name="Hopper", slug="grace")


@pytest.fixture
def paper(ada, grace):
    """Ada third of four: a stranger, Grace (a member), Ada, another stranger."""
    return publication_with_authors(
        [
            AuthorFactory(display_name="Alan Turing"),
            grace.author,
            ada.author,
            AuthorFactory(display_name="Claude Shannon"),
        ],
        title="Engines of thought",
    )


# The owner in the author list --------------------------------------------------------------


def test_a_profile_lists_every_author_in_order_with_its_owner_in_bold(client, ada, paper):
    entry = entries(client.get(profile_url(ada)).content.decode())["Engines of thought"]
    authors = author_section(entry)

    assert listed(authors) == ["Alan Turing", "Grace Hopper", "Ada Lovelace", "Claude Shannon"]
    assert '<strong class="author-list__owner">Ada Lovelace</strong>' in authors
    assert 'href="/fr/chercheurs/ada/"' not in authors  # the page itself
    assert '<a href="/fr/chercheurs/grace/">Grace Hopper</a>' in authors
    assert "Alan Turing</li>" in authors  # not a member: no link
    assert "Ada Lovelace (ce profil)" in words(authors)
    assert "Auteurs :" in words(authors)


def test_the_owner_is_named_in_english_too(client, ada, paper):
    with translation.override("en"):
        html = client.get(profile_url(ada, "en")).content.decode()
        authors = author_section(entries(html)["Engines of thought"])

    assert "Ada Lovelace (this profile)" in words(authors)
    assert "Authors:" in words(authors)


def test_other_lists_link_every_member_and_mark_nobody(client, ada, paper):
    entry = entries(client.get(LIST_URL).content.decode())["Engines of thought"]
    authors = author_section(entry)

    assert '<a href="/fr/chercheurs/ada/">Ada Lovelace</a>' in authors
    assert "author-list__owner" not in authors
    assert "ce profil" not in authors


def test_the_profile_keeps_its_items_apart_from_the_lists(client, ada, grace, paper):
    """The item memo is kept for each owner: Grace's profile marks Grace, not Ada."""
    client.get(profile_url(ada))
    client.get(LIST_URL)

    entry = entries(client.get(profile_url(grace)).content.decode())["Engines of thought"]

    assert '<strong class="author-list__owner">Grace Hopper</strong>' in entry
    assert '<a href="/fr/chercheurs/ada/">Ada Lovelace</a>' in entry


def test_a_truncated_list_ends_with_et_al(client, ada):
    publication_with_authors([ada.author], title="Short list", authors_truncated=True)

    entry = entries(client.get(profile_url(ada)).content.decode())["Short list"]

    assert listed(author_section(entry)) == ["Ada Lovelace", "et al."]


def long_paper(owner, *, owner_position: int, count: int = 30, **fields) -> Publication:
    people = [AuthorFactory(display_name=f"Person {n:02d}") for n in range(1, count)]
    people.insert(owner_position - 1, owner.author)
    return publication_with_authors(people, title="Big collaboration", **fields)


def test_a_long_list_shows_the_first_authors_and_the_owner_and_opens_in_place(client, ada):
    long_paper(ada, owner_position=20)

    entry = entries(client.get(profile_url(ada)).content.decode())["Big collaboration"]
    authors = author_section(entry)
    first, more = authors.split('<details class="more-authors">')
    summary = more.split("</summary>")[0]

    assert listed(first) == ["Person 01", "Person 02", "Person 03", "Person 04", "Person 05"]
    assert "Ada Lovelace" in visible(summary)
    assert "et 24 autres" in visible(summary)
    # Opened, the others in their order, the owner among them.
    assert listed(more.split("</summary>")[1]) == [
        *(f"Person {n:02d}" for n in range(6, 20)),
        "Ada Lovelace",
        *(f"Person {n:02d}" for n in range(20, 30)),
    ]


def test_a_long_list_with_the_owner_among_the_first_needs_no_reminder(client, ada):
    long_paper(ada, owner_position=2, authors_truncated=True)

    with translation.override("en"):
        html = client.get(profile_url(ada, "en")).content.decode()
    authors = author_section(entries(html)["Big collaboration"])
    first, more = authors.split('<details class="more-authors">')

    assert listed(first) == ["Person 01", "Ada Lovelace", "Person 02", "Person 03", "Person 04"]
    assert "more-authors__owner" not in more
    assert "and 25 others" in visible(more.split("</summary>")[0])
    assert listed(more)[-2:] == ["Person 29", "et al."]


def test_a_list_of_ten_is_shown_whole(client, ada):
    long_paper(ada, owner_position=10, count=10)

    entry = entries(client.get(profile_url(ada)).content.decode())["Big collaboration"]

    assert "more-authors" not in entry
    assert listed(author_section(entry))[-2:] == ["Person 09", "Ada Lovelace"]


def test_editors_are_listed_as_before(client, ada):
    book = PublicationFactory(title="Collected notes", kind=Publication.Kind.BOOK)
    Authorship.objects.create(publication=book, author=ada.author, position=1, role="editor")
    editor = AuthorFactory(display_name="Mary Somerville")
    Authorship.objects.create(publication=book, author=editor, position=2, role="editor")

    entry = entries(client.get(LIST_URL).content.decode())["Collected notes"]

    editors = entry.split("Éditeurs scientifiques :")[1].split("</div>")[0]
    assert listed(editors) == ["Ada Lovelace (éd.)", "Mary Somerville (éd.)"]
    assert "<strong" not in editors  # no profile here


# Authorship marks --------------------------------------------------------------------------


def mark(publication: Publication, name: str, **marks) -> None:
    Authorship.objects.filter(publication=publication, author__display_name=name).update(**marks)


def test_equal_contributors_and_the_corresponding_author_are_marked_with_a_legend(
    client, ada, paper
):
    mark(paper, "Alan Turing", equal_contribution=True)
    mark(paper, "Grace Hopper", equal_contribution=True, corresponding=True)
    publication_with_authors([ada.author], title="Unmarked")

    html = client.get(profile_url(ada)).content.decode()
    marked, unmarked = entries(html)["Engines of thought"], entries(html)["Unmarked"]
    authors = author_section(marked)

    assert listed(authors) == [
        "Alan Turing *",
        "Grace Hopper * ✉",
        "Ada Lovelace",
        "Claude Shannon",
    ]
    assert visible(authors).endswith("* Contribution égale ✉ Auteur correspondant")
    assert "Alan Turing (contribution égale)" in words(authors)
    assert "Grace Hopper (contribution égale) (auteur correspondant)" in words(authors)
    assert "author-marks" not in unmarked
    assert "*" not in visible(author_section(unmarked))


def test_the_legend_is_translated_and_names_only_the_marks_used(client, ada, paper):
    mark(paper, "Claude Shannon", corresponding=True)

    with translation.override("en"):
        html = client.get(profile_url(ada, "en")).content.decode()
    authors = author_section(entries(html)["Engines of thought"])

    assert listed(authors)[-1] == "Claude Shannon ✉"
    assert visible(authors).endswith("✉ Corresponding author")
    assert "Equal contribution" not in authors


def test_a_mark_after_the_cut_is_explained_too(client, ada):
    publication = long_paper(ada, owner_position=1)
    mark(publication, "Person 25", equal_contribution=True)

    entry = entries(client.get(profile_url(ada)).content.decode())["Big collaboration"]

    assert "* Contribution égale" in visible(author_section(entry))


# Links -------------------------------------------------------------------------------------


@pytest.fixture
def linked(ada):
    publication = publication_with_authors(
        [ada.author],
        title="Linked work",
        arxiv_id="2406.08423",
        pdf_url="https://example.org/paper.pdf",
        doi="10.1234/linked",
        code_url="https://github.com/example/linked",
        url="https://example.org/linked",
    )
    for kind in ("data", "project", "poster", "video", "slides"):
        PublicationLink.objects.create(
            publication=publication, kind=kind, url=f"https://example.org/{kind}"
        )
    return publication


def links_of(entry: str) -> list[tuple[str, str]]:
    block = entry.split('<div class="publication__links">')[1].split("</div>")[0]
    return [
        (unescape(text), url) for url, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)
    ]


def test_an_entry_links_to_every_form_of_the_work_in_french(client, linked):
    entry = entries(client.get(LIST_URL).content.decode())["Linked work"]

    assert links_of(entry) == [
        ("arXiv", "https://arxiv.org/abs/2406.08423"),
        ("PDF", "https://example.org/paper.pdf"),
        ("DOI", "https://doi.org/10.1234/linked"),
        ("Code", "https://github.com/example/linked"),
        ("Page web", "https://example.org/linked"),
        ("Diapositives", "https://example.org/slides"),
        ("Vidéo", "https://example.org/video"),
        ("Poster", "https://example.org/poster"),
        ("Page du projet", "https://example.org/project"),
        ("Données", "https://example.org/data"),
    ]
    assert "Liens :" in words(entry)


def test_an_entry_links_in_english_and_leaves_out_what_is_missing(client, ada, linked):
    publication_with_authors([ada.author], title="Bare work")
    with translation.override("en"):
        html = client.get(profile_url(ada, "en")).content.decode()
    found = entries(html)

    assert [text for text, _url in links_of(found["Linked work"])] == [
        "arXiv",
        "PDF",
        "DOI",
        "Code",
        "Web page",
        "Slides",
        "Video",
        "Poster",
        "Project page",
        "Data",
    ]
    assert "publication__links" not in found["Bare work"]


def test_a_web_page_that_is_the_arxiv_page_is_not_linked_twice(client, ada):
    publication_with_authors(
        [ada.author],
        title="Preprint",
        arxiv_id="2101.00042",
        url="https://arxiv.org/abs/2101.00042",
    )

    entry = entries(client.get(LIST_URL).content.decode())["Preprint"]

    assert links_of(entry) == [("arXiv", "https://arxiv.org/abs/2101.00042")]


def test_the_topic_page_shows_the_same_entries(client, ada, linked):
    from profiles.models import ResearchTopic

    topic = ResearchTopic.objects.create(name_fr="Moteurs", name_en="Engines", slug="moteurs")
    linked.topics.add(topic)

    html = client.get(topic.get_absolute_url()).content.decode()
    entry = entries(html)["Linked work"]

    assert ("Diapositives", "https://example.org/slides") in links_of(entry)
    assert '<details class="cite-disclosure">' in entry


# Cite --------------------------------------------------------------------------------------


def test_cite_holds_the_citation_the_bibtex_and_the_downloads(client, ada, grace, paper):
    paper.venue, paper.volume, paper.pages = "Journal of Engines", "3", "12–34"
    paper.doi = "10.1234/x"
    paper.save()
    mark(paper, "Grace Hopper", equal_contribution=True, corresponding=True)

    entry = entries(client.get(profile_url(ada)).content.decode())["Engines of thought"]
    cite = cite_block(entry)

    assert re.search(r'<summary aria-describedby="publication-\d+">Citer</summary>', cite)
    assert cite_text(cite) == (
        "Alan Turing, Grace Hopper, Ada Lovelace, Claude Shannon. Engines of thought. "
        "2024 · Journal of Engines, vol. 3, p. 12–34. https://doi.org/10.1234/x"
    )
    assert '<cite lang="en">Engines of thought</cite>' in cite
    bibtex = bibtex_shown(cite)
    assert bibtex.startswith("@inproceedings{turing2024engines,\n")
    assert (
        "  author = {Turing, Alan and Hopper, Grace and Lovelace, Ada and Shannon, Claude},\n"
        in (bibtex)
    )
    assert "  author+an = {2=equal,corresponding},\n" in bibtex
    assert "abstract" not in bibtex  # shown on the page already
    for fmt in ("bib", "ris", "json"):
        assert f'href="/fr/publications/{paper.pk}/cite.{fmt}" download' in cite
    assert "Télécharger :" in visible(cite)


def test_the_bibtex_shown_is_the_downloads_entry_without_abstract_or_versions(client, ada, paper):
    """The same writer as the download: its first entry, less the abstract (on the page) and
    the versions' entries, which only biblatex reads."""
    PublicationVersion.objects.create(
        publication=paper,
        kind="preprint",
        year=2023,
        arxiv_id="2301.00001",
        venue="arXiv",
        title="Engines, a preprint",
    )
    paper.authors_truncated = True
    paper.save()
    mark(paper, "Ada Lovelace", equal_contribution=True)

    shown = bibtex_shown(entries(client.get(LIST_URL).content.decode())["Engines of thought"])
    download = client.get(f"/fr/publications/{paper.pk}/cite.bib").content.decode()
    first_entry = download.split("\n\n")[0].splitlines()

    kept = [line for line in first_entry if not line.startswith(("  abstract", "  related"))]
    # Field by field: the last field of either has no comma after it.
    assert [line.rstrip(",") for line in shown.splitlines()] == [line.rstrip(",") for line in kept]
    assert "Engines, a preprint" not in shown
    (parsed,) = parse_bibtex(shown).entries
    assert [a.display_name for a in parsed.authors] == [
        "Alan Turing",
        "Grace Hopper",
        "Ada Lovelace",
        "Claude Shannon",
    ]
    assert parsed.authors_truncated
    assert parsed.author_marks == {3: frozenset({"equal"})}


def test_an_edited_book_is_cited_by_its_editors(client, db):
    book = PublicationFactory(title="Handbook?", kind=Publication.Kind.BOOK, venue="", year=2020)
    for position, name in enumerate(["Jane Doe", "John Roe"], start=1):
        Authorship.objects.create(
            publication=book,
            author=AuthorFactory(display_name=name),
            position=position,
            role="editor",
        )

    entry = entries(client.get(LIST_URL).content.decode())["Handbook?"]

    assert cite_text(entry) == "Jane Doe, John Roe (éd.). Handbook? 2020."


def test_the_cite_text_is_escaped(client, db):
    publication_with_authors(
        [AuthorFactory(display_name="<b>Bold</b> & Co")], title="Costs <i>&</i> {benefits}"
    )

    html = client.get(LIST_URL).content.decode()

    assert "<b>Bold</b>" not in html
    assert "<i>&</i>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html


def test_entries_carry_no_copy_button_and_load_the_script_deferred(client, ada, paper):
    """Without JavaScript the BibTeX is plain text to select: the button is the script's."""
    html = client.get(profile_url(ada)).content.decode()

    assert "<button" not in cite_block(entries(html)["Engines of thought"])
    assert re.search(r'<script src="/static/js/cite\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", html)


# Cost --------------------------------------------------------------------------------------


def rich_publications(researcher, count: int) -> None:
    """``count`` publications with everything an entry shows: a member coauthor, marks, a
    version, identifiers and further links."""
    coauthor = ResearcherFactory(slug=f"co-{count}")
    coauthor_author = AuthorFactory(display_name=coauthor.full_name, researcher=coauthor)
    for number in range(count):
        publication = publication_with_authors(
            [AuthorFactory(), researcher.author, coauthor_author],
            title=f"Paper {number}",
            doi=f"10.1234/{count}.{number}",
            pdf_url="https://example.org/p.pdf",
        )
        Authorship.objects.filter(publication=publication, position=1).update(
            equal_contribution=True, corresponding=True
        )
        PublicationVersion.objects.create(publication=publication, kind="preprint", year=2023)
        PublicationLink.objects.create(
            publication=publication, kind="slides", url="https://example.org/s"
        )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<details class="cite-disclosure">') >= 5
    return len(captured)


def test_a_profile_costs_the_same_queries_for_5_or_300_publications(client):
    few, many = researcher_with_author(slug="few"), researcher_with_author(slug="many")
    rich_publications(few, 5)
    rich_publications(many, 300)

    assert queries(client, profile_url(few)) == queries(client, profile_url(many))


def test_the_list_costs_the_same_queries_for_5_or_300_publications(client):
    researcher = researcher_with_author(slug="solo")
    rich_publications(researcher, 5)
    few = queries(client, LIST_URL)
    for cache_name in ("default",):
        from django.core.cache import caches

        caches[cache_name].clear()
    rich_publications(researcher_with_author(slug="other"), 295)

    assert queries(client, LIST_URL) == few


def test_the_entries_of_a_page_cost_four_queries(django_assert_num_queries, ada):
    """Authors with retractions, versions, links, topics: the citation and the BibTeX of
    every entry are made from those rows, with no query of their own."""
    from publications.items import publication_items

    rich_publications(ada, 20)
    rows = list(Publication.objects.order_by("pk"))

    with django_assert_num_queries(4):
        items = publication_items(rows, owner_id=ada.pk)

    assert len(items) == 20
    assert all("author+an = {1=equal,corresponding}" in item.citation.bibtex for item in items)


def test_entries_without_versions_or_further_links_cost_two_queries(django_assert_num_queries, ada):
    """Most publications have neither: their queries are left out, and the one publication
    that has each shows its own, and only it."""
    from publications.items import publication_items

    for number in range(10):
        publication_with_authors([ada.author], title=f"Plain {number}")
    rows = list(Publication.objects.order_by("pk"))

    with django_assert_num_queries(2):
        plain = publication_items(rows, owner_id=ada.pk)

    assert [(item.versions, item.links) for item in plain] == [([], [])] * 10

    PublicationVersion.objects.create(publication=rows[3], kind="preprint", year=2023)
    PublicationLink.objects.create(publication=rows[6], kind="video", url="https://example.org/v")
    with django_assert_num_queries(4), translation.override("en"):
        items = {item.title: item for item in publication_items(rows, owner_id=ada.pk)}

    assert items["Plain 3"].versions == ["Preprint, 2023"]
    assert [link.url for link in items["Plain 6"].links] == ["https://example.org/v"]
    assert all(not item.versions for title, item in items.items() if title != "Plain 3")
    assert all(not item.links for title, item in items.items() if title != "Plain 6")


# The publication's own page ----------------------------------------------------------------


def test_the_publication_page_lists_the_further_links_after_the_identifiers(client, linked):
    html = client.get(linked.get_absolute_url()).content.decode()
    section = html.split('id="links-heading"')[1].split("</section>")[0]
    links = [
        (unescape(text), url) for url, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', section)
    ]

    assert links == [
        ("arXiv:2406.08423", "https://arxiv.org/abs/2406.08423"),
        ("DOI 10.1234/linked", "https://doi.org/10.1234/linked"),
        ("Page web", "https://example.org/linked"),
        ("PDF", "https://example.org/paper.pdf"),
        ("Code", "https://github.com/example/linked"),
        ("Diapositives", "https://example.org/slides"),
        ("Vidéo", "https://example.org/video"),
        ("Poster", "https://example.org/poster"),
        ("Page du projet", "https://example.org/project"),
        ("Données", "https://example.org/data"),
    ]


def test_a_publication_with_only_further_links_has_a_links_section(client, ada):
    publication = publication_with_authors([ada.author], title="Talk")
    PublicationLink.objects.create(publication=publication, kind="video", url="https://v.org/t")

    with translation.override("en"):
        html = client.get(publication.get_absolute_url()).content.decode()

    assert '<li><a href="https://v.org/t">Video</a></li>' in html


def test_the_publication_page_cites_it_with_its_bibtex_and_downloads(client, ada, paper):
    mark(paper, "Alan Turing", equal_contribution=True)
    mark(paper, "Grace Hopper", equal_contribution=True, corresponding=True)

    html = client.get(paper.get_absolute_url()).content.decode()
    cite = html.split('id="cite-heading"')[1].split("</section>")[0]
    authors = html.split('aria-labelledby="authors-heading"')[1].split("</section>")[0]

    assert cite_text(cite) == (
        "Alan Turing, Grace Hopper, Ada Lovelace, Claude Shannon. Engines of thought. NeurIPS 2024."
    )
    assert "author+an = {1=equal; 2=equal,corresponding}" in bibtex_shown(cite)
    for fmt in ("bib", "ris", "json"):
        assert f'href="/fr/publications/{paper.pk}/cite.{fmt}" download' in cite
    assert listed(authors) == [
        "Alan Turing *",
        "Grace Hopper * ✉",
        "Ada Lovelace",
        "Claude Shannon",
    ]
    assert '<a href="/fr/chercheurs/ada/">Ada Lovelace</a>' in authors
    assert visible(authors).endswith("* Contribution égale ✉ Auteur correspondant")


def test_the_publication_page_names_its_editors_as_before(client, ada):
    book = PublicationFactory(title="Collected notes", kind=Publication.Kind.BOOK)
    Authorship.objects.create(publication=book, author=ada.author, position=1, role="editor")

    html = client.get(book.get_absolute_url()).content.decode()
    editors = html.split('id="editors-heading"')[1].split("</section>")[0]

    assert listed(editors) == ["Ada Lovelace (éd.)"]
    assert "author-marks" not in editors
