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
            FieldSource,
        )
        # A publication's history holds its author list and its other versions: a revert or a
        # recovery restores them.
        reversion.register(Author)
        reversion.register(Authorship)
        reversion.register(PublicationVersion)
        reversion.register(Publication, follow=("authorships", "versions"))
