from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Researchers")

    def ready(self) -> None:
        from config import page_cache

        from .models import Researcher, ResearchTopic

        page_cache.watch(Researcher, ResearchTopic, Researcher.topics.through)
