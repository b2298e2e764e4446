"""Reads for the public researcher pages, each a fixed number of queries."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from publications.models import Publication

from .models import Researcher, ResearchTopic


def researcher_get_published(*, slug: str) -> Researcher:
    """The published researcher with this slug and their topics, or 404."""
    queryset = Researcher.objects.published().prefetch_related("topics")
    return get_object_or_404(queryset, slug=slug)


def researcher_publications(*, researcher: Researcher) -> QuerySet[Publication]:
    """The researcher's published publications, newest first, with their authors in order."""
    return Publication.objects.published().for_researcher(researcher).with_authors().newest_first()


def researcher_directory() -> QuerySet[Researcher]:
    """Published researchers by family name."""
    return Researcher.objects.published().order_by("family_name", "given_name", "pk")


def topic_get(*, slug: str) -> ResearchTopic:
    """The topic with this slug and its published researchers, or 404."""
    queryset = ResearchTopic.objects.prefetch_related(
        Prefetch(
            "researchers",
            queryset=Researcher.objects.published().order_by("family_name", "given_name"),
            to_attr="published_researchers",
        )
    )
    return get_object_or_404(queryset, slug=slug)


def topic_publications(*, topic: ResearchTopic) -> QuerySet[Publication]:
    """The topic's published publications, newest first, with their authors in order."""
    return Publication.objects.published().filter(topics=topic).with_authors().newest_first()
