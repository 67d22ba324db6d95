import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from rabta.core.models import EmailPurpose
from rabta.core.outbox import queue_email
from rabta.people.models import User


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=8,
        help_text=_(
            "Staff only. Leave empty the first time: you will set up the app next."
            " Lost your phone? Enter one of your backup codes here."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class TokenForm(forms.Form):
    otp_token = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ConfirmResetForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I checked who is asking: this person has lost their phone or authenticator."),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, also for accounts whose password a device reset made unusable.

    Django leaves such accounts out (it assumes they log in elsewhere); here an unusable password
    means "set a fresh one yourself", and this e-mail is how.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Through the outbox like every e-mail Rabta sends: the worker sends it with retries, so the
        # request neither waits for the mail server nor answers differently when it is down.
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        queue_email(to=[to_email], subject=subject, body=body, purpose=EmailPurpose.ACCOUNT)

    def get_users(self, email: str) -> Iterator[Any]:
        email_field = User.get_email_field_name()
        candidates = User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        return (u for u in candidates if _same_address(email, getattr(u, email_field)))


def _same_address(first: str, second: str) -> bool:
    # Compared as Django does, so a look-alike address (Unicode case folding) gets no one's e-mail.
    return unicodedata.normalize("NFKC", first).casefold() == unicodedata.normalize("NFKC", second).casefold()
