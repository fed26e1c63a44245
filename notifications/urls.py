from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.mark_read, name="mark_read"),
    path("notifications/outbox/", views.demo_outbox, name="demo_outbox"),
    path("notifications/<id:pk>/", views.notification_open, name="open"),
    path("notifications/cycles/", views.delivery_log_current, name="delivery_log_current"),
    path("notifications/cycles/<year:year>/", views.delivery_log, name="delivery_log"),
    path("notifications/deliveries/<id:pk>/resend/", views.delivery_resend, name="resend"),
]
