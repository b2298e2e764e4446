"""Forms of the publication admin."""

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from profiles.models import Researcher, ResearchTopic

from .bibtex import MAX_FILE_BYTES, BibtexFileError, decode_bibtex_file
from .models import Authorship


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
        if commit:
            moved = [
                form.instance.pk
                for form in self.initial_forms
                if form.has_changed() and not self._should_delete_form(form)
            ]
            deleted = [
                form.instance.pk for form in self.initial_forms if self._should_delete_form(form)
            ]
            # Saving a moved row afterwards inserts it again with the same primary key.
            Authorship.objects.filter(pk__in=moved + deleted).delete()
        return super().save_existing_objects(commit)


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

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        pasted = cleaned_data.get("text", "")
        if upload and pasted.strip():
            raise forms.ValidationError(_("Give a file or pasted text, not both."))
        if not upload and not pasted.strip():
            raise forms.ValidationError(_("Choose a .bib file or paste BibTeX."))
        try:
            if upload:
                # Read one byte past the limit: enough to refuse a huge file.
                cleaned_data["bibtex"] = decode_bibtex_file(upload.read(MAX_FILE_BYTES + 1))
            else:
                cleaned_data["bibtex"] = decode_bibtex_file(pasted.encode())
        except BibtexFileError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned_data
