"""Mounts each platform's simulator under /sandbox/<platform>/ (only when SANDBOX_ENABLED)."""

from dataclasses import replace
from importlib import import_module

from django.conf import settings
from django.urls import include, path

from integrations.models import Platform


def sandbox_for(platform: str):
    sandbox = import_module(f"integrations.{platform}.sandbox").sandbox
    if settings.SANDBOX_LIVE and not sandbox.seed_plan.live:
        sandbox.seed_plan = replace(sandbox.seed_plan, live=True)  # the demo: new orders keep arriving
    return sandbox


urlpatterns = [
    path(f"{platform}/", include((sandbox_for(platform).urlpatterns(), f"sandbox-{platform}")))
    for platform in Platform.values
]
