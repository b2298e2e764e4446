"""Portrait files on disk: kept while a researcher or any stored version of one refers to them.

Reverting a researcher to an older version, or recovering a deleted one, must find the portrait
that version names; so a file is removed only once neither a row nor a version refers to it
(the rule of :mod:`editorial.files`, for every uploaded file).
Replacing or clearing a portrait, or deleting a researcher, checks the file it left when the
transaction commits (the new version is stored by then). What these checks cannot see (rows
updated in bulk, versions deleted with ``deleterevisions``, uploads of a form save that failed)
is found by ``manage.py unusedportraits`` and left out of backups.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save

from editorial.files import file_is_referenced

from .models import Researcher

logger = logging.getLogger(__name__)

# Where the portrait loaded from the database is kept on the instance.
_LOADED = "_portrait_loaded"


def portrait_storage():
    return Researcher._meta.get_field("portrait").storage


def portrait_file_discard(name: str) -> bool:
    """Delete the portrait file ``name`` if nothing refers to it any more; whether it did."""
    if not name or file_is_referenced(name):
        return False
    portrait_storage().delete(name)
    logger.info("Portrait file no longer used, deleted: %s", name)
    return True


def _remember_loaded(sender, instance: Researcher, **kwargs) -> None:
    # A deferred portrait is unknown: such an instance never discards a file.
    value = instance.__dict__.get("portrait")
    setattr(instance, _LOADED, getattr(value, "name", value))


def _discard_replaced(sender, instance: Researcher, raw: bool, using: str, **kwargs) -> None:
    # Raw saves (loaddata, reverting a version) write rows as stored; they leave files alone.
    previous = getattr(instance, _LOADED, None)
    current = instance.portrait.name
    setattr(instance, _LOADED, current)
    if raw or not previous or previous == current:
        return
    transaction.on_commit(lambda: portrait_file_discard(previous), using=using)


def _discard_deleted(sender, instance: Researcher, using: str, **kwargs) -> None:
    name = instance.portrait.name
    if name:
        transaction.on_commit(lambda: portrait_file_discard(name), using=using)


def portrait_files_watch() -> None:
    """Discard a researcher's portrait file once nothing refers to it; called once, at start."""
    post_init.connect(_remember_loaded, sender=Researcher, dispatch_uid="portrait_loaded")
    post_save.connect(_discard_replaced, sender=Researcher, dispatch_uid="portrait_replaced")
    post_delete.connect(_discard_deleted, sender=Researcher, dispatch_uid="portrait_deleted")
