from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import pre_save
        from django.urls import register_converter

        from core.text import clean_before_save

        pre_save.connect(clean_before_save, dispatch_uid="core.text.clean_before_save")

        from core.converters import IdConverter, YearConverter

        register_converter(YearConverter, "year")
        register_converter(IdConverter, "id")
