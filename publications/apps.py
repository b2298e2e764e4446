from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Publications")

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import ExportFormatConverter

        register_converter(ExportFormatConverter, "export_format")

        import reversion

        from config import page_cache

        from .models import Author, Authorship, Publication

        page_cache.watch(Author, Publication, Authorship, Publication.topics.through)
        # A publication's versions hold its author list: a revert or a recovery restores it.
        reversion.register(Author)
        reversion.register(Authorship)
        reversion.register(Publication, follow=("authorships",))
