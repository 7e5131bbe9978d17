from django.db import models


def model_formfield(db_field, **kwargs):
    """`Meta.formfield_callback` for model forms: URL fields assume https (Django 6's default, chosen now)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)
