"""What the person reads for each error code the rules and services raise."""

from flask_babel import lazy_gettext as _l

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
    "requires_3ds": _l("Declined: this card needs 3-D Secure confirmation, which this checkout "
                       "cannot do yet. Use another card."),
    # order state
    "expired": _l("The time to pay this order is over. Place a new order."),
    "already_paid": _l("This order is already paid."),
    "not_found": _l("There is no such order."),
    "csrf": _l("This form is out of date. Reload the page and try again."),
}


def message(code: str, **values) -> str:
    """The localized text for an error code (the code itself if it has none: a bug to fix)."""
    text = MESSAGES.get(code)
    if text is None:
        return code
    return str(text) % values if values else str(text)
