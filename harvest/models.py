"""What the harvest found, before an editor decides: candidates, the source records each was read
from, the works editors rejected, and the runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models import Researcher
from publications.models import Publication


class IdentityKeys(models.Model):
    """The keys a work is matched by (services/matching.py's rule), as columns that are looked
    up in bulk: each identifier, and the title's matching key with the year."""

    doi = models.CharField(_("DOI"), max_length=255, blank=True)
    arxiv_id = models.CharField(_("arXiv identifier"), max_length=32, blank=True)
    openalex_id = models.CharField(_("OpenAlex work id"), max_length=20, blank=True)
    dblp_key = models.CharField(_("DBLP key"), max_length=255, blank=True)
    title_key = models.CharField(max_length=500, blank=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    IDENTITY_FIELDS = ("doi", "arxiv_id", "openalex_id", "dblp_key", "title_key", "year")

    class Meta:
        abstract = True


def identity_indexes(prefix: str) -> list[models.Index]:
    """An index per identifier and one on the title key with the year, so that finding the rows
    of a researcher's works reads indexes only, however many rows there are."""
    names = ["doi", "arxiv_id", "openalex_id", "dblp_key"]
    return [models.Index(fields=[name], name=f"{prefix}_{name}_idx") for name in names] + [
        models.Index(fields=["title_key", "year"], name=f"{prefix}_title_idx")
    ]


class CandidateQuerySet(models.QuerySet):
    def to_review(self):
        return self.filter(status=Candidate.Status.NEW)

    def for_researcher(self, researcher: Researcher):
        return self.filter(researcher=researcher)


class Candidate(IdentityKeys):
    """One work the harvest found in one or more sources, and what it would change: a new work,
    a new version of a stored publication, changed fields of one, or a suspected duplicate of
    one. An editor accepts or rejects it; nothing is published before."""

    class Status(models.TextChoices):
        NEW = "new", _("to review")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    class Relation(models.TextChoices):
        NEW_WORK = "new_work", _("new work")
        NEW_VERSION = "new_version", _("new version of a stored publication")
        CHANGED_FIELDS = "changed_fields", _("changed fields of a stored publication")
        DUPLICATE = "duplicate", _("suspected duplicate of a stored publication")

    class Reason(models.TextChoices):
        """Why a work whose title reads like a stored one's may be that work, or not."""

        SAME_TITLE = "same_title", _("the same title")
        SAME_YEAR = "same_year", _("the same year")
        YEAR_APART = "year_apart", _("a year apart")
        SAME_FIRST_AUTHOR = "same_first_author", _("the same first author")
        SAME_KIND = "same_kind", _("the same kind")
        SAME_VENUE = "same_venue", _("the same venue")
        DIFFERENT_IDENTIFIERS = "different_identifiers", _("different identifiers")
        DIFFERENT_KIND = "different_kind", _("another kind of publication")
        ARXIV_VERSION = "arxiv_version", _("a new arXiv version")

    researcher = models.ForeignKey(
        Researcher,
        verbose_name=_("researcher"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="harvest_candidates",
        help_text=_("Whose harvest found it first."),
    )
    title = models.CharField(_("title"), max_length=500)
    # The work as the sources describe it, merged: HarvestedWork's fields, in JSON.
    fields = models.JSONField(_("fields"), default=dict, blank=True)
    # The source each merged field was taken from: {"venue": "crossref", ...}.
    origins = models.JSONField(_("origins"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    relation = models.CharField(_("what it is"), max_length=20, choices=Relation.choices)
    # Field by field, what would change: [{"field", "stored", "proposed", "source",
    # "source_id"}, ...].
    diff = models.JSONField(_("changes"), default=list, blank=True)
    # Reason codes (Reason) of a suspected duplicate or a new version.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    score = models.FloatField(
        _("likelihood"),
        null=True,
        blank=True,
        help_text=_("From 0 to 1: how likely a suspected duplicate is the stored publication."),
    )
    is_retraction = models.BooleanField(
        _("retraction"), default=False, help_text=_("A source says the work was retracted.")
    )
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("stored publication"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="harvest_candidates",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "accepted", "rejected"]),
                name="harvest_candidate_status_valid",
                violation_error_message=_("Choose a status from the list."),
            ),
            models.CheckConstraint(
                condition=Q(
                    relation__in=["new_work", "new_version", "changed_fields", "duplicate"]
                ),
                name="harvest_candidate_relation_valid",
                violation_error_message=_("Choose what the candidate is from the list."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=1)),
                name="harvest_candidate_score_range",
                violation_error_message=_("The likelihood is between 0 and 1."),
            ),
        ]
        indexes = [
            *identity_indexes("candidate"),
            models.Index(fields=["status", "relation"], name="candidate_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def reason_labels(self) -> list[str]:
        """The reasons in words, in the active language."""
        labels = dict(self.Reason.choices)
        return [str(labels.get(code, code)) for code in self.reasons]


class CandidateSource(models.Model):
    """One record of a work in one source (its id there, what the source said and when), and
    what the harvest made of it: the candidate it is part of, or the stored publication it is a
    record of. A second run that reads the same answer (the same payload hash) skips it."""

    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sources",
    )
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("stored publication"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="harvest_sources",
    )
    source = models.CharField(_("source"), max_length=20)
    source_id = models.CharField(_("id in the source"), max_length=255)
    payload_hash = models.CharField(_("payload hash"), max_length=64)
    payload = models.JSONField(_("payload"), null=True, blank=True)
    # The record as this source describes it (HarvestedWork's fields, in JSON).
    fields = models.JSONField(_("fields"), default=dict, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))

    class Meta:
        ordering = ["source", "source_id"]
        verbose_name = _("candidate source")
        verbose_name_plural = _("candidate sources")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                name="harvest_candidatesource_unique",
                violation_error_message=_("This source record is already stored."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.source_id}"


class Rejection(IdentityKeys):
    """What an editor rejected, so that the harvest never proposes it again whichever source
    brings it back: a work (its identity keys; no publication), or one proposal about a stored
    publication (``proposal`` names it: a field's value, a version)."""

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("stored publication"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    proposal = models.CharField(_("proposal"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rejections",
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected"), default=timezone.now)

    class Meta:
        ordering = ["-rejected_at", "-pk"]
        verbose_name = _("rejection")
        verbose_name_plural = _("rejections")
        constraints = [
            models.CheckConstraint(
                condition=Q(publication__isnull=True) | ~Q(proposal=""),
                name="harvest_rejection_proposal_named",
                violation_error_message=_("A rejected proposal about a publication is named."),
            ),
            models.UniqueConstraint(
                fields=["publication", "proposal"],
                condition=Q(publication__isnull=False),
                name="harvest_rejection_proposal_unique",
                violation_error_message=_("This proposal is already rejected."),
            ),
        ]
        indexes = identity_indexes("rejection")

    def __str__(self) -> str:
        return self.title or self.proposal


class HarvestRun(models.Model):
    """One run of ``manage.py harvest``: what it was asked for and, per source, what it found."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    researcher = models.ForeignKey(
        Researcher,
        verbose_name=_("researcher"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The one researcher asked for; empty for all."),
    )
    sources = models.JSONField(
        _("sources"), default=list, blank=True, help_text=_("The sources asked for; empty for all.")
    )
    since = models.DateField(_("changed since"), null=True, blank=True)
    researcher_count = models.PositiveIntegerField(_("researchers"), default=0)
    # Per source: {"found": 12, "new": 3, "updated": 1, "errors": ["..."]}.
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def error_count(self) -> int:
        return sum(len(counts.get("errors", [])) for counts in self.summary.values())
