"""Whom the harvest looks for: a researcher's profile as the identifiers the sources read."""

from profiles.models import Researcher

from .sources.base import Person


def person_of(researcher: Researcher) -> Person:
    """The identifiers ``researcher``'s profile holds (empty where it has none), and their name
    for the run's messages."""
    return Person(
        orcid=researcher.orcid,
        openalex_id=researcher.openalex_id,
        dblp_pid=researcher.dblp_pid,
        semantic_scholar_id=researcher.semantic_scholar_id,
        name=researcher.full_name,
    )
