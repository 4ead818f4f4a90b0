from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def mask_id(value) -> str:
    """An ID number with the birth date and sequence hidden: 5226**********123X."""
    text = str(value or "")
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


@register.filter
def yuan(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value or "")
