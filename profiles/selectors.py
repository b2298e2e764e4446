"""Reads for the public researcher pages, each a fixed number of queries."""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.caching import memo
from core.drafts import may_preview
from core.listing import FacetOption, FilteredList, choice_options, count_by
from core.text import collation_key

from .filters import ResearcherFilter, topic_options, topics_named_by
from .models import (
    LANGUAGE_CODES,
    Membership,
    Researcher,
    ResearchTopic,
    Supervision,
    from_plain_row,
    plain_rows,
    sorted_topics,
)


def researcher_get_for_profile(*, slug: str, user) -> tuple[Researcher, bool]:
    """The researcher whose profile this is, and whether the page is an editor's preview of a
    draft. Visitors get a 404 for a draft. The row is read once per change of the data."""
    rows = memo(
        "researcher_profile", slug, lambda: plain_rows(Researcher.objects.filter(slug=slug))
    )
    if not rows:
        raise Http404
    researcher = from_plain_row(Researcher, rows[0])
    if researcher.is_published:
        return researcher, False
    if may_preview(user, Researcher):
        return researcher, True
    raise Http404


def researcher_topics(*, researcher: Researcher) -> list[ResearchTopic]:
    """The researcher's topics in the alphabetical order of the active language, read once per
    change of the data."""
    rows = memo(
        "researcher_topics",
        researcher.pk,
        lambda: plain_rows(ResearchTopic.objects.filter(researchers=researcher)),
    )
    return sorted_topics(from_plain_row(ResearchTopic, row) for row in rows)


def researcher_get_published(*, slug: str) -> Researcher:
    """The published researcher with this slug and their topics, or 404."""
    queryset = Researcher.objects.published().prefetch_related("topics")
    return get_object_or_404(queryset, slug=slug)


@dataclass
class ResearcherSearch(FilteredList):
    """The filtered directory with the counts each other choice would give (topics,
    memberships)."""

    name = "directory"

    @property
    def researchers(self) -> QuerySet[Researcher]:
        return self.filterset.qs

    @cached_property
    def topics(self) -> list[FacetOption]:
        def links() -> QuerySet:
            researchers = self.filtered_but(["topic"], Researcher.objects.published())
            return Researcher.topics.through.objects.filter(researcher__in=researchers.values("pk"))

        return topic_options(
            count_by(links, "researchtopic", key=(self.facets_key, "topic")),
            {topic.slug for topic in self.filterset.form.cleaned_data.get("topic") or []},
        )

    @cached_property
    def memberships(self) -> list[FacetOption]:
        return choice_options(
            Membership.choices,
            count_by(
                lambda: self.filtered_but(["membership"], Researcher.objects.published()),
                "membership",
                key=(self.facets_key, "membership"),
            ),
            set(self.filterset.form.cleaned_data.get("membership") or []),
        )


def researcher_search(*, params: QueryDict) -> ResearcherSearch:
    """Published researchers matching ``params`` by family name, with facet counts (computed
    when read)."""
    queryset = Researcher.objects.published().order_by("sort_name", "pk")
    filterset = ResearcherFilter(params, queryset=queryset)
    filterset.is_valid()  # validates the form: invalid values are reported, then left out
    return ResearcherSearch(filterset, params)


def topic_index(*, publication_counts: dict[int, int]) -> list[ResearchTopic]:
    """Every topic with its number of published researchers and its number of published works,
    A to Z.

    ``publication_counts`` gives each topic's number of works by its primary key (a topic left
    out has none): the page composing the index reads it from the app that owns the works. The
    researchers' links are counted in one GROUP BY query, kept until the data changes like
    every ``count_by``.
    """
    researchers = count_by(
        lambda: Researcher.topics.through.objects.filter(researcher__is_published=True),
        "researchtopic",
        key="topic_index_researchers",
    )
    topics = list(ResearchTopic.objects.all())
    for topic in topics:
        topic.researcher_count = researchers.get(topic.pk, 0)
        topic.publication_count = publication_counts.get(topic.pk, 0)
    return sorted_topics(topics)


def topic_get(*, slug: str) -> ResearchTopic:
    """The topic whose slug is ``slug`` in either language, or 404; with its published
    researchers when ``slug`` is its slug in the active language (``topic.slug``).

    Any other is an older address of its page (English pages named topics by their French slug
    before each language had its own), which the page answers with a redirect, and which needs
    no researchers. Should bad data give the slug to two topics, the active language's wins.
    """
    topics = topics_named_by([slug])
    if not topics:
        raise Http404
    topic = next((topic for topic in topics if topic.slug == slug), topics[0])
    if topic.slug == slug:
        researchers = Researcher.objects.published().order_by("sort_name", "pk")
        prefetch_related_objects(
            [topic], Prefetch("researchers", queryset=researchers, to_attr="published_researchers")
        )
    return topic


