from django.urls import path

from . import views

app_name = "pages"
# Ids and slugs are matched as any text, so an unknown or malformed one gets the pages' own
# 404 page rather than the resolver's.
urlpatterns = [
    path("", views.home, name="home"),
    path("alignment/", views.alignment, name="alignment"),
    path("events/", views.events, name="events"),
    path("events/<str:pk>/", views.event_detail, name="event"),
    path("actors/<str:slug>/", views.actor_detail, name="actor"),
    path("issues/<str:slug>/", views.issue_detail, name="issue"),
    path("codebook/", views.codebook, name="codebook"),
]
