from django.urls import path, register_converter

from figures import views

app_name = "figures"


class DownloadFormat:
    regex = "pdf|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DownloadFormat, "bilan_format")

urlpatterns = [
    path("reports/<id:pk>/figures/", views.report_figures, name="report_figures"),
    path("units/<slug:code>/figures/", views.unit_dashboard, name="unit_dashboard"),
    path("units/<slug:code>/figures/<year:year>/", views.unit_figures, name="unit_figures"),
    path("figures/", views.dashboard, name="dashboard"),
    path("bilan/", views.bilan_list, name="bilan_list"),
    path("bilan/<year:year>/", views.bilan_detail, name="bilan_detail"),
    path("bilan/<year:year>/edit/", views.bilan_edit, name="bilan_edit"),
    path("bilan/<year:year>/download.<bilan_format:fmt>", views.bilan_download, name="bilan_download"),
    path("bilan/<year:year>/public/", views.bilan_public, name="bilan_public"),
    path(
        "bilan/<year:year>/public/download.<bilan_format:fmt>",
        views.bilan_public_download,
        name="bilan_public_download",
    ),
    path("bilan/<year:year>/<str:action>/", views.bilan_action, name="bilan_action"),
]
