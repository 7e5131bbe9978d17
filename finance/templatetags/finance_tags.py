from django import template

from common.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(value) -> str:
    """Decimal('1250000') -> 'Rp 1.250.000'; None -> '-'."""
    return "-" if value is None else format_rupiah(value)
