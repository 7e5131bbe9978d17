from django.urls import include, path

from integrations.komship.sandbox import sandbox

urlpatterns = [path("sandbox/komship/", include(sandbox.urlpatterns()))]
