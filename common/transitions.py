"""The one way a state machine moves: lock the row, check the move, write the state and an event row."""

from collections.abc import Mapping

from django.db import models, transaction

from common.exceptions import TransitionNotAllowed
from common.models import EventSource


def transition(
    *,
    instance: models.Model,
    to_status: str,
    allowed: Mapping[str, set[str]],
    event_model: type[models.Model],
    event_field: str,
    actor=None,
    source: str = EventSource.STAFF,
    note: str = "",
    updates: Mapping[str, object] | None = None,
    field: str = "status",
):
    """Move `instance` to `to_status` if `allowed[current]` permits it; return the refreshed row.

    The row is locked (SELECT … FOR UPDATE) so two staff pressing the same button cannot both move it.
    `updates` are extra fields written in the same UPDATE (who approved, when it shipped …).
    """
    model = type(instance)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        current = getattr(locked, field)
        if to_status not in allowed.get(current, set()):
            choices = dict(model._meta.get_field(field).flatchoices)
            raise TransitionNotAllowed(
                record=locked, current=choices.get(current, current), target=choices.get(to_status, to_status)
            )
        setattr(locked, field, to_status)
        for name, value in (updates or {}).items():
            setattr(locked, name, value)
        update_fields = [field, *(updates or {})]
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        event_model._default_manager.create(
            **{event_field: locked}, actor=actor, source=source, from_status=current, to_status=to_status,
            note=note,
        )
    for name in (field, *(updates or {})):
        setattr(instance, name, getattr(locked, name))
    return locked


def allowed_targets(allowed: Mapping[str, set[str]], current: str) -> set[str]:
    return set(allowed.get(current, set()))
