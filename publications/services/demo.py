"""The demo that `make run` loads: one researcher, their topics and their publications."""

import json
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.utils.text import slugify
from django.utils.translation import gettext

from profiles.models import Researcher, ResearchTopic
from profiles.services import placeholder_portrait

from ..latex import latex_to_text
from ..models import Author, Authorship, Publication, PublicationVersion
from .authors import author_get_or_create
from .matching import WorkKeys, publications_of_work, same_version

DEMO_SEED_FILE = Path(__file__).resolve().parents[1] / "demo" / "seed.json"


@dataclass
class DemoLoadReport:
    """What a demo load added; rows that were already there are never counted nor changed."""

    researcher: Researcher | None = None
    researcher_created: bool = False
    topics: int = 0
    publications: list[Publication] = field(default_factory=list)
    versions: int = 0
    authors: int = 0
    publication_count: int = 0  # in the seed

    @property
    def changed(self) -> bool:
        return bool(
            self.researcher_created
            or self.topics
            or self.publications
            or self.versions
            or self.authors
        )


def demo_load(*, seed_file: Path = DEMO_SEED_FILE) -> DemoLoadReport:
    """Create what the demo holds and the database lacks, and nothing else.

    Topics and the researcher are matched by slug, authors by name key, publications by the
    one rule for "the same work" (services/matching.py) and their other versions by the rule
    for "the same version". A row that exists is left exactly as it is, so that running the
    demo again (`make run` does) never undoes an editor's change, while a demo entry deleted
    since is created again. What is created is one revision of the history, without a user,
    so that an editor's first change of a demo entry can be compared and undone.
    """
    seed = json.loads(seed_file.read_text(encoding="utf-8"))
    report = DemoLoadReport(publication_count=len(seed["publications"]))
    # One transaction: a row that cannot be created leaves the database as it was.
    with reversion.create_revision(atomic=True):
        reversion.set_comment(gettext("Demo loaded"))
        topics = {entry["slug"]: _topic_get_or_create(entry, report) for entry in seed["topics"]}
        report.researcher = _researcher_get_or_create(seed["researcher"], topics, report)
        for entry in seed["publications"]:
            _publication_get_or_create(entry, topics, report)
    return report


def _topic_get_or_create(entry: dict, report: DemoLoadReport) -> ResearchTopic:
    """The seed's topic, by its French slug (the seed's key for it); created with an English
    slug of its own, the seed's or one made from its English name."""
    topic = ResearchTopic.objects.filter(slug_fr=entry["slug"]).first()
    if topic is None:
        topic = ResearchTopic(
            slug_fr=entry["slug"],
            slug_en=entry.get("slug_en") or slugify(entry["name_en"]),
            name_fr=entry["name_fr"],
            name_en=entry["name_en"],
        )
        topic.full_clean()
        topic.save()
        reversion.add_to_revision(topic)
        report.topics += 1
    return topic


def _author_get_or_create(display_name: str, report: DemoLoadReport) -> Author:
    author, created = author_get_or_create(display_name=display_name)
    if created:
        reversion.add_to_revision(author)
        report.authors += 1
    return author


def _researcher_get_or_create(
    entry: dict, topics: dict[str, ResearchTopic], report: DemoLoadReport
) -> Researcher:
    researcher = Researcher.objects.filter(slug=entry["slug"]).first()
    if researcher is not None:
        return researcher
    fields = ["given_name", "family_name", "membership", "position_fr", "position_en"]
    researcher = Researcher(
        slug=entry["slug"],
        organization=entry["organization"],
        is_published=True,
        **{name: entry[name] for name in fields},
    )
    initials = entry["given_name"][0] + entry["family_name"][0]
    researcher.portrait.save(
        f"{entry['slug']}.png", placeholder_portrait(initials=initials), save=False
    )
    researcher.full_clean()
    researcher.save()
    researcher.topics.set([topics[slug] for slug in entry["topics"]])
    author = _author_get_or_create(entry["author_name"], report)
    if author.researcher_id is None:
        author.researcher = researcher
        author.save()
    reversion.add_to_revision(researcher)  # with its author record
    report.researcher_created = True
    return researcher


def _publication_get_or_create(
    entry: dict, topics: dict[str, ResearchTopic], report: DemoLoadReport
) -> Publication:
    # The work is there when a stored publication is a record of it, as an import would find
    # it: an editor may have cited another version (the preprint) instead, or imported the
    # work before the demo was loaded.
    keys = WorkKeys.typed(
        title=latex_to_text(entry["title"]),
        year=entry["year"],
        doi=entry["doi"],
        arxiv_id=entry["arxiv_id"],
    )
    stored = publications_of_work(keys)
    publication = stored[0] if stored else _publication_create(entry, topics, report)
    added = _versions_add_missing(publication, entry["versions"])
    report.versions += added
    if not stored or added:
        reversion.add_to_revision(publication)  # with its authorships and versions
    return publication


def _publication_create(
    entry: dict, topics: dict[str, ResearchTopic], report: DemoLoadReport
) -> Publication:
    publication = Publication(
        title=latex_to_text(entry["title"]),
        abstract=latex_to_text(entry["abstract"]),
        year=entry["year"],
        venue=latex_to_text(entry["venue"]),
        kind=entry["kind"],
        arxiv_id=entry["arxiv_id"],
        doi=entry["doi"],
        url=entry["url"],
        is_published=True,
    )
    publication.full_clean()
    publication.save()
    publication.topics.set([topics[slug] for slug in entry["topics"]])
    authors = [_author_get_or_create(name, report) for name in entry["authors"]]
    # A paper the seed marks as key is key for the demo's member, not for every member on it.
    Authorship.objects.bulk_create(
        Authorship(
            publication=publication,
            author=author,
            position=position,
            is_key=entry.get("key", False) and author.researcher_id is not None,
        )
        for position, author in enumerate(authors, start=1)
    )
    report.publications.append(publication)
    return publication


def _versions_add_missing(publication: Publication, versions: list[dict]) -> int:
    """Add the seed's versions that are neither the publication nor one of its versions, by
    the rule for "the same version" (a preprint the editor made the cited version is there)."""
    present: list[Publication | PublicationVersion] = [publication]
    present += publication.versions.all()
    added = 0
    for fields in versions:
        version = PublicationVersion(publication=publication, **fields)
        version.clean_fields()  # identifiers in their stored form (a DOI in lower case)
        if any(same_version(record, version) for record in present):
            continue
        version.full_clean()
        version.save()
        present.append(version)
        added += 1
    return added
