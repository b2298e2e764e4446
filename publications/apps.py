from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Publications")

    def ready(self) -> None:
        import reversion

        from core import caching

        from .models import Author, Authorship, Publication, PublicationVersion

        caching.watch(
            Author, Publication, Authorship, PublicationVersion, Publication.topics.through
        )
        # A publication's history holds its author list and its other versions: a revert or a
        # recovery restores them.
        reversion.register(Author)
        reversion.register(Authorship)
        reversion.register(PublicationVersion)
        reversion.register(Publication, follow=("authorships", "versions"))
