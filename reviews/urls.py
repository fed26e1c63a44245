from django.urls import path, re_path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/<id:pk>/", views.report_detail, name="report_detail"),
    path("reports/<id:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<id:pk>/history/", views.report_history, name="report_history"),
    re_path(
        r"^reports/(?P<pk>\d{1,18})/(?P<action>submit|return|accept|ready)/$",
        views.report_transition,
        name="report_transition",
    ),
    path("reports/<id:pk>/flags/<id:flag>/comment/", views.review_item_comment, name="review_item_comment"),
    path("reports/<id:pk>/extension/", views.report_extend, name="report_extend"),
    path("units/<slug:code>/reports/<year:year>/start/", views.report_start, name="report_start"),
    path("attachments/<id:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<id:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("cycles/<year:year>/", views.cycle_dashboard, name="dashboard"),
]
