"""Template filters for research topics."""

from django import template

from profiles.models import sorted_topics

register = template.Library()


@register.filter
def alphabetical(topics):
    """Topics in the active language's alphabetical order, accents ignored."""
    return sorted_topics(topics)
