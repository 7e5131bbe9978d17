from django.urls import include, path

from integrations.ngorder.sandbox import sandbox

urlpatterns = [path("sandbox/ngorder/", include(sandbox.urlpatterns()))]
