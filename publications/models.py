"""Publications, the people who write them and the order in which they sign."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.text import fold, name_key, title_key
from profiles.fields import OrcidField
from profiles.models import Researcher, ResearchTopic

from .identifiers import (
    ARXIV_ID_PATTERN,
    DOI_PATTERN,
    ArxivIdField,
    DOIField,
    validate_no_breaking_characters,
)
from .names import split_name

YEAR_MIN = 1900
YEAR_MAX = 2100

# An OpenAlex work (W2741809807) and a DBLP record key (conf/nips/PascanuMB13: the kind of
# record, the venue, then the record within it).
OPENALEX_WORK_PATTERN = r"^W[1-9][0-9]*$"
DBLP_KEY_PATTERN = r"^[a-z]+(/[A-Za-z0-9_.+-]+){2,}$"
OPENALEX_WORK_MESSAGE = _("Enter an OpenAlex work id such as W2741809807.")
DBLP_KEY_MESSAGE = _("Enter a DBLP key such as conf/nips/PascanuMB13.")


class SearchIndex(GinIndex):
    """A GIN index, through which PostgreSQL searches (publications.search).

    Other databases have no GIN index and search without one: they get an ordinary index of the
    same name and columns, so that a migration that rebuilds a table there (SQLite rebuilds it
    for most changes) still succeeds.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)


