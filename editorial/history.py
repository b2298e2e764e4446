"""An entry's history as editors read it: times, comments, values, what two versions differ in."""

import difflib
import json
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from reversion.models import Version

from .snapshots import SNAPSHOT_FIELD


def moment(value: datetime) -> str:
    """A date and time as editors read them: the date in their language's format, then the time
    to the second, the same in every language ("12 mars 2025 10:08:12")."""
    local = template_localtime(value)
    return f"{date_format(local)} {time_format(local, 'H:i:s')}"


def readable_comment(comment: str) -> str:
    """A revision's comment in the editor's language, without the change form's hidden snapshot
    (saves of older versions of the form named it among the changed fields)."""
    try:
        messages = json.loads(comment)
    except ValueError:
        return comment
    if not isinstance(messages, list):
        return comment
    kept = []
    for message in messages:
        changed = message.get("changed") if isinstance(message, dict) else None
        if isinstance(changed, dict) and isinstance(changed.get("fields"), list):
            fields = [name for name in changed["fields"] if name != SNAPSHOT_FIELD]
            if not fields:
                continue
            message = {**message, "changed": {**changed, "fields": fields}}
        kept.append(message)
    return LogEntry(change_message=json.dumps(kept)).get_change_message()


def last_change(obj: models.Model) -> Version | None:
    """The latest recorded version of ``obj``, with its revision and editor."""
    return (
        Version.objects.get_for_object(obj)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
        .first()
    )


def readable_value(model: type[models.Model], name: str, value) -> str:
    """A stored value of the field ``name`` as an editor reads it: the entries a key names, the
    label of a choice, a dash for nothing."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if value in (None, ""):
        return "—"
    try:
        if field.many_to_many:
            related = field.related_model._default_manager.filter(pk__in=value)
            return ", ".join(sorted(str(r) for r in related)) or "—"
        if field.many_to_one or field.one_to_one:
            related = field.related_model._default_manager.filter(pk=value).first()
            return str(related) if related is not None else f"#{value}"
    except (ValueError, TypeError, ValidationError):  # a key typed by hand, not a valid one
        return f"#{value}"
    if field.choices:
        # Values read from a form are text; choices may be numbers.
        return str({str(key): label for key, label in field.flatchoices}.get(str(value), value))
    return str(value)


# Comparing two versions ------------------------------------------------------------------------


def compare_versions(model, older: Version, newer: Version) -> list[dict]:
    """One row per field that differs between the two versions, readable by a person: the
    fields of the entry, then the lists of rows saved with it (its authors...)."""
    return _field_rows(model, older.field_dict, newer.field_dict) + _followed_rows(
        model, older, newer
    )


def _field_rows(model, before: dict, after: dict) -> list[dict]:
    rows = []
    for field in model._meta.get_fields():
        if not (field.concrete or field.many_to_many) or field.auto_created:
            continue
        if not getattr(field, "editable", False) or field.name not in after:
            continue
        old, new = before.get(field.name), after.get(field.name)
        if field.many_to_many:
            old, new = sorted(old or []), sorted(new or [])
        if old == new:
            continue
        old_text = readable_value(model, field.name, old)
        new_text = readable_value(model, field.name, new)
        if isinstance(field, (models.TextField, models.CharField)) and not field.choices:
            old_html, new_html = _word_diff(old_text, new_text)
        else:
            old_html, new_html = format_html("{}", old_text), format_html("{}", new_text)
        rows.append({"label": field.verbose_name, "old": old_html, "new": new_html})
    return rows


def _followed_rows(model, older: Version, newer: Version) -> list[dict]:
    rows = []
    seen = set()
    for relation in model._meta.related_objects:
        # A model related twice (a researcher's supervisions, as supervisor and as student) is
        # one list: its rows say which way each goes.
        if not relation.one_to_many or relation.related_model in seen:
            continue
        seen.add(relation.related_model)
        old_rows = _saved_with(older, relation.related_model)
        new_rows = _saved_with(newer, relation.related_model)
        if old_rows != new_rows and (old_rows or new_rows):
            rows.append(
                {
                    "label": relation.related_model._meta.verbose_name_plural,
                    "old": format_html_join("", "<div>{}</div>", ((r,) for r in old_rows)),
                    "new": format_html_join("", "<div>{}</div>", ((r,) for r in new_rows)),
                }
            )
    return rows


def _saved_with(version: Version, model: type[models.Model]) -> list[str]:
    """The rows of ``model`` saved in the same revision as ``version`` (authors, then editors,
    in order)."""
    rows = []
    for other in version.revision.version_set.all():
        if other._model is not model:
            continue
        data = other.field_dict
        rows.append((data.get("role") or "", data.get("position") or 0, other.object_repr))
    return [text for *_order, text in sorted(rows)]


def _word_diff(old: str, new: str):
    """The two texts with removed words in <del> and added ones in <ins>, escaped."""
    old_words, new_words = old.split(" "), new.split(" ")
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    before, after = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = " ".join(old_words[i1:i2]), " ".join(new_words[j1:j2])
        if tag == "equal":
            before.append(format_html("{}", removed))
            after.append(format_html("{}", added))
            continue
        if removed:
            before.append(format_html("<del>{}</del>", removed))
        if added:
            after.append(format_html("<ins>{}</ins>", added))
    return format_html_join(" ", "{}", ((p,) for p in before)), format_html_join(
        " ", "{}", ((p,) for p in after)
    )
