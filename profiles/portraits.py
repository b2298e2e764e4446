"""Portrait files on disk: kept while a researcher or any stored version of one refers to them.

Reverting a researcher to an older version, or recovering a deleted one, must find the portrait
that version names; so a file is removed only once neither a row nor a version refers to it.
Replacing or clearing a portrait, or deleting a researcher, checks the file it left when the
transaction commits (the new version is stored by then). What these checks cannot see (rows
updated in bulk, versions deleted with ``deleterevisions``, uploads of a form save that failed)
is found by ``manage.py unusedportraits`` and left out of backups.
"""

import json
import logging
from datetime import datetime, timedelta, timezone

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from reversion.models import Version

from .images import PORTRAIT_FOLDER
from .models import Researcher

logger = logging.getLogger(__name__)

# A file younger than this may belong to a save still in progress: never called unused.
UNUSED_MIN_AGE = timedelta(hours=1)
# Where the portrait loaded from the database is kept on the instance.
_LOADED = "_portrait_loaded"


def portrait_storage():
    return Researcher._meta.get_field("portrait").storage


def _version_portraits(serialized_data: str) -> set[str]:
    """The portrait names in a version of a researcher stored as JSON."""
    try:
        objects = json.loads(serialized_data)
    except ValueError:
        return set()
    return {
        obj["fields"]["portrait"]
        for obj in objects
        if isinstance(obj, dict) and obj.get("fields", {}).get("portrait")
    }


def portrait_is_referenced(name: str) -> bool:
    """Whether a researcher, or any stored version of one, refers to the file ``name``."""
    if Researcher._base_manager.filter(portrait=name).exists():
        return True
    versions = Version.objects.get_for_model(Researcher).filter(serialized_data__contains=name)
    for version_format, data in versions.values_list("format", "serialized_data").iterator():
        # A version in another format holds the name somewhere: it counts, to be safe.
        if version_format != "json" or name in _version_portraits(data):
            return True
    return False


def portrait_names_in_use() -> set[str]:
    """Every portrait name a researcher or a stored version of one refers to."""
    names = set(Researcher._base_manager.exclude(portrait="").values_list("portrait", flat=True))
    versions = Version.objects.get_for_model(Researcher).filter(format="json")
    for data in versions.values_list("serialized_data", flat=True).iterator():
        names |= _version_portraits(data)
    return names


def _stored_files(storage, folder: str) -> list[str]:
    directories, files = storage.listdir(folder)
    found = [f"{folder}/{name}" for name in files]
    for directory in directories:
        found += _stored_files(storage, f"{folder}/{directory}")
    return found


def portrait_orphans(*, min_age: timedelta = UNUSED_MIN_AGE) -> list[str]:
    """Portrait files that no researcher and no stored version refers to, older than
    ``min_age``, sorted."""
    storage = portrait_storage()
    if not storage.exists(PORTRAIT_FOLDER):
        return []
    in_use = portrait_names_in_use()
    opaque = Version.objects.get_for_model(Researcher).exclude(format="json")
    cutoff = datetime.now(tz=timezone.utc) - min_age
    orphans = []
    for name in sorted(_stored_files(storage, PORTRAIT_FOLDER)):
        if name in in_use or storage.get_modified_time(name) > cutoff:
            continue
        if opaque.filter(serialized_data__contains=name).exists():
            continue
        orphans.append(name)
    return orphans


def portrait_file_discard(name: str) -> bool:
    """Delete the portrait file ``name`` if nothing refers to it any more; whether it did."""
    if not name or portrait_is_referenced(name):
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
