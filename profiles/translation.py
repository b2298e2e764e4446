"""Fields that have a French and an English version (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Researcher, ResearchTopic


@register(ResearchTopic)
class ResearchTopicTranslationOptions(TranslationOptions):
    # The slug too, so that an English address reads in English (/en/topics/continual-learning/).
    fields = ("name", "slug")
    required_languages = ("fr", "en")


@register(Researcher)
class ResearcherTranslationOptions(TranslationOptions):
    fields = ("position", "bio")
