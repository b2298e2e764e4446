"""Forms of the publication admin."""

from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import Authorship


class AuthorshipFormSet(BaseInlineFormSet):
    """A publication's ordered author list, as one form per author.

    A row left without a position goes to the end of the list, in the order of the rows.
    Authors can be swapped or moved freely: rows whose position or author changed are written
    after the old rows are out of the way, so the uniqueness constraints never see a clash
    halfway through a reordering.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["position"].required = False
        form.fields["position"].help_text = _("Leave empty to add at the end.")

    def clean(self):
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk is not None
            if not self._should_delete_form(form) and hasattr(form, "cleaned_data")
        ]
        taken = [form.cleaned_data.get("position") for form in kept]
        next_position = max((p for p in taken if p), default=0) + 1
        for form in kept:
            if form.cleaned_data.get("author") and not form.cleaned_data.get("position"):
                form.cleaned_data["position"] = form.instance.position = next_position
                next_position += 1
        super().clean()

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
