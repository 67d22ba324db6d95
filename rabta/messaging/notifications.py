"""SMS as a channel for report notifications (rabta.reports.notify's registry)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from rabta.lib.phones import InvalidPhoneNumber, normalise


def sms_sender(*, report: Any, contact: Any, subject: str, body: str) -> bool:
    """Queue a short SMS about a report. Respects "no SMS", opt-out (STOP) and discreet mode.

    The text is our own short wording, not the e-mail body: it must fit one or two segments. With
    neutral wording (the reporter's choice, or always for women's-desk and conduct categories) or on
    a phone in private mode it says only that there is news: no category, no status, nothing for
    whoever else reads the phone.
    """
    from rabta.messaging.models import Phone, Purpose
    from rabta.messaging.report_flow import category_label
    from rabta.messaging.services import phone_for, queue_sms

    number = getattr(contact, "phone", "") or ""
    if not number or getattr(report, "no_sms", False):
        return False
    if report.channel == "sms" and report.status == "new":
        return False  # the SMS conversation's own reply already confirmed it, with the code
    try:
        e164 = normalise(number)
    except InvalidPhoneNumber:
        return False
    phone = Phone.objects.for_number(e164).first() or phone_for(e164, language=report.language or "ur")
    if phone.opted_out:
        return False
    language = phone.language if phone.language_chosen else (report.language or phone.language)
    with translation.override(language):
        if phone.discreet or report.wants_neutral_wording:
            text = _("Rabta: there is news about your message. Reply STATUS and your code.")
        else:
            text = _(
                "Rabta: your report (%(category)s) is now: %(status)s. Send STATUS and your code for details."
            ) % {
                "category": category_label(report.category),
                "status": report.get_status_display(),
            }
    return queue_sms(phone=phone, body=text, purpose=Purpose.NOTIFICATION, report=report) is not None


def register() -> None:
    try:
        from rabta.reports import notify
    except ImportError:  # reports not installed: nothing to notify about
        return
    register_channel = getattr(notify, "register_channel", None)
    if register_channel is not None:
        register_channel("sms", sms_sender, address="phone", text_message=True)
