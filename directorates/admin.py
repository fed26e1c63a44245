from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin
from core.errors import DomainError
from directorates import services
from directorates.models import Deliverable, Directorate, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["directorate"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, HistoryAdmin):
    list_display = ["username", "get_full_name", "email", "org_role", "language", "is_active", "is_demo"]
    list_filter = ["org_role", "groups", "is_active", "is_staff", "is_demo"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Directorate-general"), {"fields": ["org_role", "language"]}))
    inlines = [MembershipInline]
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, never deleted: their history rows, admin log and imports name them.
        return False

    @admin.action(description=_("Deactivate the selected people (they can no longer log in)"))
    def deactivate(self, request, queryset):
        count = services.user_deactivate(actor=request.user, users=queryset)
        self.message_user(
            request, _("%(count)s people deactivated. Their history keeps their name.") % {"count": count}
        )


@admin.register(Directorate)
class DirectorateAdmin(HistoryAdmin):
    list_display = ["code", "name_fr", "name_ar", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        services.directorate_save(actor=request.user, directorate=obj)


class DeliverableAdminForm(forms.ModelForm):
    actor = None  # set per request by DeliverableAdmin.get_form
    reason = forms.CharField(
        label=_("Reason for changing a deliverable of the approved roadmap"), max_length=100, required=False
    )

    class Meta:
        model = Deliverable
        fields = ["directorate", "year", *services.DELIVERABLE_FIELDS]

    def clean(self):
        data = super().clean()
        directorate, year = data.get("directorate"), data.get("year")
        if directorate and year and not self.errors:
            try:
                services.deliverable_check(
                    actor=self.actor,
                    directorate=directorate,
                    year=year,
                    data=data,
                    instance=self.instance,
                    reason=data.get("reason", ""),
                )
            except DomainError as error:
                for field, field_errors in error.errors.items():
                    self.add_error(field if field in self.fields else None, field_errors)
                if not error.errors:
                    raise forms.ValidationError(error.message) from error
        return data


@admin.register(Deliverable)
class DeliverableAdmin(HistoryAdmin):
    form = DeliverableAdminForm

    list_display = ["title", "directorate", "year", "category", "due_date", "origin"]
    list_filter = ["year", "category", "origin", "directorate__kind"]
    search_fields = ["title", "directorate__code"]
    autocomplete_fields = ["directorate"]
    list_select_related = ["directorate"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        data = {field: getattr(obj, field) for field in services.DELIVERABLE_FIELDS}
        if change:
            # ``obj`` already holds the form's values: the rule is checked against what is stored.
            stored = Deliverable.objects.get(pk=obj.pk)
            services.deliverable_update(
                actor=request.user, deliverable=stored, reason=form.cleaned_data.get("reason", ""), **data
            )
        else:
            created = services.deliverable_create(
                actor=request.user, directorate=obj.directorate, year=obj.year, **data
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        # A deliverable of the approved roadmap is removed through the roadmap (or, with a reason, on its page).
        if obj is not None and services.deliverable_from_roadmap(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.deliverable_delete(actor=request.user, deliverable=obj)
