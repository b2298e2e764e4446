from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    """The editors' safety net: history, concurrent edits, recent activity, backups."""

    name = "editorial"
    verbose_name = _("Editorial")
