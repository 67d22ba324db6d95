"""SMS as a channel for report notifications (rabta.reports.notify's registry)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from rabta.lib.phones import InvalidPhoneNumber, normalise
from rabta.messaging import selectors
from rabta.messaging.models import Purpose
from rabta.messaging.outbound import queue_sms
from rabta.messaging.phones import phone_for
from rabta.messaging.report_flow import category_label
from rabta.reports.contact import Contact
from rabta.reports.lifecycle import Status
from rabta.reports.models import Channel as ReportChannel
from rabta.reports.models import Report
from rabta.reports.notify import register_channel


def sms_sender(*, report: Report, contact: Contact, subject: str, body: str) -> bool:
    """Queue a short SMS about a report. Respects "no SMS", opt-out (STOP) and discreet mode.

    The text is our own short wording, not the e-mail `subject` and `body`: it must fit one or two
    segments. With neutral wording (the reporter's choice, or always for women's-desk and conduct
    categories) or on a phone in private mode it says only that there is news: no category, no
    status, nothing for whoever else reads the phone.
    """
    number = contact.phone or ""
    if not number or report.no_sms:
        return False
    if report.channel == ReportChannel.SMS and report.status == Status.NEW:
        return False  # the SMS conversation's own reply already confirmed it, with the code
    try:
        e164 = normalise(number)
    except InvalidPhoneNumber:
        return False
    phone = selectors.find_phone(e164) or phone_for(e164, language=report.language or "ur")
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
    register_channel("sms", sms_sender, address="phone", text_message=True)
