"""Writes on researchers and topics that are more than a form save."""

import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from publications.latex import latex_to_text
from publications.models import Authorship, Publication, PublicationVersion
from publications.services import author_get_or_create

from .models import Researcher, ResearchTopic

DEMO_SEED_FILE = Path(__file__).resolve().parent / "demo" / "seed.json"
PORTRAIT_SIZE = 480
PORTRAIT_BACKGROUND = (31, 78, 121)


@dataclass(frozen=True)
class DemoLoadReport:
    researcher: Researcher
    topic_count: int
    publication_count: int


def placeholder_portrait(*, initials: str) -> ContentFile:
    """A generated square PNG with a person's initials: the demo fetches no real photograph."""
    image = Image.new("RGB", (PORTRAIT_SIZE, PORTRAIT_SIZE), PORTRAIT_BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=PORTRAIT_SIZE // 3)
    middle = PORTRAIT_SIZE // 2
    draw.text((middle, middle), initials, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())


@transaction.atomic
def demo_load(*, seed_file: Path = DEMO_SEED_FILE) -> DemoLoadReport:
    """Create or bring up to date the demo profile; running it again changes nothing."""
    seed = json.loads(seed_file.read_text(encoding="utf-8"))
    topics = {entry["slug"]: _topic_update_or_create(**entry) for entry in seed["topics"]}
    researcher = _researcher_update_or_create(seed["researcher"], topics)
    for entry in seed["publications"]:
        _publication_update_or_create(entry, topics)
    return DemoLoadReport(
        researcher=researcher,
        topic_count=len(topics),
        publication_count=len(seed["publications"]),
    )


def _topic_update_or_create(*, slug: str, name_fr: str, name_en: str) -> ResearchTopic:
    topic, _ = ResearchTopic.objects.update_or_create(
        slug=slug, defaults={"name_fr": name_fr, "name_en": name_en}
    )
    return topic


def _researcher_update_or_create(entry: dict, topics: dict[str, ResearchTopic]) -> Researcher:
    researcher = Researcher.objects.filter(slug=entry["slug"]).first() or Researcher(
        slug=entry["slug"]
    )
    for field in [
        "given_name",
        "family_name",
        "membership",
        "position_fr",
        "position_en",
        "organization",
    ]:
        setattr(researcher, field, entry[field])
    researcher.is_published = True
    if not researcher.portrait or not researcher.portrait.storage.exists(researcher.portrait.name):
        initials = entry["given_name"][0] + entry["family_name"][0]
        researcher.portrait.save(
            f"{entry['slug']}.png", placeholder_portrait(initials=initials), save=False
        )
    researcher.full_clean()
    researcher.save()
    researcher.topics.set([topics[slug] for slug in entry["topics"]])

    author, _ = author_get_or_create(display_name=entry["author_name"])
    if author.researcher_id != researcher.pk:
        author.researcher = researcher
        author.save()
    return researcher


def _publication_update_or_create(entry: dict, topics: dict[str, ResearchTopic]) -> Publication:
    publication = Publication.objects.filter(arxiv_id=entry["arxiv_id"]).first() or Publication()
    publication.title = latex_to_text(entry["title"])
    publication.abstract = latex_to_text(entry["abstract"])
    publication.year = entry["year"]
    publication.venue = latex_to_text(entry["venue"])
    publication.kind = entry["kind"]
    publication.arxiv_id = entry["arxiv_id"]
    publication.doi = entry["doi"]
    publication.url = entry["url"]
    publication.is_published = True
    publication.full_clean()
    publication.save()
    publication.topics.set([topics[slug] for slug in entry["topics"]])
    for fields in entry["versions"]:
        if not publication.versions.filter(
            kind=fields["kind"], arxiv_id=fields["arxiv_id"]
        ).exists():
            version = PublicationVersion(publication=publication, **fields)
            version.full_clean()
            version.save()

    authors = [author_get_or_create(display_name=name)[0] for name in entry["authors"]]
    current = list(publication.authorships.order_by("position").values_list("author_id", flat=True))
    if current != [author.pk for author in authors]:
        publication.authorships.all().delete()
        Authorship.objects.bulk_create(
            Authorship(publication=publication, author=author, position=position)
            for position, author in enumerate(authors, start=1)
        )
    return publication
