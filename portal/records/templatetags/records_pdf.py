from decimal import Decimal, InvalidOperation

from django import template

from forms import resident_id

register = template.Library()


@register.filter
def mask_id(value) -> str:
    """An ID number with the birth date and sequence hidden: 5226**********123X."""
    return resident_id.mask(str(value or ""))


@register.filter
def yuan(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value or "")
