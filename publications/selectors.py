"""Reads for the public publication pages."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from profiles.models import ResearchTopic

from .models import Publication


def publication_get_published(*, pk: int) -> Publication:
    """The published publication with its authors in order and its topics, or 404."""
    queryset = (
        Publication.objects.published()
        .with_authors()
        .prefetch_related(Prefetch("topics", queryset=ResearchTopic.objects.all()))
    )
    return get_object_or_404(queryset, pk=pk)