def topic_slugs_by_language(values: list[str]) -> dict[str, dict[str, str]]:
    """Each of ``values`` that is a topic's slug in either language, with that topic's slug in
    each language: what an address holding it (the topic's page, a ``?topic=`` filter) holds
    in each language. Read once per change of the data for each set of values, whatever the
    language."""
    found = {}
    for topic in topics_named_by(values):
        in_each = {code: topic.slug_in(code) for code in LANGUAGE_CODES}
        found.update((slug, in_each) for slug in topic.slugs if slug in values)
    return found


# A researcher's supervisions -----------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionEntry:
    """One supervision as a profile shows it: the other researcher, linked to their profile, the
    role of the supervisor, the degree, and the years ("2021–" while it goes on)."""

    name: str
    url: str
    role: str
    degree: str
    years: str


@dataclass(frozen=True)
class ResearcherSupervision:
    """Whom a researcher supervises and who supervises them, each now and before, in the active
    language; false when there is nothing to show."""

    current_students: list[SupervisionEntry]
    former_students: list[SupervisionEntry]
    current_supervisors: list[SupervisionEntry]
    former_supervisors: list[SupervisionEntry]

    @property
    def students(self) -> list[SupervisionEntry]:
        return [*self.current_students, *self.former_students]

    @property
    def supervisors(self) -> list[SupervisionEntry]:
        return [*self.current_supervisors, *self.former_supervisors]

    def __bool__(self) -> bool:
        return bool(self.students or self.supervisors)


def researcher_supervision(*, researcher: Researcher) -> ResearcherSupervision:
    """The researcher's supervisions for their profile: current ones first, the latest started
    first; former ones the latest ended first. One query, kept per researcher until the data
    changes (the rows, which no language changes; labels and addresses are the reader's).

    Only published researchers are named. An unpublished profile is a draft or a person the
    institute does not, or no longer, present: a visitor learns nothing of them here either,
    not even a name without a link (a student's studies are theirs to make public), just as
    the directory and the topic pages leave them out.
    """
    rows = memo("researcher_supervision", researcher.pk, lambda: _supervision_rows(researcher))
    roles = dict(Supervision.Role.choices)
    degrees = dict(Supervision.Degree.choices)
    groups: dict[str, list[SupervisionEntry]] = {
        f"{when}_{side}": []
        for when in ("current", "former")
        for side in ("students", "supervisors")
    }
    for is_student, name, slug, role, degree, start, end in sorted(rows, key=_supervision_order):
        entry = SupervisionEntry(
            name=name,
            url=reverse("profiles:researcher_detail", kwargs={"slug": slug}),
            role=str(roles.get(role, role)),
            degree=str(degrees.get(degree, degree)),
            years=supervision_years(start, end),
        )
        when = "current" if end is None else "former"
        groups[f"{when}_{'students' if is_student else 'supervisors'}"].append(entry)
    return ResearcherSupervision(**groups)


def _supervision_rows(researcher: Researcher) -> list[tuple]:
    """(whether the other is the researcher's student, their name, their slug, role, degree,
    start year, end year) for each supervision of the researcher with a published researcher."""
    as_supervisor = Q(supervisor=researcher, student__is_published=True)
    as_student = Q(student=researcher, supervisor__is_published=True)
    person = ("given_name", "family_name", "slug")
    rows = Supervision.objects.filter(as_supervisor | as_student).values_list(
        "supervisor_id",
        *(f"supervisor__{field}" for field in person),
        *(f"student__{field}" for field in person),
        "role",
        "degree",
        "start_year",
        "end_year",
    )
    found = []
    for supervisor_id, *people, role, degree, start, end in rows:
        is_student = supervisor_id == researcher.pk  # the other is the researcher's student
        given, family, slug = people[3:] if is_student else people[:3]
        found.append((is_student, f"{given} {family}".strip(), slug, role, degree, start, end))
    return found


def _supervision_order(row: tuple) -> tuple:
    _is_student, name, _slug, _role, _degree, start, end = row
    return (end is not None, -(end or 0), -start, collation_key(name))


def supervision_years(start: int, end: int | None) -> str:
    """The years of a supervision: "2021–" while it goes on, "2019–2023" once it ended, and
    one year when it started and ended in the same."""
    if end is None:
        return f"{start}–"
    if end == start:
        return str(start)
    return f"{start}–{end}"
