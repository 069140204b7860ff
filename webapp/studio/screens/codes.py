"""Every state of a code page, on the sign-in code: fresh, a wrong code with tries left, dead
after too many wrong ones, expired, the wait before a new one, the hourly cap, no code yet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import scenario
from ._flows import WRONG_CODE, ask_sign_in_code


@scenario("codes.sign_in", _l("Sign-in: the number"))
def sign_in(stage):
    return stage.get("/signin")


@scenario("codes.sign_in_wrong_number", _l("Sign-in: a number that is not a mobile number"))
def sign_in_wrong_number(stage):
    stage.get("/signin")
    return stage.post("/signin", expect=422, phone="12")


@scenario("codes.fresh", _l("Code page: a code just sent"))
def fresh(stage):
    return ask_sign_in_code(stage)[1]


@scenario("codes.wrong", _l("Code page: a wrong code, tries left"))
def wrong(stage):
    ask_sign_in_code(stage)
    return stage.post("/signin/code", expect=422, code=WRONG_CODE)


@scenario("codes.too_short", _l("Code page: a code with too few digits"))
def too_short(stage):
    ask_sign_in_code(stage)
    return stage.post("/signin/code", expect=422, code="12")


@scenario("codes.dead", _l("Code page: too many wrong codes"))
def dead(stage):
    ask_sign_in_code(stage)
    for _ in range(4):
        stage.post("/signin/code", expect=422, code=WRONG_CODE)
    return stage.post("/signin/code", expect=422, code=WRONG_CODE)


@scenario("codes.expired", _l("Code page: the code expired"))
def expired(stage):
    phone, _page = ask_sign_in_code(stage)
    stage.expire_code(phone)
    return stage.get("/signin/code")


@scenario("codes.resend_wait", _l("Code page: a new code asked for too soon"))
def resend_wait(stage):
    ask_sign_in_code(stage)
    return stage.post("/signin/resend", expect=429)


@scenario("codes.hourly_cap", _l("Code page: five codes in an hour, no more"))
def hourly_cap(stage):
    phone, _page = ask_sign_in_code(stage)
    for _ in range(4):
        stage.skip_wait(phone)
        stage.post("/signin/resend")
    stage.skip_wait(phone)
    return stage.post("/signin/resend", expect=429)


@scenario("codes.none_sent", _l("Code page: no code sent yet"))
def none_sent(stage):
    stage.session_set(signin_phone=stage.subscriber())
    return stage.get("/signin/code")
