"""One message registry: the text a person reads for every refusal and error code, by area.

Codes come from the refusal tree (webapp/refusals.py: `Refused(code, **values)`), the rules
and the forms. A code means one thing in its area; the general table answers for every area
that has no text of its own for it (the order's state, the forms, one-time codes).
"""

from flask_babel import lazy_gettext as _l

GENERAL = {
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
    # TRANSLATORS: top-up form, an amount too small; %(min)s the smallest top-up, e.g. "10 ₽".
    "amount_too_small": _l("The amount is below the minimum of %(min)s."),
    # TRANSLATORS: top-up form, an amount too large; %(max)s the largest top-up, e.g. "15 000 ₽".
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
    "do_not_honor": _l("Your bank declined the payment. Try another card or call your bank."),
    "expired_card": _l("Declined: the bank says this card has expired."),
    "three_ds_failed": _l("Declined: 3-D Secure confirmation failed. Try again or use another "
                          "card."),
    "card_not_found": _l("This saved card is no longer available. Choose another card."),
    # wallet payments (SPEC §3.3), on the checkout
    "wallet_brand": _l("Choose Alipay-style or WeChat Pay-style."),
    "wallet_expired": _l("The wallet payment code expired before it was paid. Make a new one "
                         "or pay another way."),
    "wallet_closed": _l("The wallet payment was closed without being paid. Pay again or pay "
                        "another way."),
    "not_pending": _l("This payment attempt is over. Start a new one."),
    # order state
    "expired": _l("The time to pay this order is over. Place a new order."),
    "already_paid": _l("This order is already paid."),
    "not_found": _l("There is no such order."),
    "method_unavailable": _l("This way of paying is not offered for this order. Choose another "
                             "one."),
    "csrf": _l("This form is out of date. Reload the page and try again."),
    "bad_input": _l("The request has characters that are not allowed or a value that is too "
                    "long. Check what you typed and try again."),
    # one-time codes
    # TRANSLATORS: code pages; %(time)s the wait before a new code may be asked for, e.g. "59
    # seconds".
    "resend_too_soon": _l("A new code can be sent in %(time)s."),
    # TRANSLATORS: code pages; %(time)s the wait until the hour's limit of codes lets another
    # one go, e.g. "42 minutes".
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

# Mobile payment (SPEC §3.2), on the page and in the SMS that tells a number why; the
# operator's support number where the operator is the one to call.
MOBILE = {
    # TRANSLATORS: mobile payment refused (page and SMS); %(operator)s the operator's name, e.g.
    # "МТС"; %(support)s its support number, e.g. "0890".
    "banned": _l("%(operator)s has switched mobile payments off on this number. Call "
                 "%(support)s to switch them on."),
    "corporate": _l("Mobile payments are not available on corporate tariffs."),
    "trust_outstanding": _l("Mobile payments are unavailable until the trust payment is "
                            "repaid: trust credit cannot pay for goods."),
    # TRANSLATORS: mobile payment refused; %(operator)s the operator's name, e.g. "МТС"; %(min)s
    # the spending needed, e.g. "500 ₽"; %(support)s its support number, e.g. "0890".
    "not_activated.spent_over": _l("%(operator)s allows mobile payments once more than "
                                   "%(min)s has been spent on services. Call %(support)s "
                                   "for details."),
    # TRANSLATORS: mobile payment refused; %(operator)s the operator's name, e.g. "МТС";
    # %(months)s a number of months, e.g. 2.
    "not_activated.months_or_topup": _l("%(operator)s allows mobile payments after %(months)s "
                                        "months on the network or after the first top-up."),
    # TRANSLATORS: mobile payment refused; %(operator)s the operator's name, e.g. "МТС";
    # %(support)s its support number, e.g. "0500".
    "not_activated.personal_budget": _l("%(operator)s allows mobile payments only with the "
                                        "Personal budget option. Call %(support)s to "
                                        "connect it."),
    # TRANSLATORS: mobile payment refused; %(operator)s the operator's name, e.g. "МТС"; %(cap)s
    # the most one payment may be, e.g. "1 000 ₽".
    "over_cap": _l("%(operator)s allows at most %(cap)s per payment."),
    # TRANSLATORS: mobile payment refused; %(limit)s the operator's limit for a day, e.g. "30 000
    # ₽".
    "daily_sum": _l("This payment would go over the daily limit of %(limit)s."),
    # TRANSLATORS: mobile payment refused; %(limit)s how many payments a day are allowed, e.g. 5.
    "daily_count": _l("The limit of %(limit)s payments a day has been reached."),
    # TRANSLATORS: mobile payment refused; %(limit)s the operator's limit for a week, e.g. "40 000
    # ₽".
    "weekly_sum": _l("This payment would go over the weekly limit of %(limit)s."),
    # TRANSLATORS: mobile payment refused; %(limit)s how many payments a week are allowed, e.g.
    # 20.
    "weekly_count": _l("The limit of %(limit)s payments a week has been reached."),
    # TRANSLATORS: mobile payment refused; %(limit)s the operator's limit for a month, e.g. "40
    # 000 ₽".
    "monthly_sum": _l("This payment would go over the monthly limit of %(limit)s."),
    # TRANSLATORS: mobile payment refused; %(limit)s how many payments a month are allowed, e.g.
    # 50.
    "monthly_count": _l("The limit of %(limit)s payments a month has been reached."),
    # TRANSLATORS: mobile payment refused; %(needed)s the balance needed, e.g. "210 ₽";
    # %(reserve)s what must stay on the account, e.g. "10 ₽".
    "funds": _l("Not enough money: the balance must be at least %(needed)s (the payment with "
                "its fee, plus %(reserve)s that stays on the account). Trust payment does not "
                "count."),
    "unknown_number": _l("This number is not known to the operator."),
    "wrong_operator": _l("This number is served by another operator. Choose its operator."),
    "operator_missing": _l("Choose the operator of the paying number."),
    "private": _l("Mobile payment is not available for this number now. The reason has been "
                  "sent to the number by SMS."),
    "not_goods": _l("Mobile payment is for goods. A phone top-up is paid by card."),
    "not_refundable": _l("Only a goods order paid from a phone balance can be refunded to "
                         "the wallet."),
}

# Trust payment (SPEC §4), on pages and in USSD replies.
TRUST = {
    "unknown_number": _l("This number is not a Beeline subscriber."),
    "not_operator": _l("Trust payment is a Beeline service; this number is with another "
                       "operator."),
    "postpaid": _l("Trust payment is not available on postpaid tariffs."),
    "welcome_no_auto": _l("Auto trust payment is not available on the Welcome tariff."),
    "suspended": _l("The number is suspended for debt. Top it up to zero or more first."),
    "outstanding": _l("A trust payment is already outstanding. A new one is possible after it "
                      "is repaid."),
    "first_months": _l("Trust payment is available from the third month after connection."),
    # TRANSLATORS: trust payment refused; %(min)s what must have been spent, e.g. "300 ₽".
    "spent_too_little": _l("Trust payment is available once %(min)s has been spent on "
                           "services."),
    "monthly_fee_new": _l("On tariffs with a monthly fee, trust payment is available after "
                          "3 months as a customer."),
    "too_large": _l("Trust payment is not available for an amount this large."),
    # TRANSLATORS: trust payment refused; %(min)s the monthly spending needed, e.g. "300 ₽".
    "monthly_fee_low_spend": _l("On tariffs with a monthly fee, trust payment needs at least "
                                "%(min)s spent a month."),
}

# The wallet's own pages (SPEC §3.3): its cashier and its sandbox form (the refusals with
# numbers in them, tries left, a lock's time, balances, are worded in views/wallet_messages.py).
WALLET = {
    "bad_number": _l("Enter the mobile number of your wallet."),
    "bad_password": _l("The payment password is 6 digits."),
    "no_password": _l("This wallet has no payment password yet."),
    "expired": _l("This payment code has expired. Go back to the shop to make a new one."),
    "closed": _l("This payment was closed by the shop. Go back to the shop to pay."),
    "already_paid": _l("This order has already been paid."),
    "not_found": _l("There is no such payment."),
    "exists": _l("This number already has a wallet of this brand and currency."),
    "bad_balance": _l("Enter a balance of 0 or more."),
}

# A kiosk's notices (SPEC §3.4, §7): a note given back, cash that must be paid in.
KIOSK = {
    "phone_wrong_country": _l("This number belongs to another country. This kiosk tops up "
                              "numbers of its own country."),
    # TRANSLATORS: kiosk cash step: the bill acceptor gave a note back; %(max)s the most one
    # payment takes, e.g. "15 000 ₽".
    "over_cap": _l("This note would take the payment over %(max)s. Take it back: it has been "
                   "returned."),
    "unknown_note": _l("This note is not accepted. Take it back: it has been returned."),
    "cash_inserted": _l("The cash is in: it goes to the number. Press Pay."),
    # TRANSLATORS: kiosk cash step when what was inserted only covers the minimum commission;
    # %(min)s that minimum, e.g. "10 ₽".
    "cash_too_little": _l("The commission is at least %(min)s: insert more to put money on the "
                          "number."),
    # A card tapped on an order whose hour ran out: the kiosk has made a new one.
    "expired": _l("The time to pay ran out. Tap the card again: it pays a new order."),
    # The cash provider refused the sum collected (it never should: a bug to report).
    "cash_mismatch": _l("The cash could not be paid in. Call the support number on the "
                        "kiosk's receipt."),
}


AREAS = {"mobile": MOBILE, "trust": TRUST, "kiosk": KIOSK, "wallet": WALLET}


def lookup(code: str, area: str | None = None):
    """The lazy text of `code` in `area` (falling back to the general table), or None."""
    return AREAS.get(area, {}).get(code) or GENERAL.get(code)
