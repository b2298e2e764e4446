from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Researchers")

    def ready(self) -> None:
        import reversion

        from core import caching
        from core.context_processors import translated_address_values

        from .models import Researcher, ResearchTopic, Supervision
        from .portraits import portrait_files_watch
        from .selectors import topic_slugs_by_language

        caching.watch(Researcher, ResearchTopic, Researcher.topics.through, Supervision)
        # Registered here, once modeltranslation has added the French and English fields, so
        # that versions hold both. A researcher's versions hold their author record too, so
        # that recovering a deleted researcher links their publications to them again, and
        # their supervisions, both ways, edited on the researcher's form.
        reversion.register(ResearchTopic)
        reversion.register(Supervision)
        reversion.register(Researcher, follow=("author", "supervisions", "supervised_by"))
        portrait_files_watch()
        # A topic's slug is its own in each language: in its page's address and in filters.
        translated_address_values(
            topic_slugs_by_language, path=[("profiles:topic_detail", "slug")], query=["topic"]
        )
