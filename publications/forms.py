"""Forms of the publication admin."""

from django import forms
from django.forms.models import BaseInlineFormSet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from profiles.models import Researcher, ResearchTopic

from .bibtex import MAX_FILE_BYTES, BibtexFileError, decode_bibtex_file, file_too_large_message
from .models import Authorship, Publication
from .services.matching import WorkKeys, publications_of_work


class AuthorshipFormSet(BaseInlineFormSet):
    """A publication's ordered authors and editors, as one form per person.

    Authors and editors are numbered apart: each role has its own positions from 1. A row left
    without a position goes to the end of its role's list, in the order of the rows. People can
    be swapped or moved freely, from one role to the other too: rows whose role, position or
    person changed are written after the old rows are out of the way, so the uniqueness
    constraints never see a clash halfway through a reordering.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["position"].required = False
        form.fields["position"].help_text = _("Leave empty to add at the end of its role's list.")

    def clean(self):
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk is not None
            if not self._should_delete_form(form) and hasattr(form, "cleaned_data")
        ]
        next_position: dict[str, int] = {}
        for form in kept:
            role, position = self._role(form), form.cleaned_data.get("position")
            if position:
                next_position[role] = max(next_position.get(role, 1), position + 1)
        for form in kept:
            if form.cleaned_data.get("author") and not form.cleaned_data.get("position"):
                role = self._role(form)
                position = next_position.get(role, 1)
                form.cleaned_data["position"] = form.instance.position = position
                next_position[role] = position + 1
        super().clean()

    @staticmethod
    def _role(form) -> str:
        return form.cleaned_data.get("role") or Authorship.Role.AUTHOR

    def get_unique_error_message(self, unique_check):
        if "position" in unique_check:
            return _("Two authors cannot have the same position.")
        if "author" in unique_check:
            return _("This author is already listed on this publication.")
        return super().get_unique_error_message(unique_check)

    def save_existing_objects(self, commit=True):
        if not commit:
            return super().save_existing_objects(commit)
        moved = [
            form
            for form in self.initial_forms
            if form.has_changed() and not self._should_delete_form(form)
        ]
        deleted = [
            form.instance.pk for form in self.initial_forms if self._should_delete_form(form)
        ]
        Authorship.objects.filter(pk__in=[form.instance.pk for form in moved] + deleted).delete()
        # A moved row is written as a new row: history then holds the old row and the new one
        # apart, so that a revert deletes the new one before writing the old one back, instead
        # of writing rows back one by one into positions that others hold meanwhile.
        for form in moved:
            form.instance.pk = None
            form.instance._state.adding = True
        saved = super().save_existing_objects(commit)  # skips the rows without a key
        for form in moved:
            saved.append(self.save_existing(form, form.instance, commit=commit))
            self.changed_objects.append((form.instance, form.changed_data))
        return saved


class BibtexImportForm(forms.Form):
    """What an editor gives to import publications: a .bib file or pasted BibTeX."""

    file = forms.FileField(
        label=_("BibTeX file"),
        required=False,
        help_text=_("A .bib file in UTF-8, at most 20 MB."),
    )
    text = forms.CharField(
        label=_("or paste BibTeX"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90, "spellcheck": "false"}),
    )
    researcher = forms.ModelChoiceField(
        label=_("Researcher"),
        queryset=Researcher.objects.all(),
        required=False,
        help_text=_(
            "Whose publication list this is: their name in the author lists is linked "
            "to their profile."
        ),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Research topics"),
        queryset=ResearchTopic.objects.all(),
        required=False,
        help_text=_("Added to every imported publication."),
    )
    skip_invalid = forms.BooleanField(
        label=_("Skip invalid entries"),
        required=False,
        help_text=_("Import the valid entries even if others cannot be read."),
    )

    @staticmethod
    def initial_from(query: QueryDict) -> dict:
        """The initial values an address may give, as in ``?researcher=<id>`` from a
        researcher's page; anything else in it is ignored."""
        researcher = query.get("researcher", "")
        # Ids only: a longer or non-ASCII number would mean nothing to the database.
        if researcher.isascii() and researcher.isdigit() and len(researcher) <= 18:
            return {"researcher": int(researcher)}
        return {}

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        pasted = cleaned_data.get("text", "")
        if upload and pasted.strip():
            raise forms.ValidationError(_("Give a file or pasted text, not both."))
        if not upload and not pasted.strip():
            raise forms.ValidationError(_("Choose a .bib file or paste BibTeX."))
        if upload and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(file_too_large_message(upload.size))
        try:
            if upload:
                # Read one byte past the limit: enough to refuse a huge file.
                cleaned_data["bibtex"] = decode_bibtex_file(upload.read(MAX_FILE_BYTES + 1))
            else:
                cleaned_data["bibtex"] = decode_bibtex_file(pasted.encode())
        except BibtexFileError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned_data


