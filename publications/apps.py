from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Publications")

    def ready(self) -> None:
        import reversion

        from core import caching

        from .models import (
            Author,
            Authorship,
            FieldSource,
            Publication,
            PublicationCitationYear,
            PublicationLink,
            PublicationNotice,
            PublicationVersion,
        )

        # The publication page shows its citations per year, its notices (a retraction), and
        # where its citation count came from; list items show a retraction.
        caching.watch(
            Author,
            Publication,
            Authorship,
            PublicationVersion,
            Publication.topics.through,
            PublicationCitationYear,
            PublicationNotice,
            PublicationLink,
            FieldSource,
        )
        # A publication's history holds its author list, its other versions, its links, and
        # what the harvest brought (citations per year, notices, where each field came from):
        # a revert or a recovery (of a merged duplicate, say) restores them.
        for model in (
            Author,
            Authorship,
            PublicationVersion,
            PublicationLink,
            PublicationCitationYear,
            PublicationNotice,
            FieldSource,
        ):
            reversion.register(model)
        reversion.register(
            Publication,
            follow=(
                "authorships",
                "versions",
                "links",
                "citation_years",
                "notices",
                "field_sources",
            ),
        )
