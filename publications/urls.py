from django.urls import path

from . import views

app_name = "publications"

urlpatterns = [
    path("", views.publication_list, name="publication_list"),
    path("<int:pk>/", views.publication_detail, name="publication_detail"),
]
