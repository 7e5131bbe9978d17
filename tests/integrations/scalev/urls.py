from django.urls import include, path

from integrations.scalev.sandbox import sandbox

urlpatterns = [path("sandbox/scalev/", include(sandbox.urlpatterns()))]
