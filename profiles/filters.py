"""Filters of the public lists: every state is a plain GET query string, bad values are
reported and left out, never fatal."""

from functools import cache

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.page_cache import cached_data

from .models import Membership, Researcher, ResearchTopic

SEARCH_MAX_LENGTH = 200


class KnownChoicesField(forms.ModelMultipleChoiceField):
    """Keeps the values that exist and sets the unknown ones aside, instead of failing whole.

    A bookmarked list filtered by three topics still works when one of them was removed.
    """

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        values = {str(item) for item in value}
        # A NUL character never names anything, and PostgreSQL refuses it in a query.
        usable = {item for item in values if "\x00" not in item}
        found = self.existing(key, sorted(usable))
        self.unknown_values = sorted(values - {str(getattr(obj, key)) for obj in found})
        return found

    def existing(self, key: str, values: list[str]) -> list:
        """The choices whose ``key`` is one of ``values``."""
        return list(self.queryset.filter(**{f"{key}__in": values}))


class KnownTopicsField(KnownChoicesField):
    """Chosen topics, read from the database once per change of the data for each choice."""

    def existing(self, key: str, values: list[str]) -> list:
        read = super().existing
        return cached_data("topics", (key, values), lambda: read(key, values))


# Filters take their choices as functions that make them, not as querysets or lists: a FilterSet
# copies its filters deeply for each request, and copying a queryset or a list of translated
# labels costs more than making it.


def all_topics(request) -> QuerySet[ResearchTopic]:
    return ResearchTopic.objects.all()


class KnownTopicsFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows linked to any of the chosen topics, each listed once (Exists rather than a join)."""

    field_class = KnownTopicsField

    def filter(self, queryset: QuerySet, topics) -> QuerySet:
        if not topics:
            return queryset
        model = queryset.model
        links = model.topics.through.objects.filter(
            **{model._meta.model_name: OuterRef("pk"), "researchtopic__in": topics}
        )
        return queryset.filter(Exists(links))


class KnownChoiceField(forms.ModelChoiceField):
    """A single choice whose unknown value is set aside and reported, like KnownChoicesField."""

    def to_python(self, value):
        self.unknown_values = []
        try:
            return super().to_python(value)
        except forms.ValidationError:
            self.unknown_values = [str(value)]
            return None


class KnownChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = KnownChoiceField


class UnknownValuesForm(forms.Form):
    """A filter form that reports, without failing, the values a lenient field set aside."""

    def clean(self):
        cleaned_data = super().clean()
        for field in self.fields.values():
            for value in getattr(field, "unknown_values", []):
                self.add_error(
                    None,
                    _("%(filter)s: “%(value)s” is unknown.")
                    % {"filter": field.label, "value": printable(value)},
                )
        return cleaned_data


def printable(value: str, *, limit: int = 100) -> str:
    """A value from a query string, safe to quote in a message: control characters replaced."""
    return "".join(char if char.isprintable() else "\ufffd" for char in value[:limit])


def filter_messages(filterset: django_filters.FilterSet) -> list[str]:
    """A message for each query parameter, or value, that the filters ignored."""
    form = filterset.form
    return [
        message
        if name == NON_FIELD_ERRORS
        else gettext("%(filter)s: %(message)s")
        % {"filter": form.fields[name].label, "message": message}
        for name, messages in form.errors.items()
        for message in messages
    ]


def filters_in_use(filterset: django_filters.FilterSet, *, ignore: tuple[str, ...] = ()) -> bool:
    """Whether the query string sets any filter (a sort order alone does not count)."""
    return any(
        value
        for name in filterset.form.fields
        if name not in ignore
        for value in filterset.data.getlist(name)
    )


class ListFilterSet(django_filters.FilterSet):
    """The filters of a public list, whose form class is built once per FilterSet class.

    django-filter builds a new form class from the filters' form fields for each FilterSet, that
    is for each request; a list's filters are declared once and the same for every request, so
    their form class is too (its forms copy their fields, as every Django form does).
    """

    def get_form_class(self) -> type[forms.Form]:
        return _list_form_class(type(self))


@cache
def _list_form_class(filterset_class: type[ListFilterSet]) -> type[forms.Form]:
    fields = {name: declared.field for name, declared in filterset_class.base_filters.items()}
    return type(f"{filterset_class.__name__}Form", (filterset_class._meta.form,), fields)


class ResearcherFilter(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("Name"), method="filter_name", max_length=SEARCH_MAX_LENGTH
    )
    topic = KnownTopicsFilter(
        label=_("Research topics"),
        queryset=all_topics,
        to_field_name="slug",
    )
    membership = django_filters.MultipleChoiceFilter(
        label=_("Membership"), choices=lambda: Membership.choices, distinct=False
    )

    class Meta:
        model = Researcher
        form = UnknownValuesForm
        fields = ["q", "topic", "membership"]

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)
