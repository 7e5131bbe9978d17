"""The admin home page: what staff need to see first thing in the morning."""


def dashboard_callback(request, context):
    return context


def environment_callback(request):
    from django.conf import settings

    if settings.DEMO_ENABLED:
        return ["Demo", "warning"]
    return None
