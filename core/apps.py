from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.urls import register_converter

        from core.converters import IdConverter, YearConverter

        register_converter(YearConverter, "year")
        register_converter(IdConverter, "id")
