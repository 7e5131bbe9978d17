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
        if not label:  # which cached list this request's navigation shows (see cache_navigation)
            request._admin_app_list_version = (key, hit[0])
        if label:  # one app's dict
            return {**built, "models": [dict(m) for m in built["models"]]} if built else built
        return {name: {**app, "models": [dict(m) for m in app["models"]]} for name, app in built.items()}

    _build_app_dict.cached_per_permissions = True
    sites.AdminSite._build_app_dict = _build_app_dict


def cache_navigation() -> None:
    """The navigation (templates/admin/app_list.html: every app and model the user may see, ~800 template
    nodes, ~3 ms) is the same on every page of a user, except for the app and model it marks as current.
    Its HTML is kept per process for each cached app list (cache_app_list: same permissions, language and
    URL prefix, same few minutes) and each current app and model."""
    from django.contrib.admin import sites

    original = sites.AdminSite.each_context
    if getattr(original, "navigation_cached", False):
        return

    def each_context(self, request):
        context = original(self, request)
        version = getattr(request, "_admin_app_list_version", None)
        apps = context.get("available_apps")
        if version is not None and apps is not None:
            context["app_list_html"] = NavigationHtml(request, apps, version)
        return context

    each_context.navigation_cached = True
    sites.AdminSite.each_context = each_context


_navigation_cache: dict[tuple, str] = {}


class NavigationHtml:
    """The navigation's HTML, rendered on first use (admin/app_list.html prints it) or taken from the cache."""

    template_name = "admin/app_list_items.html"

    def __init__(self, request, apps, version):
        self.request, self.apps, self.version = request, apps, version
        self._html = None

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        if self._html is None:
            self._html = self._cached_html()
        return self._html

    __html__ = __str__

    def _cached_html(self) -> str:
        from urllib.parse import quote

        from django.template.loader import render_to_string
        from django.utils.safestring import mark_safe

        path = self.request.path
        encoded = quote(path)  # what the template's |urlencode gives
        # What the template marks as current: app_url in the path, admin_url in the encoded path.
        current = tuple(
            (isinstance(app.get("app_url"), str) and app["app_url"] in path,
             tuple(isinstance(m.get("admin_url"), str) and m["admin_url"] in encoded for m in app["models"]))
            for app in self.apps
        )
        key = (self.version, current)
        html = _navigation_cache.get(key)
        if html is None:
            html = mark_safe(render_to_string(self.template_name, {"app_list": self.apps, "request": self.request}))
            if len(_navigation_cache) > 1000:
                _navigation_cache.clear()
            _navigation_cache[key] = html
        return html


def _resolved_names(built: dict, label) -> dict:
    """Names as text; and the keys the navigation template reads but Django leaves out ("hidden", "header"):
    a missing key costs the template a dir() of the dict, ~100 a page."""
    apps = [built] if label else built.values()
    for app in apps:
        if not app:
            continue
        app["name"] = str(app["name"])
        app.setdefault("hidden", False)
        for model in app["models"]:
            model["name"] = str(model["name"])
            model.setdefault("hidden", False)
            model.setdefault("header", "")
    return built


def fast_result_rows() -> None:
    """unfold's `items_for_result` renders each cell of a change list from scratch: the cell's class list
    (27 classes) is joined, the empty-value text, the column's choices and its header are looked up, and the
    row's link is reversed and then resolved again to carry the list's filters (~0.4 ms a row). Everything
    but the row's values depends only on the change list, so it is prepared once per change list here and
    the cells are written with the same markup.

    Lists this does not cover (editable lists, popups, sortable rows, a custom `url_for_result`, non-integer
    primary keys) keep unfold's own function."""
    from unfold.templatetags import unfold_list

    original = unfold_list.items_for_result
    if getattr(original, "prepared_per_changelist", False):
        return

    def items_for_result(cl, result, form):
        plan = _row_plan(cl) if form is None else None
        if plan is None:
            return original(cl, result, form)
        return _render_row(plan, cl, result)

    items_for_result.prepared_per_changelist = True
    items_for_result.unpatched = original
    unfold_list.items_for_result = items_for_result


_MARKER_PK = 9_876_543_210_123  # an id no row has: the link of each row is this one with its own id


class _Column:
    __slots__ = ("checkbox", "choices", "classes", "classes_nowrap", "empty", "field", "label", "link", "name",
                 "static_nowrap", "tag")


def _row_plan(cl):
    plan = cl.__dict__.get("_unfold_row_plan", False)
    if plan is not False:
        return plan
    cl._unfold_row_plan = plan = _build_row_plan(cl)
    return plan


