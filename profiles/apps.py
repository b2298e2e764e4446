from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Researchers")

    def ready(self) -> None:
        import reversion

        from core import caching

        from .models import Researcher, ResearchTopic
        from .portraits import portrait_files_watch

        caching.watch(Researcher, ResearchTopic, Researcher.topics.through)
        # Registered here, once modeltranslation has added the French and English fields, so
        # that versions hold both. A researcher's versions hold their author record too, so
        # that recovering a deleted researcher links their publications to them again.
        reversion.register(ResearchTopic)
        reversion.register(Researcher, follow=("author",))
        portrait_files_watch()
