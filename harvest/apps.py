from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarvestConfig(AppConfig):
    """Publications found in public sources (ORCID, OpenAlex, Crossref, arXiv, DBLP), staged as
    candidates that an editor reviews before anything is published."""

    name = "harvest"
    verbose_name = _("Harvest")
    default_auto_field = "django.db.models.BigAutoField"
