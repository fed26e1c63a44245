from django.urls import path

from roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("roadmap/", views.roadmap_home, name="home"),
    path("meetings/", views.meeting_home, name="meeting_home"),
    path("priorities/", views.priority_home, name="priority_home"),
    path("roadmap/<int:year>/", views.roadmap_detail, name="detail"),
    path("roadmap/<int:year>/diff/", views.roadmap_diff, name="diff"),
    path("roadmap/<int:year>/objectives/new/", views.objective_new, name="objective_new"),
    path("roadmap/<int:year>/<str:action>/", views.roadmap_action, name="action"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective_detail"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/<str:action>/", views.objective_action, name="objective_action"),
    path("milestones/<int:pk>/progress/", views.milestone_progress, name="progress"),
    path("meetings/<int:year>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:year>/briefing/<slug:code>/", views.briefing, name="briefing"),
    path("meetings/<int:year>/screen/", views.compstat, name="compstat"),
    path("meetings/<int:year>/screen/<slug:code>/", views.compstat, name="compstat_unit"),
    path("meetings/<int:year>/<str:action>/", views.meeting_action, name="meeting_action"),
    path("priorities/<int:year>/", views.priority_list, name="priorities"),
]
