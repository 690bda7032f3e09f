"""Admin pieces every dataset app shares."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from common.services import save_changed


class DatasetAdmin(admin.ModelAdmin):
    """Writes only the fields the curator changed, as the API does."""

    readonly_fields = ["created", "updated"]

    def save_model(self, request, obj, form, change):
        if change:
            save_changed(obj, [name for name in form.changed_data if name in form.fields])
        else:
            obj.save()


class CitedFormSet(BaseInlineFormSet):
    """At least one citation, refused in the words of the model's CitedBy rule."""

    rule = None

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
        ]
        if not kept:
            raise ValidationError(self.rule.message)


class CitationInline(admin.StackedInline):
    """Citations of a cited row (``rule``: the model's common.rules.CitedBy)."""

    rule = None
    extra = 0
    min_num = 1
    autocomplete_fields = ["source"]
    verbose_name_plural = "citations"

    def get_formset(self, request, obj=None, **kwargs):
        formset = type("CitedFormSet", (CitedFormSet,), {"rule": self.rule})
        return super().get_formset(request, obj, formset=formset, **kwargs)
