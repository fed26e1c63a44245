from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoratesConfig(AppConfig):
    name = "directorates"
    verbose_name = _("Organisation")

    def ready(self):
        from django.db.models.signals import pre_delete

        from directorates.models import User
        from directorates.services import refuse_user_delete

        pre_delete.connect(refuse_user_delete, sender=User, dispatch_uid="directorates.refuse_user_delete")
