"""{% memo %}: a fragment kept for the current state of the data, in each language."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from profiles.models import ResearchTopic

pytestmark = pytest.mark.django_db

TEMPLATE = Template(
    "{% load i18n memo %}{% memo topic_names %}{% for topic in topics %}{{ topic.name }} "
    "{% endfor %}{% translate 'Research topics' %}{% endmemo %}"
)


def render() -> str:
    return TEMPLATE.render(Context({"topics": ResearchTopic.objects.order_by("slug")}))


def test_a_fragment_is_kept_until_the_data_changes_and_per_language():
    topic = ResearchTopic.objects.create(name_fr="Robotique", name_en="Robotics", slug="robotique")
    with translation.override("fr"):
        assert render() == "Robotique Sujets de recherche"
    ResearchTopic.objects.filter(pk=topic.pk).update(name_fr="Autre")  # no signal: still kept
    with translation.override("fr"):
        assert render() == "Robotique Sujets de recherche"
    with translation.override("en"):
        assert render() == "Robotics Research topics"

    topic.name_fr = "Robotique mobile"
    topic.save()  # a change of the data: the fragment is rendered anew

    with translation.override("fr"):
        assert render() == "Robotique mobile Sujets de recherche"


def test_a_fragment_needs_a_name():
    with pytest.raises(TemplateSyntaxError, match="needs a fragment name"):
        Template("{% load memo %}{% memo %}x{% endmemo %}")
