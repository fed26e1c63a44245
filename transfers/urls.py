from django.urls import path

from transfers import views

app_name = "transfers"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/<slug:kind>/", views.import_new, name="import_new"),
    path("imports/templates/<slug:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("imports/<id:pk>/", views.import_detail, name="import_detail"),
    path("imports/<id:pk>/status.json", views.import_status, name="import_status"),
    path("imports/<id:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<id:pk>/retry/", views.import_retry, name="import_retry"),
    path("imports/<id:pk>/file/", views.import_file, name="import_file"),
    path("exports/<slug:kind>.<str:fmt>", views.export, name="export"),
]
