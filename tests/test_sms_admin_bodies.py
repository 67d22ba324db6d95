"""In the admin, the text of an SMS that belongs to a report follows that report (issue 9, point 7).

Three messages each way: one tied to an ordinary report the admin may read, one tied to a report
whose reporter asked for a woman officer only, one tied to a women's-desk report (neither of which
an admin may read). Lists show no text at all; detail pages show
it only for the readable report, and log that view.
"""

from __future__ import annotations

from typing import Any

import pytest

from rabta.audit.models import AccessLog
from rabta.messaging.models import InboundMessage, OutboundMessage, Purpose
from rabta.messaging.phones import phone_for
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.sms_fixtures import console_channel

pytestmark = pytest.mark.django_db

HIDDEN = "hidden: part of a report you cannot see"
TEXTS = {
    "ordinary": "the lamp by the mosque is out",
    "women_only": "he waits for me behind the girls school",
    "womens_desk": "the cousin of my husband follows me home",
}


@pytest.fixture
def messages(world: World) -> dict[str, tuple[InboundMessage, OutboundMessage]]:
    channel = console_channel()
    phone = phone_for("+923001234567", language="en")
    reports: dict[str, Report] = {
        "ordinary": factories.report("street_lighting", beat_obj=world.beat_a).report,
        "women_only": factories.report(
            "street_lighting", beat_obj=world.beat_a, woman_officer_only=True
        ).report,
        "womens_desk": factories.report("violence_against_women", beat_obj=world.beat_a).report,
    }
    made = {}
    for n, (name, report) in enumerate(reports.items()):
        inbound = InboundMessage.objects.create(
            channel=channel,
            provider_message_id=f"in-{n}",
            phone=phone,
            body=f"IN {TEXTS[name]}",
            report=report,
        )
        if name != "ordinary":
            inbound.error = f"ValueError: {TEXTS[name]}"
            inbound.save(update_fields=["error"])
        outbound = OutboundMessage.objects.create(
            channel=channel,
            phone=phone,
            body=f"OUT {TEXTS[name]}",
            purpose=Purpose.REPLY,
            report=report,
            encoding="GSM-7",
            segments=1,
            cost_estimate=0,
        )
        made[name] = (inbound, outbound)
    return made


def _logged(obj: Any) -> int:
    return AccessLog.objects.filter(
        action=AccessLog.Action.VIEW_SMS, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).count()


def test_lists_show_no_text_of_report_messages(world: World, messages: Any) -> None:
    admin = verified_client(world.admin_user)
    for url in (
        url_for("admin:messaging_inboundmessage_changelist"),
        url_for("admin:messaging_outboundmessage_changelist"),
    ):
        page = admin.get(url).content.decode()
        assert "+92300" not in page
        for text in TEXTS.values():
            assert text not in page, (url, text)


def test_no_search_by_text(world: World, messages: Any) -> None:
    admin = verified_client(world.admin_user)
    for url in (
        url_for("admin:messaging_inboundmessage_changelist"),
        url_for("admin:messaging_outboundmessage_changelist"),
    ):
        page = admin.get(url, {"q": "girls school"}).content.decode()
        # No search box, and the term filters nothing: the rows listed do not depend on the text.
        assert 'id="searchbar"' not in page
        everything = admin.get(url).content.decode().count('class="action-checkbox"')
        assert page.count('class="action-checkbox"') == everything


@pytest.mark.parametrize("model", ["inboundmessage", "outboundmessage"])
def test_a_detail_page_shows_the_text_only_of_a_report_one_may_read(
    world: World, messages: Any, model: str
) -> None:
    admin = verified_client(world.admin_user)
    index = 0 if model == "inboundmessage" else 1
    for name, pair in messages.items():
        message = pair[index]
        page = admin.get(url_for(f"admin:messaging_{model}_change", message.pk)).content.decode()
        assert page.count(TEXTS[name]) == (1 if name == "ordinary" else 0), name
        assert (HIDDEN in page) is (name != "ordinary"), name
        assert _logged(message) == (1 if name == "ordinary" else 0), name


def test_a_message_without_a_report_is_shown_and_logged(world: World, messages: Any) -> None:
    channel, phone = messages["ordinary"][0].channel, messages["ordinary"][0].phone
    help_sms = InboundMessage.objects.create(
        channel=channel, provider_message_id="x", phone=phone, body="HELP me"
    )
    admin = verified_client(world.admin_user)
    page = admin.get(url_for("admin:messaging_inboundmessage_change", help_sms.pk)).content.decode()
    assert "HELP me" in page and HIDDEN not in page
    entry = AccessLog.objects.get(action=AccessLog.Action.VIEW_SMS)
    assert entry.actor == world.admin_user and entry.object_id == str(help_sms.pk)
