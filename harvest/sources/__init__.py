"""The public sources the harvest reads, by name: each adapter's class by dotted path, imported
only when a run asks for it, so that an adapter that cannot be imported is reported for that
source while the others run."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .base import Source

SOURCES: dict[str, str] = {
    "orcid": "harvest.sources.orcid.OrcidSource",
    "openalex": "harvest.sources.openalex.OpenAlexSource",
    "dblp": "harvest.sources.dblp.DblpSource",
    "crossref": "harvest.sources.crossref.CrossrefSource",
    "arxiv": "harvest.sources.arxiv.ArxivSource",
}
# Sources that complete the works the others found, each by one identifier: Crossref by DOI,
# arXiv by arXiv id.
COMPLETERS = {"crossref": "doi", "arxiv": "arxiv_id"}


class SourceUnavailableError(Exception):
    """A source's adapter cannot be imported or made; the message says which and why."""


def source_load(name: str) -> Source:
    """An adapter of the source ``name`` (one of ``SOURCES``), ready to read."""
    try:
        adapter_class = import_string(SOURCES[name])
        return adapter_class()
    except (ImportError, ImproperlyConfigured, TypeError) as error:
        raise SourceUnavailableError(
            _("The adapter of %(source)s cannot be loaded (%(path)s): %(error)s")
            % {"source": name, "path": SOURCES[name], "error": error}
        ) from error
