"""Template filters for showing publication text."""

from django import template

from publications.items import abstract_excerpt, citation_details, venue_and_year
from publications.services.versions import describe

register = template.Library()

register.filter("abstract_excerpt", abstract_excerpt)
register.filter("venue_and_year", venue_and_year)
register.filter("citation_details", citation_details)


@register.filter
def version_label(version) -> str:
    """One line for another version of a work: "arXiv preprint, 2023"."""
    return describe(version)
