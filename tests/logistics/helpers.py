"""Helpers for admin tests: turn a rendered admin change form back into POST data."""

from django.forms import MultiWidget


def bound_form_data(form) -> dict:
    """The data a browser would post for `form` as rendered (initial values, hidden ids included)."""
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for index, part in enumerate(parts):
                if part not in (None, ""):
                    data[f"{bound.html_name}_{index}"] = str(part)
            continue
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        elif hasattr(value, "pk"):
            data[bound.html_name] = str(value.pk)
        else:
            data[bound.html_name] = str(value)
    return data


def change_form_post_data(response) -> dict:
    """Everything the admin change (or add) page at `response` would post unchanged, inlines included."""
    data = bound_form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(bound_form_data(formset.management_form))
        for form in formset.initial_forms:
            data.update(bound_form_data(form))
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
