"""What staff write, in the reader's language: a version per language, a marked fallback, the forms
that save the versions, the public pages and the calendar feed that show them."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation
from icalendar import Calendar

from rabta.core.localized import add_version_fields, localized, script_language
from rabta.engagement import services
from rabta.engagement.models import ActionItem, Meeting, MeetingKind, Priority
from rabta.people.admin import OfficerProfileForm
from rabta.people.models import OfficerProfile
from rabta.reports.models import ReportUpdate
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.test_engagement_support import action, agency, held_meeting, meeting, priority

BEAT_PAGE = "site:beat"


def thing(main: str = "", ur: str = "", ps: str = "") -> SimpleNamespace:
    return SimpleNamespace(title=main, title_ur=ur, title_ps=ps)


# --- choosing the text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "main", "ur", "ps", "expected"),
    [
        ("ps", "Street lights", "اسٹریٹ لائٹس", "څراغونه", ("څراغونه", "ps", False)),
        ("ur", "Street lights", "اسٹریٹ لائٹس", "څراغونه", ("اسٹریٹ لائٹس", "ur", False)),
        ("en", "Street lights", "اسٹریٹ لائٹس", "څراغونه", ("Street lights", "en", False)),
        # Urdu is the school language in Khyber Pakhtunkhwa: a Pashto reader gets it before English.
        ("ps", "Street lights", "اسٹریٹ لائٹس", "", ("اسٹریٹ لائٹس", "ur", True)),
        ("ur", "Street lights", "", "څراغونه", ("Street lights", "en", True)),
        ("ps", "Street lights", "", "", ("Street lights", "en", True)),
        # The main text written in Urdu or Pashto is known by its letters.
        ("en", "گلی کی بتیاں خراب ہیں", "", "", ("گلی کی بتیاں خراب ہیں", "ur", True)),
        ("ur", "گلی کی بتیاں خراب ہیں", "", "", ("گلی کی بتیاں خراب ہیں", "ur", False)),
        ("ps", "د کوڅې څراغونه مړه دي", "", "", ("د کوڅې څراغونه مړه دي", "ps", False)),
        # Nothing in the main field: any version rather than nothing.
        ("en", "", "", "څراغونه", ("څراغونه", "ps", True)),
        ("en", "", "", "", ("", "en", False)),
    ],
)
def test_the_text_a_reader_gets_and_its_language(
    reader: str, main: str, ur: str, ps: str, expected: tuple[str, str, bool]
) -> None:
    text = localized(thing(main, ur, ps), "title", reader)
    assert (text.text, text.language, text.is_fallback) == expected
    assert text.direction == ("rtl" if text.language in ("ur", "ps") else "ltr")


def test_roman_urdu_reads_the_main_latin_text() -> None:
    # SMS in Roman Urdu stay in Latin letters (GSM-7): no Urdu-script version.
    assert localized(thing("Street lights", "اسٹریٹ لائٹس"), "title", "ur-latn").text == "Street lights"


def test_script_language() -> None:
    assert script_language("Gulabad Chowk, 19:00") == "en"
    assert script_language("گل آباد چوک پر پیدل گشت") == "ur"
    assert script_language("د ګل اباد په چوک کې ګزمه") == "ps"
    assert script_language("TMA ٹی ایم اے") == "ur"  # more Arabic-script letters than Latin


def render(source: str, **context: Any) -> str:
    return Template("{% load local_text %}" + source).render(Context(context))


def test_the_tag_marks_language_direction_and_fallback() -> None:
    with translation.override("ur"):
        own = render('{% local t "title" %}', t=thing("Lights <b>", "روشنی <b>"))
        assert own == '<bdi lang="ur" dir="rtl">روشنی &lt;b&gt;</bdi>'
        fallback = render('{% local t "title" block="p" class="outcome" %}', t=thing("Lights fixed."))
    # The English text keeps lang="en" (and its own direction); the label is in the page's language.
    assert fallback.startswith('<p lang="en" dir="auto" class="outcome">Lights fixed.')
    assert re.search(r'<bdi class="in-lang" lang="ur" dir="rtl">\(.+\)</bdi></p>$', fallback)
    with translation.override("en"):
        assert "in-lang" not in render('{% local t "title" %}', t=thing("Lights fixed."))
        assert render('{% local t "title" %}', t=thing()) == ""
        assert render("{{ d|bdi }}", d="1 December 2026") == "<bdi>1 December 2026</bdi>"
        assert render('{% local t "title" lines=True block="p" %}', t=thing("a\nb")).count("<br>") == 1


def test_version_fields_follow_the_main_one_in_forms() -> None:
    from django import forms

    class F(forms.Form):
        issue = forms.CharField(label="Issue", max_length=300, help_text="Shown publicly.")
        beat = forms.CharField()

    form = F()
    add_version_fields(form, "issue")
    assert list(form.fields) == ["issue", "issue_ur", "issue_ps", "beat"]
    html = str(form["issue_ps"])
    assert 'lang="ps"' in html and 'dir="rtl"' in html and 'maxlength="300"' in html
    assert not form.fields["issue_ur"].required and form.fields["issue_ur"].help_text == ""
    assert str(form.fields["issue_ur"].label) == "Issue, in Urdu"


# --- officers on the beat page -------------------------------------------------------------------


def _name_officer(world: World) -> OfficerProfile:
    profile = world.beat_officer.officer_profile
    world.beat_officer.first_name, world.beat_officer.last_name = "Ali", "Khan"
    world.beat_officer.save(update_fields=["first_name", "last_name"])
    profile.display_name_ur, profile.display_name_ps = "علی خان", "علي خان"
    profile.public_bio = "Your beat officer since 2023."
    profile.public_bio_ps = "له 2023 راهیسې ستاسو د بیټ افسر یم۔"
    profile.save(update_fields=["display_name_ur", "display_name_ps", "public_bio", "public_bio_ps"])
    return profile


def test_beat_page_shows_officer_name_and_bio_per_language(world: World, client: Client) -> None:
    _name_officer(world)
    ps = client.get(url_for(BEAT_PAGE, "GUL", lang="ps")).content.decode()
    assert '<strong><bdi lang="ps" dir="rtl">علي خان</bdi></strong>' in ps
    assert '<p lang="ps" dir="rtl">له 2023 راهیسې ستاسو د بیټ افسر یم۔</p>' in ps
    ur = client.get(url_for(BEAT_PAGE, "GUL", lang="ur")).content.decode()
    assert '<strong><bdi lang="ur" dir="rtl">علی خان</bdi></strong>' in ur
    # No Urdu introduction: the English one, marked as English, with a label in the page's language.
    assert '<p lang="en" dir="auto">Your beat officer since 2023. <bdi class="in-lang" lang="ur"' in ur
    # An officer without an Urdu-script name keeps the Latin one, marked, with no "in English" (a name
    # is not in a language).
    wdo = world.womens_desk_officer.get_full_name()
    assert f'<bdi lang="en" dir="auto">{wdo}</bdi></strong>' in ur
    en = client.get(url_for(BEAT_PAGE, "GUL")).content.decode()
    assert '<bdi lang="en" dir="auto">Ali Khan</bdi>' in en and "in-lang" not in en


def test_the_admin_form_saves_the_versions(world: World) -> None:
    profile = world.beat_officer.officer_profile
    data = {
        "user": world.beat_officer.pk,
        "rank": profile.rank,
        "service_number": profile.service_number,
        "gender": profile.gender,
        "station": profile.station_id,
        "beats": [world.beat_a.pk],
        "languages": "[]",
        "display_name_ur": "علی خان",
        "display_name_ps": "علي خان",
        "public_bio": "Your beat officer.",
        "public_bio_ur": "آپ کا بیٹ افسر۔",
        "public_bio_ps": "ستاسو د بیټ افسر۔",
        "is_public": "on",
    }
    form = OfficerProfileForm(data, instance=profile)
    assert form.is_valid(), form.errors
    form.save()
    profile.refresh_from_db()
    assert (profile.display_name_ur, profile.display_name_ps) == ("علی خان", "علي خان")
    assert (profile.public_bio_ur, profile.public_bio_ps) == ("آپ کا بیٹ افسر۔", "ستاسو د بیټ افسر۔")
    assert 'dir="rtl"' in str(form["public_bio_ps"]) and 'lang="ps"' in str(form["public_bio_ps"])


# --- meetings: beat page, staff form, calendar ---------------------------------------------------


def _meeting_form(world: World, **kw: Any) -> dict[str, Any]:
    day = timezone.localdate() + dt.timedelta(days=5)
    data = {
        "kind": MeetingKind.OPEN_TALK,
        "title": "Street lighting",
        "title_ur": "گلی کی روشنی",
        "title_ps": "د کوڅې رڼا",
        "beats": [world.beat_a.pk],
        "starts_at": f"{day:%Y-%m-%d}T16:00",
        "ends_at": f"{day:%Y-%m-%d}T17:30",
        "venue": "Gulabad Chowk",
        "facilitators": [world.beat_officer.pk],
    }
    return {**data, **kw}


def test_the_meeting_form_saves_and_edits_the_versions(world: World) -> None:
    client = verified_client(world.beat_officer)
    form_page = client.get(url_for("engagement:meeting_new")).content.decode()
    assert 'name="title_ur"' in form_page and 'name="title_ps"' in form_page
    assert client.post(url_for("engagement:meeting_new"), _meeting_form(world)).status_code == 302
    m = Meeting.objects.get()
    assert (m.title, m.title_ur, m.title_ps) == ("Street lighting", "گلی کی روشنی", "د کوڅې رڼا")
    assert m.sequence == 0
    edit = _meeting_form(world, title_ps="د کوڅو رڼا")
    assert client.post(url_for("engagement:meeting_edit", m.pk), edit).status_code == 302
    m.refresh_from_db()
    # A calendar shows the topic in its language: a changed version is a new revision of the event.
    assert m.title_ps == "د کوڅو رڼا" and m.sequence == 1
    # The edit form shows the stored versions.
    assert "د کوڅو رڼا" in client.get(url_for("engagement:meeting_edit", m.pk)).content.decode()


def test_beat_page_meeting_topic_per_language(world: World, client: Client) -> None:
    meeting(world.beat_officer, [world.beat_a], title="Street lighting", title_ur="گلی کی روشنی")
    ur = client.get(url_for(BEAT_PAGE, "GUL", lang="ur")).content.decode()
    assert ': <bdi lang="ur" dir="rtl">گلی کی روشنی</bdi><br>' in ur
    assert '· <bdi dir="auto">Gulabad Chowk hujra</bdi></li>' in ur  # the venue apart from the date
    ps = client.get(url_for(BEAT_PAGE, "GUL", lang="ps")).content.decode()
    assert '<bdi lang="ur" dir="rtl">گلی کی روشنی</bdi> <bdi class="in-lang" lang="ps"' in ps
    en = client.get(url_for(BEAT_PAGE, "GUL")).content.decode()
    assert '<bdi lang="en" dir="auto">Street lighting</bdi>' in en


def _summaries(client: Client, query: str = "") -> list[Any]:
    # A literal address: calendar apps subscribe to it.
    body = client.get("/feeds/beats/GUL/meetings.ics" + query).content
    return [e["SUMMARY"] for e in Calendar.from_ical(body).walk("VEVENT")]


def test_the_calendar_follows_the_language_of_its_url(world: World, client: Client) -> None:
    meeting(
        world.beat_officer,
        [world.beat_a],
        title="Street lighting",
        title_ur="گلی کی روشنی",
        title_ps="د کوڅې رڼا",
    )
    [en] = _summaries(client)
    assert str(en) == "Open talk: Street lighting" and en.params["LANGUAGE"] == "en"
    [ur] = _summaries(client, "?lang=ur")
    assert str(ur).endswith(": گلی کی روشنی") and ur.params["LANGUAGE"] == "ur"
    [ps] = _summaries(client, "?lang=ps")
    assert str(ps).endswith(": د کوڅې رڼا") and ps.params["LANGUAGE"] == "ps"


def test_calendar_without_a_version_falls_back(world: World, client: Client) -> None:
    meeting(world.beat_officer, [world.beat_a], title="Street lighting")
    [ps] = _summaries(client, "?lang=ps")
    assert str(ps).endswith(": Street lighting")


# --- priorities, actions, outcomes: staff forms and "you said, we did" ---------------------------


def test_priority_and_action_forms_save_the_versions(world: World) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], {"women_15_29": 4, "men_30_44": 6})
    client = verified_client(world.beat_officer)
    page = client.get(url_for("engagement:priority_new", m.pk)).content.decode()
    assert page.index('name="issue"') < page.index('name="issue_ur"') < page.index('name="issue_ps"')
    payload = {
        "issue": "Drug selling near the bus stand",
        "issue_ur": "بس اسٹینڈ کے قریب منشیات فروشی",
        "issue_ps": "د بس اډې ته نږدې د نشه يي توکو پلورل",
        "raised_by": "women",
        "beat": str(world.beat_a.pk),
    }
    assert client.post(url_for("engagement:priority_new", m.pk), payload).status_code == 302
    p = Priority.objects.get()
    assert (p.issue_ur, p.issue_ps) == (payload["issue_ur"], payload["issue_ps"])

    action_data = {
        "action": "Evening patrol at the bus stand",
        "action_ur": "بس اسٹینڈ پر شام کا گشت",
        "action_ps": "",
        "owner_officer": world.beat_officer.pk,
        "due_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
    }
    assert client.post(url_for("engagement:action_new", p.pk), action_data).status_code == 302
    item = ActionItem.objects.get()
    assert (item.action_ur, item.action_ps) == ("بس اسٹینڈ پر شام کا گشت", "")

    done = {
        "status": "done",
        "note": "",
        "outcome": "Patrol every evening since.",
        "outcome_ur": "تب سے ہر شام گشت ہوتا ہے۔",
        "outcome_ps": "له هغه راهیسې هر ماښام ګزمه کېږي۔",
        "drop_reason": "",
        "due_on": item.due_on.isoformat(),
    }
    assert client.post(url_for("engagement:action", item.pk), done).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.outcome_ur, item.outcome_ps) == ("done", done["outcome_ur"], done["outcome_ps"])
    # The update form shows what is stored; posting it back with a version cleared clears it.
    assert done["outcome_ps"] in client.get(url_for("engagement:action", item.pk)).content.decode()
    assert client.post(url_for("engagement:action", item.pk), {**done, "outcome_ps": ""}).status_code == 302
    item.refresh_from_db()
    assert item.outcome_ps == "" and item.outcome_ur == done["outcome_ur"]


def test_versions_left_out_of_a_service_call_are_kept(world: World) -> None:
    item = action(world.beat_officer, priority(world.beat_officer, world.beat_a))
    services.update_action_item(
        item=item, by=world.beat_officer, outcome="x", outcome_ur="ایکس", outcome_ps=""
    )
    services.update_action_item(item=item, by=world.beat_officer, note="called the TMA")
    item.refresh_from_db()
    assert item.outcome_ur == "ایکس"


def test_you_said_we_did_per_language_with_fallback_label(world: World, client: Client) -> None:
    p = services.add_priority(
        by=world.beat_officer,
        beat=world.beat_a,
        issue="Streetlights broken in Bagh Mohalla",
        issue_ur="باغ محلہ کی اسٹریٹ لائٹس خراب ہیں",
        issue_ps="د باغ محلې څراغونه خراب دي",
        raised_by="women",
        raised_on=timezone.localdate() - dt.timedelta(days=20),
    )
    item = services.add_action_item(
        by=world.beat_officer,
        priority=p,
        action="TMA Timergara to repair the lights",
        action_ps="ټي اېم اې به څراغونه جوړ کړي",
        due_on=timezone.localdate() + dt.timedelta(days=10),
        owner_agency=agency(name="TMA Timergara (Tehsil Municipal Administration)"),
    )
    services.update_action_item(
        item=item,
        by=world.beat_officer,
        status="done",
        outcome="12 lights repaired.",
        outcome_ps="12 څراغونه جوړ شول۔",
    )
    ps = client.get(url_for("engagement:you_said_we_did", "GUL", lang="ps")).content.decode()
    assert '<bdi lang="ps" dir="rtl">د باغ محلې څراغونه خراب دي</bdi>' in ps
    assert '<bdi lang="ps" dir="rtl">ټي اېم اې به څراغونه جوړ کړي</bdi>' in ps
    assert '<p lang="ps" dir="rtl" class="outcome">12 څراغونه جوړ شول۔</p>' in ps
    assert "in-lang" not in ps
    # The owner on its own line, no brackets around it: the agency's own stay inside its isolate.
    assert ": <bdi>TMA Timergara (Tehsil Municipal Administration)</bdi></span>" in ps
    assert "(<bdi>" not in ps
    ur = client.get(url_for("engagement:you_said_we_did", "GUL", lang="ur")).content.decode()
    assert '<bdi lang="ur" dir="rtl">باغ محلہ کی اسٹریٹ لائٹس خراب ہیں</bdi>' in ur
    # No Urdu action or outcome: the English, marked so, with a label.
    assert '<bdi lang="en" dir="auto">TMA Timergara to repair the lights</bdi> <bdi class="in-lang"' in ur
    assert '<p lang="en" dir="auto" class="outcome">12 lights repaired. <bdi class="in-lang"' in ur


# --- public notes on the tracking page -----------------------------------------------------------


def test_public_note_versions_saved_and_shown_on_the_tracking_page(world: World, client: Client) -> None:
    submission = factories.report("theft", lat=34.805, lon=71.805)
    report = submission.report
    officer = verified_client(world.beat_officer)
    officer.post(
        url_for("reports:staff_note", report.public_id),
        {
            "note": "We spoke to the shopkeepers.",
            "note_ur": "ہم نے دکانداروں سے بات کی۔",
            "note_ps": "",
            "public": "1",
        },
    )
    officer.post(
        url_for("reports:staff_note", report.public_id),
        {"note": "Internal lead", "note_ur": "اندرونی", "public": "0"},
    )
    public = ReportUpdate.objects.get(report=report, note="We spoke to the shopkeepers.")
    assert (public.note_ur, public.note_ps) == ("ہم نے دکانداروں سے بات کی۔", "")
    # An internal note has no resident to read a version: none is kept.
    assert ReportUpdate.objects.get(report=report, note="Internal lead").note_ur == ""

    ur = client.get(url_for("reports:track", submission.token, lang="ur")).content.decode()
    assert '<p lang="ur" dir="rtl">ہم نے دکانداروں سے بات کی۔</p>' in ur
    ps = client.get(url_for("reports:track", submission.token, lang="ps")).content.decode()
    assert '<p lang="ur" dir="rtl">ہم نے دکانداروں سے بات کی۔ <bdi class="in-lang" lang="ps"' in ps
    en = client.get(url_for("reports:track", submission.token)).content.decode()
    assert '<p lang="en" dir="auto">We spoke to the shopkeepers.</p>' in en
    assert "Internal lead" not in ur + ps + en


def test_status_change_note_versions(world: World) -> None:
    report = factories.report("street_lighting", lat=34.805, lon=71.805).report
    officer = verified_client(world.beat_officer)
    detail = officer.get(url_for("reports:staff_detail", report.public_id)).content.decode()
    assert 'name="note_ps"' in detail
    officer.post(
        url_for("reports:staff_status", report.public_id),
        {"to": "in_progress", "note": "A team visits today.", "note_ps": "نن یوه ډله درځي۔", "note_ur": ""},
    )
    update = report.updates.get(to_status="in_progress")
    assert (update.note, update.note_ur, update.note_ps) == ("A team visits today.", "", "نن یوه ډله درځي۔")
