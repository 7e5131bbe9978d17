"""The mobile API, version 1: every route answers about the caller's own seller."""

from django.urls import include, path

urlpatterns = [
    path("", include("sellers.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("logistics.api.urls")),
    path("", include("finance.api.urls")),
]