def _build_row_plan(cl):
    from django.contrib.admin.templatetags.admin_list import _coerce_field_name
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.contrib.admin.utils import _get_non_gfk_field
    from django.contrib.admin.views.main import ChangeList
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models
    from django.urls import NoReverseMatch
    from django.utils.html import conditional_escape
    from django.utils.translation import gettext
    from unfold.templatetags import unfold_list

    model_admin = cl.model_admin
    if (getattr(cl, "formset", None) or cl.is_popup or getattr(model_admin, "ordering_field", None)
            or type(cl).url_for_result is not ChangeList.url_for_result
            or not isinstance(cl.lookup_opts.pk, models.AutoField | models.BigAutoField | models.IntegerField)):
        return None
    link_url = None
    try:
        url = ChangeList.url_for_result(cl, _PkOnly(cl.pk_attname, _MARKER_PK))
    except NoReverseMatch:
        pass
    else:
        url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
        if url.count(str(_MARKER_PK)) == 1:
            link_url = url.split(str(_MARKER_PK))
    headers = list(unfold_list.result_headers(cl))
    empty = model_admin.get_empty_value_display()
    opts = cl.lookup_opts
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        column = _Column()
        column.name = name
        column.field = None
        column.choices = None
        column.empty = empty
        column.static_nowrap = False
        column.checkbox = name == "action_checkbox"
        if isinstance(name, str) and not column.checkbox:
            try:
                field = _get_non_gfk_field(opts, name)
            except (FieldDoesNotExist, Exception):  # not a plain field: looked up row by row
                field = None
            if field is not None and not field.auto_created:
                column.field = field
                column.static_nowrap = isinstance(field, models.DateField | models.TimeField | models.ForeignKey)
                if getattr(field, "flatchoices", None) and not isinstance(field.remote_field, models.ManyToOneRel):
                    try:
                        column.choices = {value: str(label) for value, label in field.flatchoices}
                    except TypeError:  # unhashable choices: unfold's own lookup
                        return None
        column.link = cl.list_display_links is not None and (
            (first and not cl.list_display_links) or name in cl.list_display_links)
        if column.link:
            if link_url is None:
                return None
            column.tag = "th" if first else "td"
            first = False
        column.label = conditional_escape(str(headers[index]["text"]) if (column.link or index) else
                                          gettext("Select record"))
        base = f"field-{_coerce_field_name(name, index)} " + " ".join(unfold_list.ROW_CLASSES)
        column.classes = f' class="{base}"'
        column.classes_nowrap = f' class="{base} nowrap"'
        columns.append(column)
    return {"columns": columns, "link_url": link_url, "link_classes": " ".join(unfold_list.LINK_CLASSES),
            "checkbox_classes": " ".join(unfold_list.CHECKBOX_CLASSES)}


class _PkOnly:
    """Just enough of a row for ChangeList.url_for_result."""

    def __init__(self, attname, pk):
        setattr(self, attname, pk)


def _render_row(plan, cl, result):
    import datetime

    from django.contrib.admin.utils import lookup_field
    from django.core.exceptions import ObjectDoesNotExist
    from django.db import models
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe
    from unfold.utils import (
        display_for_dropdown,
        display_for_field,
        display_for_header,
        display_for_label,
        display_for_value,
    )

    model_admin = cl.model_admin
    for column in plan["columns"]:
        empty = column.empty
        classes = column.classes
        field = column.field
        try:
            if field is not None:
                value = getattr(result, column.name)
            else:
                field, attr, value = lookup_field(column.name, result, model_admin)
        except ObjectDoesNotExist:
            result_repr = empty
        else:
            if field is None or field.auto_created:
                empty = getattr(attr, "empty_value_display", empty)
                if column.checkbox and field is None:
                    classes = None
                if getattr(attr, "label", False):
                    result_repr = display_for_label(value, empty, attr.label)
                elif getattr(attr, "dropdown", False):
                    result_repr = display_for_dropdown(result, column.name, value, empty)
                elif getattr(attr, "header", False):
                    result_repr = display_for_header(value, empty)
                else:
                    result_repr = display_for_value(value, empty, getattr(attr, "boolean", False))
                if isinstance(value, datetime.date | datetime.time):
                    classes = column.classes_nowrap if classes is not None else None
            else:
                if isinstance(field.remote_field, models.ManyToOneRel):
                    result_repr = empty if value is None else value
                elif column.choices is not None:
                    result_repr = column.choices.get(value, empty)
                else:
                    result_repr = display_for_field(value, field, empty)
                if column.static_nowrap:
                    classes = column.classes_nowrap
            field = column.field
        if classes is None:  # the row's checkbox
            classes = f' class="{plan["checkbox_classes"]}"'
        if column.link:
            before, after = plan["link_url"]
            url = before + str(getattr(result, cl.pk_attname)) + after
            link = (f'<a href="{conditional_escape(url)}" class="{plan["link_classes"]}" >'
                    f'{conditional_escape(result_repr)}</a>')
            yield mark_safe(f'<{column.tag}{classes} data-label="{column.label}">{link}</{column.tag}>')
        else:
            yield mark_safe(f'<td{classes} data-label="{column.label}">{conditional_escape(result_repr)}</td>')
