"""Writes on publications and authors that are more than a form save, one module each."""

from .authors import author_get_or_create
from .bibtex_import import publication_import_bibtex
from .import_report import ImportReport, ImportStatus
from .merge import MergeReport, publication_merge
from .versions import version_make_cited, version_split

__all__ = [
    "ImportReport",
    "ImportStatus",
    "MergeReport",
    "author_get_or_create",
    "publication_import_bibtex",
    "publication_merge",
    "version_make_cited",
    "version_split",
]
