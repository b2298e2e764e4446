"""History for writes made in bulk: one revision holding what changed, as the admin records it."""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, models
from django.utils import timezone
from django.utils.encoding import force_str, is_protected_type
from reversion.models import Revision, Version
from reversion.revisions import _get_options
from reversion.revisions import _VersionOptions as VersionOptions

BATCH_SIZE = 500

# Values the serializer passes through as they are, tested first because nearly all are.
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})

# The encoder Django's "json" serializer writes with, so that the text is the very same.
_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


def record_bulk_revision(
    groups: Iterable[Iterable[models.Model]],
    *,
    user: AbstractBaseUser | None,
    comment: str,
    using: str = DEFAULT_DB_ALIAS,
) -> Revision | None:
    """One revision holding every object of ``groups`` (each an iterable of rows of one
    model, as written), so that the admin's history and recent activity show the write and an
    editor can undo it. None when there is no object.

    Each object is stored as django-reversion stores it (the same serialized text, in the
    fields registered for its model), but from the rows in hand rather than read back, and
    written a batch at a time so that the history of a large import never sits in memory.
    A row's ``str()`` must not need a query: a foreign key it reads is set on it. A row given
    twice is stored once, as the revision can hold only one version of it.
    """
    revision = None
    seen: set[tuple[type, object]] = set()
    for rows in groups:
        for batch in _batches(_once(rows, seen)):
            if revision is None:
                revision = Revision.objects.using(using).create(
                    date_created=timezone.now(), user=user, comment=comment
                )
            _insert_versions(revision.pk, batch, using)
    return revision


def serialized_version(obj: models.Model, m2m: dict[str, list] | None = None) -> str:
    """The text django-reversion stores for ``obj``; ``m2m`` holds the primary keys of its
    many-to-many fields, read from the database when not given."""
    plan = _plan(type(obj))
    if m2m is None:
        by_pk = _m2m_values(plan, [obj], obj._state.db or DEFAULT_DB_ALIAS)
        m2m = {name: values.get(obj.pk, []) for name, values in by_pk.items()}
    return plan.serialize(obj, m2m)


def _once(rows: Iterable[models.Model], seen: set) -> Iterator[models.Model]:
    for row in rows:
        key = (type(row), row.pk)
        if key not in seen:
            seen.add(key)
            yield row


def _batches(rows: Iterable[models.Model]) -> Iterator[list[models.Model]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


def _insert_versions(revision_id: int, rows: list[models.Model], using: str) -> None:
    """The versions of ``rows`` (of one model), inserted without reading their keys back."""
    plan = _plan(type(rows[0]))
    content_type = ContentType.objects.db_manager(using).get_for_model(plan.model)
    m2m = _m2m_values(plan, rows, using)
    versions = [
        Version(
            revision_id=revision_id,
            content_type_id=content_type.pk,
            object_id=force_str(getattr(obj, plan.options.object_id_field)),
            db=obj._state.db or using,
            format=plan.options.format,
            serialized_data=plan.serialize(
                obj, {name: by_pk.get(obj.pk, []) for name, by_pk in m2m.items()}
            ),
            object_repr=force_str(obj)[:191],
        )
        for obj in rows
    ]
    Version.objects.using(using).bulk_create(versions, batch_size=BATCH_SIZE)


@dataclass(frozen=True)
class _Plan:
    """How django-reversion serializes one model: its label, its primary key, its fields (with
    the attribute each is read from, and whether that attribute is the value as it is), its
    many-to-many fields, and the options it was registered with (other than the defaults:
    through Django's serializer)."""

    model: type[models.Model]
    label: str
    pk: models.Field
    fields: tuple[tuple[str, str, models.Field, bool], ...]
    many_to_many: tuple[models.ManyToManyField, ...]
    options: VersionOptions

    def serialize(self, obj: models.Model, m2m: dict[str, list]) -> str:
        options = self.options
        if options.format != "json" or options.use_natural_foreign_keys:
            return serializers.serialize(
                options.format,
                [obj],
                fields=options.fields,
                use_natural_foreign_keys=options.use_natural_foreign_keys,
            )
        fields = {}
        for name, attname, field, plain in self.fields:
            value = getattr(obj, attname)
            if not plain or type(value) not in _PLAIN_TYPES:
                value = _field_value(obj, field)
            fields[name] = value
        fields.update(m2m)
        pk = obj.pk
        if not _reads_attribute(self.pk) or type(pk) not in _PLAIN_TYPES:
            pk = _field_value(obj, self.pk)
        data = {"model": self.label, "pk": pk, "fields": fields}
        return f"[{_ENCODER.encode(data)}]"


def _field_value(obj: models.Model, field: models.Field):
    """A value as Django's python serializer gives it."""
    value = field.value_from_object(obj)
    return value if is_protected_type(value) else field.value_to_string(obj)


@cache
def _plan(model: type[models.Model]) -> _Plan:
    """The plan of a model registered with django-reversion, following the rules of Django's
    serializer (``django.core.serializers.base.Serializer.serialize``)."""
    options = _get_options(model)
    opts = model._meta.concrete_model._meta
    selected = options.fields
    fields = tuple(
        (field.name, field.attname, field, _reads_attribute(field))
        for field in opts.local_fields
        if field.serialize
        and (field.attname if field.remote_field is None else field.attname[:-3]) in selected
    )
    many_to_many = tuple(
        field
        for field in opts.local_many_to_many
        if field.serialize
        and field.attname in selected
        and field.remote_field.through._meta.auto_created
    )
    return _Plan(model, str(opts), opts.pk, fields, many_to_many, options)


@cache
def _reads_attribute(field: models.Field) -> bool:
    """Whether the serializer's value is the attribute itself (or its ``str()``)."""
    kind = type(field)
    return (
        kind.value_from_object is models.Field.value_from_object
        and kind.value_to_string is models.Field.value_to_string
    )


def _m2m_values(
    plan: _Plan, rows: Sequence[models.Model], using: str
) -> dict[str, dict[object, list]]:
    """For each many-to-many field, the primary keys each row links to, in the order of the
    related model (as the serializer reads them), in one query."""
    values: dict[str, dict[object, list]] = {}
    for field in plan.many_to_many:
        by_pk = values[field.name] = defaultdict(list)
        name = field.related_query_name()
        related = field.related_model._default_manager.db_manager(using)
        pairs = related.filter(**{f"{name}__in": [row.pk for row in rows]}).values_list(name, "pk")
        for owner, pk in pairs:
            by_pk[owner].append(pk)
    return values
