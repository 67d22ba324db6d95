from django import template

register = template.Library()


@register.simple_tag
def sms_number() -> str:
    """The number residents text (the default active channel), or "" when SMS is not set up."""
    from rabta.messaging.services import default_channel

    channel = default_channel()
    return channel.number if channel else ""
