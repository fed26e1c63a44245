from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "figures"
    verbose_name = _("Yearly figures and annual report (bilan)")

    def ready(self):
        from figures.services import figure_review_kind, report_check_justifications
        from reviews.items import register_item_kind
        from reviews.services import register_submission_check

        register_submission_check(report_check_justifications)
        register_item_kind(figure_review_kind())
