from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Publications")

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import ExportFormatConverter

        register_converter(ExportFormatConverter, "export_format")
