from django import template

from rabta.messaging.selectors import default_channel

register = template.Library()


@register.simple_tag
def sms_number() -> str:
    """The number residents text (the default active channel), or "" when SMS is not set up."""
    channel = default_channel()
    return channel.number if channel else ""
