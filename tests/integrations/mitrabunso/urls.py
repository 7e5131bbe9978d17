from django.urls import include, path

from integrations.mitrabunso.sandbox import sandbox

urlpatterns = [path("sandbox/mitrabunso/", include(sandbox.urlpatterns()))]
