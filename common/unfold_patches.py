"""A speed fix for django-unfold 0.91's change lists, applied once at start-up.

unfold's `items_for_result` recomputes every column header for every row (50 rows × 12 columns = 612
header computations, ~20 % of a page). Headers depend only on the change list, so they are computed once
per change list and reused. Read-only use: the callers only read `headers[i]["text"]`.
"""

from unfold.templatetags import unfold_list


def cache_result_headers() -> None:
    original = unfold_list.result_headers
    if getattr(original, "cached_per_changelist", False):
        return

    def result_headers(cl):
        cached = getattr(cl, "_cached_result_headers", None)
        if cached is None:
            cached = list(original(cl))
            for header in cached:  # resolve lazy translations once, not once per cell
                header["text"] = str(header["text"])
            cl._cached_result_headers = cached
        return iter(cached)

    result_headers.cached_per_changelist = True
    unfold_list.result_headers = result_headers


APP_LIST_TTL_SECONDS = 300


def cache_app_list() -> None:
    """Every admin page builds the app list (every registered model: permission checks and two URL reversals
    each) for its navigation: ~10 ms a page. It depends only on the user's permissions, the language and
    the URL prefix, so it is kept per process for a few minutes under exactly that key; a change of
    permissions changes the key. Callers get copies: a template may annotate its entries.

    App and model names are kept as plain text in the key's language: left lazy, every sort of the list and
    every render of the navigation translated each of them again (~500 look-ups a page)."""
    import time

    from django.contrib.admin import sites
    from django.urls import get_script_prefix
    from django.utils.translation import get_language

    original = sites.AdminSite._build_app_dict
    if getattr(original, "cached_per_permissions", False):
        return
    cache: dict[tuple, tuple[float, dict]] = {}

    def _build_app_dict(self, request, label=None):
        user = request.user
        perms = None if user.is_superuser else frozenset(user.get_all_permissions())
        key = (id(self), user.pk, user.is_active, user.is_staff, user.is_superuser, perms, get_language(),
               get_script_prefix(), label)
        now = time.monotonic()
        hit = cache.get(key)
        if hit is None or now - hit[0] > APP_LIST_TTL_SECONDS:
            if len(cache) > 1000:
                cache.clear()
            hit = (now, _resolved_names(original(self, request, label), label))
            cache[key] = hit
        built = hit[1]
        if label:  # one app's dict
            return {**built, "models": [dict(m) for m in built["models"]]} if built else built
        return {name: {**app, "models": [dict(m) for m in app["models"]]} for name, app in built.items()}

    _build_app_dict.cached_per_permissions = True
    sites.AdminSite._build_app_dict = _build_app_dict


def _resolved_names(built: dict, label) -> dict:
    apps = [built] if label else built.values()
    for app in apps:
        if not app:
            continue
        app["name"] = str(app["name"])
        for model in app["models"]:
            model["name"] = str(model["name"])
    return built

