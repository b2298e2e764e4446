"""Uploaded files, and whether a row or a version in the history still refers to one.

Reverting an entry to an older version, or recovering a deleted one, must find the files that
version names: a file is in use while a row or any stored version names it in a file field
(``FileField``, ``ImageField``) of any installed model.
"""

import json
from datetime import datetime, timedelta, timezone

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import models
from reversion.models import Version

# A file younger than this may belong to a save still in progress: never called unused.
UNUSED_MIN_AGE = timedelta(hours=1)


def file_field_names() -> dict[type[models.Model], list[str]]:
    """The names of each model's file fields, for the models that have some."""
    found = {}
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.local_concrete_fields
            if isinstance(field, models.FileField)
        ]
        if names and not model._meta.proxy:
            found[model] = names
    return found


def _version_file_names(serialized_data: str, field_names: list[str]) -> set[str]:
    """The file names in a version stored as JSON."""
    try:
        objects = json.loads(serialized_data)
    except ValueError:
        return set()
    names = set()
    for obj in objects if isinstance(objects, list) else []:
        fields = obj.get("fields") if isinstance(obj, dict) else None
        if isinstance(fields, dict):
            names |= {fields[n] for n in field_names if isinstance(fields.get(n), str)}
    return names - {""}


def file_is_referenced(name: str) -> bool:
    """Whether a row, or any stored version of one, refers to the file ``name``."""
    for model, field_names in file_field_names().items():
        rows = models.Q()
        for field_name in field_names:
            rows |= models.Q(**{field_name: name})
        if model._base_manager.filter(rows).exists():
            return True
        versions = Version.objects.get_for_model(model).filter(serialized_data__contains=name)
        for version_format, data in versions.values_list("format", "serialized_data").iterator():
            # A version in another format holds the name somewhere: it counts, to be safe.
            if version_format != "json" or name in _version_file_names(data, field_names):
                return True
    return False


def file_names_in_use() -> set[str]:
    """Every file name that a row or a stored version (in JSON) refers to."""
    names: set[str] = set()
    for model, field_names in file_field_names().items():
        for field_name in field_names:
            rows = model._base_manager.exclude(**{field_name: ""}).exclude(
                **{f"{field_name}__isnull": True}
            )
            names.update(rows.values_list(field_name, flat=True))
        versions = Version.objects.get_for_model(model).filter(format="json")
        for data in versions.values_list("serialized_data", flat=True).iterator():
            names |= _version_file_names(data, field_names)
    return names


def _stored_files(storage: Storage, folder: str) -> list[str]:
    directories, files = storage.listdir(folder)
    prefix = f"{folder}/" if folder else ""
    found = [prefix + name for name in files]
    for directory in directories:
        found += _stored_files(storage, prefix + directory)
    return found


def unused_files(
    storage: Storage, *, folder: str = "", min_age: timedelta = UNUSED_MIN_AGE
) -> list[str]:
    """The files of ``storage`` (under ``folder``) that no row and no stored version refers to,
    older than ``min_age``, sorted."""
    if not storage.exists(folder):
        return []
    in_use = file_names_in_use()
    content_types = ContentType.objects.get_for_models(*file_field_names()).values()
    opaque = Version.objects.filter(content_type__in=list(content_types)).exclude(format="json")
    cutoff = datetime.now(tz=timezone.utc) - min_age
    unused = []
    for name in sorted(_stored_files(storage, folder)):
        if name in in_use or storage.get_modified_time(name) > cutoff:
            continue
        if opaque.filter(serialized_data__contains=name).exists():
            continue
        unused.append(name)
    return unused
