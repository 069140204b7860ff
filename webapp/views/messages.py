"""What the person reads for each error code the rules and services raise."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

MESSAGES = {
    # phone number
    "phone_empty": _l("Enter the phone number to top up."),
    "phone_invalid": _l("This is not a valid phone number. Check the digits."),
    "phone_wrong_country": _l("This number belongs to another country. Choose its market above."),
    "phone_not_mobile": _l("This is a landline or service number; only mobile numbers can be "
                           "topped up."),
    # operator
    "operator_missing": _l("Choose the operator of this number."),
    "operator_unknown": _l("Choose one of the operators shown."),
    # amount
    "amount_missing": _l("Choose an amount."),
    "amount_empty": _l("Enter the amount."),
    "amount_format": _l("Enter the amount as a number, like 150 or 150.50."),
    "amount_too_small": _l("The amount is below the minimum of %(min)s."),
    "amount_too_large": _l("The amount is above the maximum of %(max)s."),
    "price_changed": _l("The price has changed: another order of this number, waiting for "
                        "payment, has the first top-up discount. Check the price and place "
                        "the order again."),
    # card form
    "number_empty": _l("Enter the card number."),
    "number_format": _l("A card number has digits only."),
    "number_brand": _l("We accept Visa, Mastercard, Mir and UnionPay cards."),
    "number_invalid": _l("This card number is not valid. Check the digits."),
    "expiry_empty": _l("Enter the expiry date as MM/YY."),
    "expiry_format": _l("Enter the expiry date as MM/YY, for example 08/29."),
    "expiry_past": _l("This card has expired."),
    "cvc_format": _l("The CVC is the 3 digits on the back of the card."),
    # declines (the acquirer's reasons)
    "insufficient_funds": _l("Declined: not enough money on the card."),
    "do_not_honor": _l("Declined by your bank (do not honor). Try another card or call "
                       "your bank."),
    "expired_card": _l("Declined: the bank says this card has expired."),
    "three_ds_failed": _l("Declined: 3-D Secure confirmation failed. Try again or use another "
                          "card."),
    "card_not_found": _l("This saved card is no longer available. Choose another card."),
    "not_pending": _l("This payment attempt is over. Start a new one."),
    # order state
    "expired": _l("The time to pay this order is over. Place a new order."),
    "already_paid": _l("This order is already paid."),
    "not_found": _l("There is no such order."),
    "csrf": _l("This form is out of date. Reload the page and try again."),
    "bad_input": _l("The request has characters that are not allowed or a value that is too "
                    "long. Check what you typed and try again."),
    # one-time codes
    "resend_too_soon": _l("A new code can be sent in %(time)s."),
    "hourly_limit": _l("Too many codes were sent to this number. A new one can be sent in "
                       "%(time)s."),
    "no_code": _l("Ask for a code first."),
    "code_expired": _l("This code has expired. Ask for a new one."),
    "used": _l("This code has already been used."),
    "dead": _l("Too many wrong codes: this code no longer works. Ask for a new one."),
    "too_many_requests": _l("Too many requests. Please wait a moment and try again."),
    "signed_out": _l("You have signed out."),
    "reply_invalid": _l("Write a message and the short number to send it to."),
    # sandbox code actions
    "code_expired_now": _l("The code has expired: the code page now says so."),
    "resend_wait_skipped": _l("The wait is over: a new code can be asked for now."),
    "code_not_active": _l("This code is no longer active."),
    "code_no_wait": _l("There is no wait to skip: a new code can be asked for already."),
}


def code_format(digits: int) -> str:
    """A typed code that is not a code: how many digits one has."""
    return ngettext("The code is %(num)d digit.", "The code is %(num)d digits.", digits)


def wrong_code(tries_left: int) -> str:
    return ngettext("Wrong code. %(num)d try left.", "Wrong code. %(num)d tries left.",
                    tries_left)


def code_refusal(refused, now) -> str:
    """The text for a codes.CodeRefused, with how long to wait where that applies."""
    from ..i18n import duration

    if refused.reason == "wrong":
        return wrong_code(refused.tries_left or 0)
    if refused.reason == "expired":
        return message("code_expired")
    if refused.retry_at is not None:
        return message(refused.reason, time=duration(refused.retry_at - now))
    return message(refused.reason)


def message(code: str, **values) -> str:
    """The localized text for an error code (the code itself if it has none: a bug to fix)."""
    text = MESSAGES.get(code)
    if text is None:
        return code
    return str(text) % values if values else str(text)
