"""The mobile API, version 1: every route answers about the caller's own seller."""

from django.urls import include, path, re_path

from common.api import api_not_found

urlpatterns = [
    path("", include("sellers.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("logistics.api.urls")),
    path("", include("finance.api.urls")),
    re_path(r"", api_not_found),  # last: unmatched API paths answer 404 in the error format, not HTML
]
