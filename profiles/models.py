"""Researchers of the institute and the research topics they work on."""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname, resolution_order

from core.text import collation_key, fold

from .fields import (
    DblpPersonField,
    OpenAlexAuthorField,
    OrcidField,
    PortraitField,
    SemanticScholarAuthorField,
)
from .images import portrait_upload_to
from .validators import (
    DBLP_PID_MESSAGE,
    DBLP_PID_PATTERN,
    OPENALEX_AUTHOR_MESSAGE,
    OPENALEX_AUTHOR_PATTERN,
    ORCID_PATTERN,
    SEMANTIC_SCHOLAR_AUTHOR_MESSAGE,
    SEMANTIC_SCHOLAR_AUTHOR_PATTERN,
)

# The languages a topic has a slug in (modeltranslation's slug_fr, slug_en).
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

# The years a supervision may name.
YEAR_MIN = 1900
YEAR_MAX = 2100


def in_active_language(field: str) -> Coalesce:
    """The translated ``field`` as its attribute reads it in the active language (the value of
    the language, or of the next one in the fallback order when it is empty), computed by the
    database: a page reading hundreds of rows saves an attribute lookup per row and language."""
    columns = [
        NullIf(F(build_localized_fieldname(field, code)), Value(""))
        for code in resolution_order(translation.get_language() or settings.LANGUAGE_CODE)
    ]
    return Coalesce(*columns, Value(""), output_field=models.CharField())


class ResearchTopicQuerySet(models.QuerySet):
    def labels(self, *also: str) -> list[tuple]:
        """(primary key, slug, name, *also) of each topic, its slug and name in the active
        language: plain values (``also`` names other columns or annotations to read)."""
        rows = self.rewrite(False).annotate(
            label_slug=in_active_language("slug"), label_name=in_active_language("name")
        )
        return list(rows.values_list("pk", "label_slug", "label_name", *also))

    def with_published_researchers(self):
        return self.filter(researchers__is_published=True).distinct()

    def named_by(self, slugs: Iterable[str]):
        """Topics whose slug in either language is one of ``slugs``."""
        slugs = list(slugs)
        lookup = Q(pk__in=[])
        for code in LANGUAGE_CODES:
            lookup |= Q(**{f"slug_{code}__in": slugs})
        return self.filter(lookup)


class ResearchTopic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)

    objects = ResearchTopicQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("profiles:topic_detail", kwargs={"slug": self.slug})

    @property
    def slugs(self) -> set[str]:
        """The topic's slug in each language: either one names it in an address (the English
        pages named topics by their French slug before each language had its own)."""
        return {slug for code in LANGUAGE_CODES if (slug := getattr(self, f"slug_{code}"))}

    def slug_in(self, language: str) -> str:
        """The topic's slug in ``language``, as ``slug`` reads it with that language active (the
        other language's when this one has none)."""
        with translation.override(language):
            return self.slug

    def clean(self) -> None:
        """A slug of one language may not be another topic's slug in the other language: an
        address names a topic by its slug in either language, so each slug names one topic."""
        super().clean()
        mine = self.slugs
        if not mine:
            return
        errors: dict[str, list[ValidationError]] = {}
        for other in ResearchTopic.objects.exclude(pk=self.pk).named_by(mine):
            for code in LANGUAGE_CODES:
                slug = getattr(self, f"slug_{code}")
                if slug and slug in other.slugs - {getattr(other, f"slug_{code}")}:
                    message = _(
                        "“%(slug)s” is the slug of the topic “%(topic)s” in the other language: "
                        "a slug names one topic in both languages."
                    )
                    params = {"slug": slug, "topic": str(other)}
                    errors.setdefault(f"slug_{code}", []).append(
                        ValidationError(message, code="slug_of_another_topic", params=params)
                    )
        if errors:
            raise ValidationError(errors)

    def get_publications_url(self, list_url: str = "") -> str:
        """The publication list filtered by this topic (``list_url``: the list's address, for a
        caller that links many topics)."""
        return topic_publications_url(self.slug, list_url)


def topic_publications_url(slug: str, list_url: str = "") -> str:
    """The publication list filtered by the topic whose slug is ``slug``."""
    list_url = list_url or reverse("publications:publication_list")
    return f"{list_url}?{urlencode({'topic': slug})}"


def sorted_topics(topics) -> list[ResearchTopic]:
    """Topics in the alphabetical order of the active language, accents and case ignored."""
    return sorted(topics, key=lambda topic: collation_key(topic.name))


