from django.urls import path

from directorates import views

app_name = "directorates"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<slug:code>/deliverables/", views.cahier, name="cahier"),
    path("units/<slug:code>/deliverables/<year:year>/", views.cahier, name="cahier_year"),
    path("units/<slug:code>/deliverables/<year:year>/new/", views.deliverable_edit, name="deliverable_add"),
    path("units/<slug:code>/deliverables/<year:year>/<id:pk>/", views.deliverable_edit, name="deliverable_edit"),
    path(
        "units/<slug:code>/deliverables/<year:year>/<id:pk>/delete/",
        views.deliverable_delete,
        name="deliverable_delete",
    ),
    path("units/<slug:code>/history/", views.unit_history, name="unit_history"),
]
