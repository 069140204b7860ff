"""The payer's forms as Flask-WTF forms: what each posts, read the same way everywhere (cut to
the field's size, trimmed). What a field must be to pay is the provider's or the service's
business (payments/*.py read(), services/account.py), whose message codes come back to the
same fields; these forms only read.

CSRF: CSRFProtect (extensions.csrf) checks every POST before any view runs, so the forms do
not check the token a second time (the pages keep their hidden csrf_token field).
"""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import ValidationError

from ..services import codes
from .messages import code_format


def _cut(size: int):
    """What was typed, without surrounding spaces, at most `size` characters (a field never
    carries more into a page or a message)."""
    return lambda value: (value or "").strip()[:size]


def _kept(size: int):
    """As typed (spaces kept: the provider reads them), at most `size` characters."""
    return lambda value: (value or "")[:size]


class PayerForm(FlaskForm):
    class Meta:
        csrf = False  # checked by CSRFProtect before the view


class CodeForm(PayerForm):
    """A one-time code typed on any code page (3-D Secure, SMS reply, sign-in, trust)."""

    # TRANSLATORS: label of the field for the 6-digit code from the SMS.
    code = StringField(_l("Code from the SMS"), filters=[_kept(40)])

    def validate_code(self, field) -> None:
        """As many digits as a code has (spaces between groups allowed); else the message
        that says how many, which is not a wrong try."""
        self.typed = codes.read_typed(field.data)
        if self.typed is None:
            raise ValidationError(code_format(codes.digits()))


class PhoneForm(PayerForm):
    """A phone number typed to get a code: sign-in, trust payment."""

    # TRANSLATORS: label of a phone number field (sign-in, top-up, virtual phone, receipts).
    phone = StringField(_l("Phone number"), filters=[_kept(40)])


class SignInForm(PhoneForm):
    next = HiddenField(filters=[_kept(400)])  # a local path to come back to (views/targets.py)


class CardPayForm(PayerForm):
    """The card partial: a saved card (its token and CVC) or a new card; `attempt_key` makes
    a double submit one payment."""

    card_choice = StringField(filters=[_cut(64)])
    # TRANSLATORS: label of the card number field on the card form.
    number = StringField(_l("Card number"), filters=[_kept(40)])
    expiry = StringField(_l("Expiry (MM/YY)"), filters=[_cut(7)])
    cvc = StringField(_l("CVC"), filters=[_kept(8)])
    saved_cvc = StringField(_l("CVC of the saved card"), filters=[_kept(8)])
    save_card = BooleanField(_l("Save this card for next time"), false_values=("", "0"))
    attempt_key = HiddenField(filters=[_cut(80)])


class BalancePayForm(PayerForm):
    """The phone balance partial: the paying number and its operator."""

    phone = StringField(_l("Phone number"), filters=[_kept(40)])
    # TRANSLATORS: label of the choice of a mobile operator (top-up, mobile payment).
    operator = StringField(_l("Operator"), filters=[_cut(32)])


# The methods whose partial posts a form of its own kind; another method's provider reads the
# posted fields as they are (its read() gets a mapping either way).
METHOD_FORMS: dict[str, type[PayerForm]] = {"card": CardPayForm,
                                            "mobile_balance": BalancePayForm}


def method_form(method: str) -> dict:
    """The posted form of `method` as its provider reads it (read(), form())."""
    form_class = METHOD_FORMS.get(method)
    if form_class is None:
        return request.form.to_dict()
    return form_class().data
