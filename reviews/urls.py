from django.urls import path, re_path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/history/", views.report_history, name="report_history"),
    re_path(r"^reports/(?P<pk>\d+)/(?P<action>submit|return|accept)/$", views.report_transition,
            name="report_transition"),
    path("reports/<int:pk>/extension/", views.report_extend, name="report_extend"),
    path("units/<slug:code>/reports/<int:year>/start/", views.report_start, name="report_start"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("cycles/<int:year>/", views.cycle_dashboard, name="dashboard"),
]
