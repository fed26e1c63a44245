from django.urls import path

from roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("roadmap/", views.roadmap_home, name="home"),
    path("meetings/", views.meeting_home, name="meeting_home"),
    path("priorities/", views.priority_home, name="priority_home"),
    path("roadmap/<year:year>/", views.roadmap_detail, name="detail"),
    path("roadmap/<year:year>/diff/", views.roadmap_diff, name="diff"),
    path("roadmap/<year:year>/objectives/new/", views.objective_new, name="objective_new"),
    path("roadmap/<year:year>/<str:action>/", views.roadmap_action, name="action"),
    path("objectives/<id:pk>/", views.objective_detail, name="objective_detail"),
    path("objectives/<id:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<id:pk>/<str:action>/", views.objective_action, name="objective_action"),
    path("milestones/<id:pk>/progress/", views.milestone_progress, name="progress"),
    path("meetings/<year:year>/", views.meeting_detail, name="meeting"),
    path("meetings/<year:year>/briefing/", views.briefing_all, name="briefing_all"),
    path("meetings/<year:year>/briefing/<slug:code>/", views.briefing, name="briefing"),
    path("meetings/<year:year>/screen/", views.compstat, name="compstat"),
    path("meetings/<year:year>/screen/<slug:code>/", views.compstat, name="compstat_unit"),
    path("meetings/<year:year>/<str:action>/", views.meeting_action, name="meeting_action"),
    path("priorities/<year:year>/", views.priority_list, name="priorities"),
]