# The editor's answer when a publication looks like one already stored: "different:<ids>" (it is
# another work than the publications <ids> shown) or "merge:<id>" (it is a record of that one).
DUPLICATE_CHOICE = "duplicate_choice"
DIFFERENT_WORK = "different"
MERGE_INTO = "merge"
# What makes a publication the record of a work (the title within a year): a change to one of
# these is checked again.
WORK_IDENTITY_FIELDS = ("title", "year", "doi", "arxiv_id")


class DuplicateChoiceField(forms.CharField):
    """The editor's answer to the duplicate notice: part of the form, never of the publication
    (so it is not listed among the changes the history records)."""

    widget = forms.RadioSelect

    def has_changed(self, initial, data) -> bool:
        return False


class DuplicateCheckMixin:
    """A publication form that does not save a record of a work already stored (same DOI, arXiv
    id, or title within a year: the rule of the BibTeX import) until the editor says it is
    another work, or chooses to merge it into the stored one.

    After validation, ``duplicates`` holds the stored publications it matched and
    ``merge_target`` the one the editor chose to merge it into, once it is saved.
    """

    may_merge = True  # the admin turns it off for an editor who may not merge

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates: list[Publication] = []
        self.merge_target: Publication | None = None
        self.fields[DUPLICATE_CHOICE] = DuplicateChoiceField(
            label=_("What is this publication?"), required=False
        )

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and not set(WORK_IDENTITY_FIELDS) & set(self.changed_data):
            return cleaned_data
        keys = WorkKeys.typed(
            title=cleaned_data.get("title") or "",
            year=cleaned_data.get("year"),
            doi=cleaned_data.get("doi") or "",
            arxiv_id=cleaned_data.get("arxiv_id") or "",
        )
        self.duplicates = [p for p in publications_of_work(keys) if p.pk != self.instance.pk]
        if not self.duplicates:
            return cleaned_data
        options = self._duplicate_options(keys)
        self.fields[DUPLICATE_CHOICE].widget.choices = options
        choice = cleaned_data.get(DUPLICATE_CHOICE, "")
        if choice not in {value for value, _label in options}:
            raise forms.ValidationError(
                _("A stored publication may be this one: choose below what to do."),
                code="duplicate",
            )
        if choice.startswith(f"{MERGE_INTO}:"):
            self.merge_target = next(p for p in self.duplicates if choice == _merge_value(p))
            # The record is saved without the identifiers the publication it is merged into
            # holds (no other publication may hold them), then merged into it.
            for name in keys.shared_identifiers(self.merge_target):
                cleaned_data[name] = ""
        return cleaned_data

    def _duplicate_options(self, keys: WorkKeys) -> list[tuple[str, str]]:
        """The answers the editor may give: another work (unless a stored publication has its
        DOI or arXiv id, which name one work), or merge into each match."""
        options = []
        if not any(keys.shared_identifiers(p) for p in self.duplicates):
            ids = ",".join(str(p.pk) for p in self.duplicates)
            options.append((f"{DIFFERENT_WORK}:{ids}", _("This is a different work: save it")))
        if self.may_merge:
            options += [
                (
                    _merge_value(p),
                    _("The same work: merge it into “%(title)s” (%(year)s)")
                    % {"title": p.title, "year": p.year},
                )
                for p in self.duplicates
            ]
        return options


def _merge_value(publication: Publication) -> str:
    return f"{MERGE_INTO}:{publication.pk}"