class Author(models.Model):
    """A person who signs papers, whether or not they are one of the institute's researchers."""

    display_name = models.CharField(
        _("name as displayed"), max_length=255, help_text=_("For example Maciej Pióro.")
    )
    given_name = models.CharField(
        _("given name"),
        max_length=150,
        blank=True,
        help_text=_("Filled in from the name if empty."),
    )
    family_name = models.CharField(
        _("family name"),
        max_length=150,
        blank=True,
        help_text=_("Filled in from the name if empty."),
    )
    suffix = models.CharField(
        _("suffix"),
        max_length=50,
        blank=True,
        help_text=_("Jr., Sr., III… Never part of the family name."),
    )
    is_organization = models.BooleanField(
        _("organisation"),
        default=False,
        help_text=_(
            "A body that signs as a whole (World Health Organization, a collaboration): its "
            "name is never split into given and family names."
        ),
    )
    name_key = models.CharField(_("matching key"), max_length=255, editable=False, db_index=True)
    orcid = OrcidField(_("ORCID iD"), blank=True)
    researcher = models.OneToOneField(
        Researcher,
        verbose_name=_("researcher"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text=_("The institute's researcher this author is, if any."),
    )

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        indexes = [
            # A misspelt name finds the authors whose name holds a similar word (trigrams).
            SearchIndex(
                fields=["name_key"], name="author_name_key_trgm_idx", opclasses=["gin_trgm_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"],
                condition=~Q(orcid=""),
                name="publications_author_orcid_unique",
                violation_error_message=_("Another author already has this ORCID iD."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    DERIVED_FIELDS = ("display_name", "given_name", "family_name", "suffix", "name_key")

    def refresh_derived_fields(self) -> None:
        """Tidy the name and recompute its parts and matching key (save() does it; bulk
        writes call it themselves)."""
        self.display_name = " ".join(self.display_name.split())
        if self.is_organization:
            self.given_name, self.family_name, self.suffix = "", self.display_name, ""
        elif not (self.given_name or self.family_name):
            self.given_name, self.family_name = split_name(self.display_name)
        self.name_key = name_key(self.display_name)

    @property
    def public_profile(self) -> Researcher | None:
        """The linked researcher when visitors may see their profile."""
        if self.researcher is not None and self.researcher.is_published:
            return self.researcher
        return None


class PublicationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_researcher(self, researcher: Researcher):
        return self.filter(authorships__author__researcher=researcher)

    def newest_first(self):
        return self.order_by("-year", "-created_at", "-pk")

    def with_topics(self):
        """Prefetch the research topics (one query)."""
        return self.prefetch_related(topics_prefetch())

    def with_authors(self):
        """Prefetch the authors in order, with the researcher each one is, and the other
        versions (two queries)."""
        return self.prefetch_related(authors_prefetch(), "versions")


def topics_prefetch() -> Prefetch:
    return Prefetch("topics", queryset=ResearchTopic.objects.all())


def authors_prefetch() -> Prefetch:
    return Prefetch(
        "authorships",
        queryset=Authorship.objects.select_related("author__researcher").order_by(
            "role", "position"
        ),
    )


class PublicationManager(models.Manager):
    def get_queryset(self):
        # The search vector is large and only ever read by the database itself.
        return super().get_queryset().defer("search_vector")


class PublicationKind(models.TextChoices):
    JOURNAL_ARTICLE = "article", _("Journal article")
    CONFERENCE_PAPER = "inproceedings", _("Conference paper")
    PREPRINT = "preprint", _("Preprint")
    BOOK = "book", _("Book")
    BOOK_CHAPTER = "incollection", _("Book chapter")
    THESIS = "thesis", _("Thesis")
    REPORT = "report", _("Technical report")
    OTHER = "misc", _("Other")


# Which version of a work is cited: the most final one. A journal article supersedes the
# conference paper it extends, which supersedes a report or a preprint of the same work.
CITATION_RANK = {
    PublicationKind.JOURNAL_ARTICLE: 6,
    PublicationKind.BOOK: 5,
    PublicationKind.BOOK_CHAPTER: 5,
    PublicationKind.CONFERENCE_PAPER: 4,
    PublicationKind.THESIS: 3,
    PublicationKind.REPORT: 2,
    PublicationKind.OTHER: 1,
    PublicationKind.PREPRINT: 0,
}


class CitedFields(models.Model):
    """What a citation of one version of a work needs: where, when, which part of it."""

    Kind = PublicationKind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PREPRINT)
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[
            MinValueValidator(YEAR_MIN, _("The year must be %(limit_value)s or later.")),
            MaxValueValidator(YEAR_MAX, _("The year must be %(limit_value)s or earlier.")),
        ],
    )
    month = models.PositiveSmallIntegerField(
        _("month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 to 12, when known."),
    )
    day = models.PositiveSmallIntegerField(
        _("day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("With the month, when the full date is known."),
    )
    venue = models.CharField(
        _("venue"),
        max_length=300,
        blank=True,
        help_text=_(
            "The journal, the proceedings or the book it appears in (e.g. ICML 2024); for "
            "other kinds, how it was published."
        ),
    )
    volume = models.CharField(_("volume"), max_length=50, blank=True)
    issue = models.CharField(_("issue"), max_length=50, blank=True, help_text=_("Of a journal."))
    pages = models.CharField(
        _("pages"), max_length=50, blank=True, help_text=_("A page or a range: 12–34.")
    )
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    edition = models.CharField(_("edition"), max_length=50, blank=True)
    series = models.CharField(_("series"), max_length=255, blank=True)
    institution = models.CharField(
        _("institution"),
        max_length=255,
        blank=True,
        help_text=_("The university of a thesis, the institution of a report."),
    )
    number = models.CharField(
        _("number"),
        max_length=50,
        blank=True,
        help_text=_("A report's number, or the number in a series."),
    )
    address = models.CharField(
        _("place"), max_length=255, blank=True, help_text=_("Where it was published.")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    doi = DOIField(_("DOI"), blank=True)
    arxiv_id = ArxivIdField(_("arXiv identifier"), blank=True)
    url = models.URLField(_("web page"), blank=True, validators=[validate_no_breaking_characters])

    # The fields above, in the order a citation reads them; versions copy them to and fro.
    CITED_FIELDS = (
        "kind", "year", "month", "day", "venue", "volume", "issue", "pages", "publisher",
        "edition", "series", "institution", "number", "address", "note", "doi", "arxiv_id",
        "url",
    )  # fmt: skip

    class Meta:
        abstract = True

    @property
    def month_name(self) -> str:
        return str(MONTHS[self.month]) if self.month in MONTHS else ""

    @property
    def citation_rank(self) -> int:
        return CITATION_RANK.get(self.kind, 0)

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else ""

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


class Publication(CitedFields):
    """One work, as cited (its most final version), with the other versions it is known in."""

    title = models.CharField(_("title"), max_length=500)
    abstract = models.TextField(_("abstract"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=16,
        default="en",
        validators=[
            RegexValidator(
                r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                _("Enter a language code such as en, fr or pt-BR."),
            )
        ],
        help_text=_(
            "Language of the title and abstract (en, fr, de…), so that screen readers "
            "pronounce them right."
        ),
    )
    pdf_url = models.URLField(_("PDF"), blank=True, validators=[validate_no_breaking_characters])
    code_url = models.URLField(_("code"), blank=True, validators=[validate_no_breaking_characters])
    # The work's records in OpenAlex and DBLP, as the harvest finds them: like a DOI, each
    # names one work (services/matching.py).
    openalex_id = models.CharField(
        _("OpenAlex work id"),
        max_length=20,
        blank=True,
        editable=False,
        validators=[RegexValidator(OPENALEX_WORK_PATTERN, OPENALEX_WORK_MESSAGE)],
    )
    dblp_key = models.CharField(
        _("DBLP key"),
        max_length=255,
        blank=True,
        editable=False,
        validators=[RegexValidator(DBLP_KEY_PATTERN, DBLP_KEY_MESSAGE)],
    )
    # How often the work is cited, as the harvest last read it (null until it is read), and
    # when; the counts per year are PublicationCitationYear rows.
    cited_by_count = models.PositiveIntegerField(
        _("citations"), null=True, blank=True, editable=False
    )
    citations_read_at = models.DateTimeField(
        _("citations read on"), null=True, blank=True, editable=False
    )
    authors_truncated = models.BooleanField(
        _("more authors than listed"),
        default=False,
        help_text=_("The source lists only the first authors (“et al.”)."),
    )
    editors_truncated = models.BooleanField(
        _("more editors than listed"),
        default=False,
        help_text=_("The source lists only the first editors (“et al.”)."),
    )
    topics = models.ManyToManyField(
        ResearchTopic, verbose_name=_("research topics"), related_name="publications", blank=True
    )
    authors = models.ManyToManyField(
        Author, through="Authorship", related_name="publications", verbose_name=_("authors")
    )
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Only published publications are shown to visitors."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Title, venue and abstract in lower case without accents, for searching on every database.
    search_text = models.TextField(editable=False, default="")
    # The title without case, accents, spaces or punctuation: look-alikes share it.
    title_key = models.CharField(max_length=500, editable=False, default="", db_index=True)
    # PostgreSQL only: the weighted full-text vector, computed by database triggers whenever the
    # publication or its authors change (so bulk writes and imports keep it current too).
    search_vector = SearchVectorField(null=True, editable=False, serialize=False)

    objects = PublicationManager.from_queryset(PublicationQuerySet)()

    class Meta:
        ordering = ["-year", "-created_at", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["doi"],
                condition=~Q(doi=""),
                name="publications_publication_doi_unique",
                violation_error_message=_("Another publication already has this DOI."),
            ),
            models.UniqueConstraint(
                fields=["arxiv_id"],
                condition=~Q(arxiv_id=""),
                name="publications_publication_arxiv_id_unique",
                violation_error_message=_("Another publication already has this arXiv identifier."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN) & Q(year__lte=YEAR_MAX),
                name="publications_publication_year_range",
                violation_error_message=_("The year must be between 1900 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | (Q(month__gte=1) & Q(month__lte=12)),
                name="publications_publication_month_range",
                violation_error_message=_("The month must be between 1 and 12."),
            ),
            models.CheckConstraint(
                condition=Q(day__isnull=True)
                | (Q(month__isnull=False) & Q(day__gte=1) & Q(day__lte=31)),
                name="publications_publication_day_with_month",
                violation_error_message=_("A day needs a month, and is between 1 and 31."),
            ),
            models.CheckConstraint(
                condition=Q(doi="") | Q(doi__regex=DOI_PATTERN),
                name="publications_publication_doi_format",
                violation_error_message=_("Enter a DOI such as 10.48550/arXiv.2307.11888."),
            ),
            models.CheckConstraint(
                condition=Q(arxiv_id="") | Q(arxiv_id__regex=ARXIV_ID_PATTERN),
                name="publications_publication_arxiv_id_format",
                violation_error_message=_(
                    "Enter an arXiv identifier such as 2307.11888 or math/0211159."
                ),
            ),
            models.UniqueConstraint(
                fields=["openalex_id"],
                condition=~Q(openalex_id=""),
                name="publications_publication_openalex_id_unique",
                violation_error_message=_("Another publication already has this OpenAlex id."),
            ),
            models.CheckConstraint(
                condition=Q(openalex_id="") | Q(openalex_id__regex=OPENALEX_WORK_PATTERN),
                name="publications_publication_openalex_id_format",
                violation_error_message=OPENALEX_WORK_MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["dblp_key"],
                condition=~Q(dblp_key=""),
                name="publications_publication_dblp_key_unique",
                violation_error_message=_("Another publication already has this DBLP key."),
            ),
            models.CheckConstraint(
                condition=Q(dblp_key="") | Q(dblp_key__regex=DBLP_KEY_PATTERN),
                name="publications_publication_dblp_key_format",
                violation_error_message=DBLP_KEY_MESSAGE,
            ),
        ]
        indexes = [
            # The public lists: published publications newest first, filtered by year or kind.
            # With the kind included, PostgreSQL counts them and their facets from the index
            # alone, without reading the (wide) rows.
            models.Index(
                fields=["-year", "-created_at", "-id"],
                include=["kind"],
                condition=models.Q(is_published=True),
                name="publication_listing_idx",
            ),
            # A publication reached through another table (a topic's links, a researcher's
            # authorships) is known to be published, with its year and kind, from the index
            # alone: a list by topic and a profile count theirs without reading the rows.
            models.Index(
                fields=["id"],
                include=["year", "kind", "created_at"],
                condition=models.Q(is_published=True),
                name="publication_published_idx",
            ),
            SearchIndex(fields=["search_vector"], name="publication_search_vector_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publications:publication_detail", kwargs={"pk": self.pk})

    DERIVED_FIELDS = ("search_text", "title_key")

    @property
    def is_retracted(self) -> bool:
        """Whether a retraction notice is recorded (from the prefetched notices when there
        are)."""
        return any(n.kind == PublicationNotice.Kind.RETRACTION for n in self.notices.all())

    @property
    def author_authorships(self) -> list["Authorship"]:
        """The authors in order, from the prefetched authorships when there are."""
        return [a for a in self.authorships.all() if a.role == Authorship.Role.AUTHOR]

    @property
    def editor_authorships(self) -> list["Authorship"]:
        return [a for a in self.authorships.all() if a.role == Authorship.Role.EDITOR]

    def refresh_derived_fields(self) -> None:
        """Recompute the search fields (save() does it; bulk writes call it themselves)."""
        self.search_text = fold(" ".join([self.title, self.venue, self.abstract]))
        self.title_key = title_key(self.title)


class PublicationCitationYear(models.Model):
    """How often a publication was cited in one year, as the harvest last read it.

    Rows rather than a JSON field on the publication: OpenAlex gives only the last ten years,
    so a year the source no longer lists keeps the count read while it did (a harvest writes
    the years it reads and leaves the others); and a researcher's citations per year, for a
    profile, are one grouped query over these rows.
    """

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="citation_years",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("citations"))

    class Meta:
        ordering = ["publication", "year"]
        verbose_name = _("citations in a year")
        verbose_name_plural = _("citations per year")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "year"],
                name="publications_citationyear_unique",
                violation_error_message=_("This publication already has a count for this year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN) & Q(year__lte=YEAR_MAX),
                name="publications_citationyear_year_range",
                violation_error_message=_("The year must be between 1900 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.count}"


class PublicationNotice(models.Model):
    """A notice published about a work: its retraction, a correction, an expression of concern
    or its withdrawal, with the notice's DOI and date when known.

    Notices rather than a retraction flag on the publication: a work may have several (a
    correction, later a retraction), and a public page lists each with a link to it. The
    harvest proposes them; an editor accepts them."""

    class Kind(models.TextChoices):
        RETRACTION = "retraction", _("Retraction")
        CORRECTION = "correction", _("Correction")
        EXPRESSION_OF_CONCERN = "expression_of_concern", _("Expression of concern")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    doi = DOIField(_("notice DOI"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["publication", "date", "pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "kind", "doi"],
                name="publications_notice_unique",
                violation_error_message=_("This notice is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["retraction", "correction", "expression_of_concern", "withdrawal"]
                ),
                name="publications_notice_kind_valid",
                violation_error_message=_("Choose a kind of notice from the list."),
            ),
            models.CheckConstraint(
                condition=Q(doi="") | Q(doi__regex=DOI_PATTERN),
                name="publications_notice_doi_format",
                violation_error_message=_("Enter a DOI such as 10.48550/arXiv.2307.11888."),
            ),
        ]

    def __str__(self) -> str:
        if self.date is None:
            return self.get_kind_display()
        return f"{self.get_kind_display()} ({self.date:%Y-%m-%d})"

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


class PublicationLink(models.Model):
    """A further link of a publication beside its PDF and code: its slides, a video of the
    talk, the poster, the project's page, its data."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slides")
        VIDEO = "video", _("Video")
        POSTER = "poster", _("Poster")
        PROJECT = "project", _("Project page")
        DATA = "data", _("Data")

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="links",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    url = models.URLField(
        _("address"), max_length=500, validators=[validate_no_breaking_characters]
    )

    class Meta:
        ordering = ["publication", "kind", "pk"]
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "kind", "url"],
                name="publications_link_unique",
                violation_error_message=_("This link is already listed."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["slides", "video", "poster", "project", "data"]),
                name="publications_link_kind_valid",
                violation_error_message=_("Choose a kind of link from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.url}"


class FieldOrigin(models.TextChoices):
    EDITOR = "editor", pgettext_lazy("where a value came from", "an editor")
    IMPORT = "import", pgettext_lazy("where a value came from", "an import")
    HARVEST = "harvest", pgettext_lazy("where a value came from", "the harvest")


class FieldSource(models.Model):
    """Where the value of one field of a publication came from (an editor, an import, a source
    of the harvest with the work's id there) and when, and whether it is locked: the harvest
    never proposes to change a locked field. An editor's change locks the field it changes
    (services/provenance.py)."""

    Origin = FieldOrigin

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="field_sources",
    )
    field_name = models.CharField(_("field"), max_length=50)
    origin = models.CharField(_("origin"), max_length=10, choices=FieldOrigin.choices)
    source = models.CharField(
        _("source"), max_length=50, blank=True, help_text=_("Such as openalex or bibtex.")
    )
    source_id = models.CharField(
        _("id in the source"), max_length=255, blank=True, help_text=_("Such as W2741809807.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("The harvest never proposes to change it.")
    )

    class Meta:
        ordering = ["publication", "field_name"]
        verbose_name = _("field source")
        verbose_name_plural = _("field sources")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "field_name"],
                name="publications_fieldsource_unique",
                violation_error_message=_("This field's source is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(origin__in=["editor", "import", "harvest"]),
                name="publications_fieldsource_origin_valid",
                violation_error_message=_("Choose an origin from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field_name}: {self.get_origin_display()}"


class TopicPublicationCount(models.Model):
    """How many published publications each research topic has, kept exact by the database
    (triggers of migration 0015) in the transaction of every write, whatever makes it: the
    admin, an import, a merge, a bulk update, plain SQL.

    The topic index and the publication list's topic facet read these instead of counting every
    topic link on each first visit. A topic that never had a publication has no row.
    """

    # The database removes the row with its topic (a trigger): editors deleting a topic are not
    # shown it among what goes with the topic.
    topic = models.OneToOneField(
        ResearchTopic, on_delete=models.DO_NOTHING, primary_key=True, related_name="+"
    )
    published = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.published}"


class ResearcherYearCount(models.Model):
    """How many published publications a researcher signed (as an author or an editor) in each
    year, kept exact by the database (triggers of migration 0021) in the transaction of every
    write, whatever makes it. A profile's chart and year filter read these instead of counting
    the researcher's publications on each first visit. Years without any have no row."""

    researcher = models.ForeignKey(Researcher, on_delete=models.DO_NOTHING, related_name="+")
    year = models.PositiveSmallIntegerField()
    published = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["researcher", "year"], name="publications_researcher_year_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.researcher_id}, {self.year}: {self.published}"


class ResearcherTopicCount(models.Model):
    """How many published publications a researcher signed on each research topic, kept exact
    like :class:`ResearcherYearCount`; a profile's topic chips read these."""

    researcher = models.ForeignKey(Researcher, on_delete=models.DO_NOTHING, related_name="+")
    topic = models.ForeignKey(ResearchTopic, on_delete=models.DO_NOTHING, related_name="+")
    published = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["researcher", "topic"], name="publications_researcher_topic_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.researcher_id}, {self.topic_id}: {self.published}"


class CoauthorCount(models.Model):
    """How many published works a researcher signed as an author with each other author, kept
    exact like :class:`ResearcherYearCount`: a profile's most frequent coauthors and the page of
    all of them read these instead of counting every coauthor's works on each first visit.
    Editors of a volume are not its authors' coauthors."""

    researcher = models.ForeignKey(Researcher, on_delete=models.DO_NOTHING, related_name="+")
    author = models.ForeignKey("Author", on_delete=models.DO_NOTHING, related_name="+")
    joint = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["researcher", "author"], name="publications_coauthor_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.researcher_id}, {self.author_id}: {self.joint}"


class AuthorshipQuerySet(models.QuerySet):
    def authors(self):
        return self.filter(role=Authorship.Role.AUTHOR)

    def editors(self):
        return self.filter(role=Authorship.Role.EDITOR)


class Authorship(models.Model):
    """One author (or editor) of one publication, at a position in the list of its role
    (1 is the first author)."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("author")
        EDITOR = "editor", _("editor")

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="authorships",
    )
    author = models.ForeignKey(
        Author,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="authorships",
        db_index=False,  # authorship_author_pub_idx starts with it
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(
        _("position"), validators=[MinValueValidator(1, _("Positions start at 1."))]
    )
    # Marks a list shows beside the name: "*" for authors who contributed equally (co-first
    # or co-last authors), and the corresponding author.
    equal_contribution = models.BooleanField(
        _("equal contribution"),
        default=False,
        help_text=_("Marked with * beside the name: co-first or co-last authors."),
    )
    corresponding = models.BooleanField(_("corresponding author"), default=False)
    # Key for this author only: a paper signed by three members can be key for one of them.
    is_key = models.BooleanField(
        _("key publication"),
        default=False,
        help_text=_(
            "Shown first on this member's profile, under “Key publications” (a handful at most)."
        ),
    )

    objects = AuthorshipQuerySet.as_manager()

    class Meta:
        ordering = ["publication", "role", "position"]
        verbose_name = _("authorship")
        verbose_name_plural = _("authorships")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "role", "position"],
                name="publications_authorship_position_unique",
                violation_error_message=_("Two authors cannot have the same position."),
            ),
            models.UniqueConstraint(
                fields=["publication", "role", "author"],
                name="publications_authorship_author_unique",
                violation_error_message=_("This author is already listed on this publication."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="publications_authorship_position_positive",
                violation_error_message=_("Positions start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["author", "editor"]),
                name="publications_authorship_role_valid",
                violation_error_message=_("An authorship is an author's or an editor's."),
            ),
            models.CheckConstraint(
                condition=Q(role="author")
                | Q(equal_contribution=False, corresponding=False, is_key=False),
                name="publications_authorship_marks_authors_only",
                violation_error_message=_(
                    "Only authors, not editors, are marked as equal contributors, "
                    "corresponding or key."
                ),
            ),
        ]
        indexes = [
            # A researcher's publications (a profile, its count and its topic counts) are read
            # from this index alone, not from hundreds of scattered authorship rows.
            models.Index(fields=["author", "publication"], name="authorship_author_pub_idx"),
        ]

    def __str__(self) -> str:
        if self.role == self.Role.EDITOR:
            return _("%(position)d. %(name)s (ed.)") % {
                "position": self.position,
                "name": self.author,
            }
        return f"{self.position}. {self.author}"

    @property
    def is_editor(self) -> bool:
        return self.role == self.Role.EDITOR


class PublicationVersion(CitedFields):
    """Another version of a publication's work, recognised in an import or a merge: the
    preprint of a conference paper, the report a journal article grew from.

    The publication holds the version that is cited; each of these keeps what it brought, so
    that nothing is lost and a version merged by mistake can be split back out.
    """

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    title = models.CharField(
        _("title"), max_length=500, blank=True, help_text=_("If it differs from the publication's.")
    )
    source_key = models.CharField(
        _("source key"), max_length=255, blank=True, help_text=_("Its key in the imported BibTeX.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["publication", "-year", "pk"]
        verbose_name = _("other version")
        verbose_name_plural = _("other versions")
        constraints = [
            models.UniqueConstraint(
                fields=["doi"],
                condition=~Q(doi=""),
                name="publications_version_doi_unique",
                violation_error_message=_("Another version already has this DOI."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN) & Q(year__lte=YEAR_MAX),
                name="publications_version_year_range",
                violation_error_message=_("The year must be between 1900 and 2100."),
            ),
        ]
        indexes = [
            # The matcher finds the versions of a batch's works by arXiv id too.
            models.Index(
                fields=["arxiv_id"], condition=~Q(arxiv_id=""), name="version_arxiv_id_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.year}"


class PendingImportQuerySet(models.QuerySet):
    def expired(self) -> "PendingImportQuerySet":
        """Imports nobody has touched for longer than ``PendingImport.LIFETIME``."""
        return self.filter(updated_at__lt=timezone.now() - PendingImport.LIFETIME)


class PendingImport(models.Model):
    """A BibTeX text an editor has given to import, until it is imported, fails, is cancelled
    or expires: it is deleted then, so that no large text stays in the database.

    Kept in the database rather than in a form field or a local file, so that a large file
    survives the round trip, the confirmation may reach any of several app servers, and a
    background worker can read it.
    """

    # An import left unconfirmed (or unfinished) this long is abandoned.
    LIFETIME = timedelta(days=1)

    class State(models.TextChoices):
        PREVIEWING = "previewing", _("preview under way")
        PREVIEWED = "previewed", _("waiting for confirmation")
        IMPORTING = "importing", _("import under way")

    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    researcher = models.ForeignKey(Researcher, on_delete=models.CASCADE, null=True, blank=True)
    topics = models.ManyToManyField(ResearchTopic, blank=True, related_name="+")
    skip_invalid = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What the editor gave, as their list of imports names it: the file's name (empty when
    # pasted) and its size in bytes.
    source = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # The editor's language: a background task writes its report in it.
    language = models.CharField(max_length=10, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PREVIEWING)
    # The background task now working on it, if any (a small text is handled in the request).
    task_id = models.CharField(max_length=64, blank=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending BibTeX import")
        verbose_name_plural = _("pending BibTeX imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["updated_at"], name="pendingimport_updated_idx")]

    def __str__(self) -> str:
        return f"{self.created_by} {self.created_at:%Y-%m-%d %H:%M}"