def plain_rows(queryset: models.QuerySet) -> list[tuple]:
    """Each row of ``queryset`` as a tuple of all its columns: plain values that a cache can
    keep, from which :func:`from_plain_row` makes the row again.

    The columns are read as stored: an instance made from them reads each translated attribute
    from its languages' columns, so working out the active language's value for every row here
    (what a translated model's values_list does) would be thrown away."""
    rewrite = getattr(queryset, "rewrite", None)  # a translated model's queryset
    if rewrite is not None:
        queryset = rewrite(False)
    return list(queryset.values_list(*_column_names(queryset.model)))


def from_plain_row(model: type[models.Model], row: tuple) -> models.Model:
    """The ``model`` instance that a row of :func:`plain_rows` is, as if read from the
    database."""
    return model.from_db(DEFAULT_DB_ALIAS, _column_names(model), row)


def _column_names(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


class Membership(models.TextChoices):
    CORE_ACADEMIC = "core_academic", _("Core Academic Member")
    ASSOCIATE_ACADEMIC = "associate_academic", _("Associate Academic Member")
    AFFILIATE = "affiliate", _("Affiliate Member")
    INDUSTRY = "industry", _("Industry Member")
    ASSOCIATE_INDUSTRY = "associate_industry", _("Associate Industry Member")


class ResearcherQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def search(self, text: str):
        """Researchers whose name holds every word of ``text``, accents and case ignored."""
        queryset = self
        for word in fold(text).split():
            queryset = queryset.filter(search_name__contains=word)
        return queryset


class Researcher(models.Model):
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the profile's address, e.g. razvan-pascanu."),
    )
    portrait = PortraitField(
        _("portrait"),
        upload_to=portrait_upload_to,
        # As long as an uploaded file's name can be, so that the form never refuses one: the
        # stored name is shortened (see portrait_upload_to).
        max_length=255,
        blank=True,
        width_field="portrait_width",
        height_field="portrait_height",
    )
    # Stored so that pages can give the image's size without opening the file.
    portrait_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    portrait_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    membership = models.CharField(
        _("membership"), max_length=32, choices=Membership.choices, default=Membership.AFFILIATE
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    topics = models.ManyToManyField(
        ResearchTopic, verbose_name=_("research topics"), related_name="researchers", blank=True
    )
    website = models.URLField(_("website"), blank=True)
    google_scholar_url = models.URLField(_("Google Scholar profile"), blank=True)
    orcid = OrcidField(_("ORCID iD"), blank=True, help_text=_("For example 0000-0002-1825-0097."))
    # Where the harvest looks for the researcher's publications, besides their ORCID record.
    openalex_id = OpenAlexAuthorField(
        _("OpenAlex author id"),
        blank=True,
        help_text=_("For example A5023888391, or its address https://openalex.org/A5023888391."),
    )
    dblp_pid = DblpPersonField(
        _("DBLP person id"),
        blank=True,
        help_text=_(
            "For example 123/4567 or b/YoshuaBengio, or the address of the person's page, "
            "https://dblp.org/pid/123/4567.html."
        ),
    )
    semantic_scholar_id = SemanticScholarAuthorField(
        _("Semantic Scholar author id"),
        blank=True,
        help_text=_(
            "Optional. For example 1751762, or the address of the author's page, "
            "https://www.semanticscholar.org/author/Name/1751762."
        ),
    )
    github_url = models.URLField(_("GitHub profile"), blank=True)
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Only published researchers are shown to visitors."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Lower-case name without accents, so that "Páscanu" finds "Pascanu" on every database.
    search_name = models.CharField(max_length=201, editable=False, default="")
    # "family given" the same way, so that Émond sorts among the E, not after Z.
    sort_name = models.CharField(max_length=201, editable=False, default="", db_index=True)

    objects = ResearcherQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "pk"]
        verbose_name = _("researcher")
        verbose_name_plural = _("researchers")
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"],
                condition=~Q(orcid=""),
                name="profiles_researcher_orcid_unique",
                violation_error_message=_("Another researcher already has this ORCID iD."),
            ),
            models.CheckConstraint(
                condition=Q(orcid="") | Q(orcid__regex=ORCID_PATTERN),
                name="profiles_researcher_orcid_format",
                violation_error_message=_("Enter an ORCID iD in the form 0000-0002-1825-0097."),
            ),
            models.UniqueConstraint(
                fields=["openalex_id"],
                condition=~Q(openalex_id=""),
                name="profiles_researcher_openalex_id_unique",
                violation_error_message=_(
                    "Another researcher already has this OpenAlex author id."
                ),
            ),
            models.CheckConstraint(
                condition=Q(openalex_id="") | Q(openalex_id__regex=OPENALEX_AUTHOR_PATTERN),
                name="profiles_researcher_openalex_id_format",
                violation_error_message=OPENALEX_AUTHOR_MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["dblp_pid"],
                condition=~Q(dblp_pid=""),
                name="profiles_researcher_dblp_pid_unique",
                violation_error_message=_("Another researcher already has this DBLP person id."),
            ),
            models.CheckConstraint(
                condition=Q(dblp_pid="") | Q(dblp_pid__regex=DBLP_PID_PATTERN),
                name="profiles_researcher_dblp_pid_format",
                violation_error_message=DBLP_PID_MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["semantic_scholar_id"],
                condition=~Q(semantic_scholar_id=""),
                name="profiles_researcher_semantic_scholar_id_unique",
                violation_error_message=_(
                    "Another researcher already has this Semantic Scholar author id."
                ),
            ),
            models.CheckConstraint(
                condition=Q(semantic_scholar_id="")
                | Q(semantic_scholar_id__regex=SEMANTIC_SCHOLAR_AUTHOR_PATTERN),
                name="profiles_researcher_semantic_scholar_id_format",
                violation_error_message=SEMANTIC_SCHOLAR_AUTHOR_MESSAGE,
            ),
        ]
        indexes = [
            models.Index(
                fields=["is_published", "family_name"], name="researcher_published_name_idx"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.full_name)
        self.sort_name = fold(f"{self.family_name} {self.given_name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name", "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("profiles:researcher_detail", kwargs={"slug": self.slug})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""

    @property
    def openalex_url(self) -> str:
        return f"https://openalex.org/{self.openalex_id}" if self.openalex_id else ""

    @property
    def dblp_url(self) -> str:
        return f"https://dblp.org/pid/{self.dblp_pid}" if self.dblp_pid else ""

    @property
    def semantic_scholar_url(self) -> str:
        if not self.semantic_scholar_id:
            return ""
        return f"https://www.semanticscholar.org/author/{self.semantic_scholar_id}"


class Supervision(models.Model):
    """One researcher supervising another's degree or postdoc, as principal or co-supervisor,
    from a year to a year (no end: still supervised)."""

    class Role(models.TextChoices):
        PRINCIPAL = "principal", _("principal supervisor")
        CO_SUPERVISOR = "co", _("co-supervisor")

    class Degree(models.TextChoices):
        MSC = "msc", _("MSc")
        PHD = "phd", _("PhD")
        POSTDOC = "postdoc", _("postdoc")

    supervisor = models.ForeignKey(
        Researcher,
        verbose_name=_("supervisor"),
        on_delete=models.CASCADE,
        related_name="supervisions",
    )
    student = models.ForeignKey(
        Researcher,
        verbose_name=_("student or postdoc"),
        on_delete=models.CASCADE,
        related_name="supervised_by",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PRINCIPAL)
    degree = models.CharField(_("degree"), max_length=10, choices=Degree.choices)
    start_year = models.PositiveSmallIntegerField(
        _("from"),
        validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)],
    )
    end_year = models.PositiveSmallIntegerField(
        _("until"),
        null=True,
        blank=True,
        validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)],
        help_text=_("Empty while the supervision goes on."),
    )

    class Meta:
        ordering = ["-start_year", "pk"]
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "student", "degree"],
                name="profiles_supervision_unique",
                violation_error_message=_("This supervision is already recorded."),
            ),
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("student")),
                name="profiles_supervision_not_self",
                violation_error_message=_("A researcher cannot supervise themselves."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=models.F("start_year")),
                name="profiles_supervision_years_in_order",
                violation_error_message=_("The supervision cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["principal", "co"]),
                name="profiles_supervision_role_valid",
                violation_error_message=_("Choose a role from the list."),
            ),
            models.CheckConstraint(
                condition=Q(degree__in=["msc", "phd", "postdoc"]),
                name="profiles_supervision_degree_valid",
                violation_error_message=_("Choose a degree from the list."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(supervisor)s supervises %(student)s (%(degree)s)") % {
            "supervisor": self.supervisor,
            "student": self.student,
            "degree": self.get_degree_display(),
        }

    @property
    def is_current(self) -> bool:
        return self.end_year is None
