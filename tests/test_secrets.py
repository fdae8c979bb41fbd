"""The password's own guard: masked when shown, scrubbed from an exception chain."""

from __future__ import annotations

import pickle
import traceback

import pytest

from smsbatch.gateway._secrets import MASK, Secret, scrub_exception, secret_forms

PASSWORD = "p@ss&w0rd=€ #+%"


def test_a_secret_never_shows_itself():
    secret = Secret(PASSWORD)
    shown = repr(secret) + str(secret) + f"{secret}" + f"{secret:>30}" + repr([secret])
    assert PASSWORD not in shown and MASK in shown
    assert secret.reveal() == PASSWORD
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)


def test_every_url_spelling_of_the_password_is_scrubbed_from_a_chain():
    forms = secret_forms(PASSWORD)
    assert {PASSWORD, "p%40ss%26w0rd%3D%E2%82%AC%20%23%2B%25"} <= forms
    try:
        try:
            raise OSError(f"GET /api/sendsms.ashx?pass={sorted(forms)[0]}")
        except OSError as cause:
            raise RuntimeError("failed", cause) from cause
    except RuntimeError as err:
        err.url = "https://gateway.example/?pass=" + "p%40ss%26w0rd%3D%E2%82%AC%20%23%2B%25"
        scrub_exception(err, forms)
        shown = "".join(traceback.format_exception(err)) + err.url
    assert not any(form in shown for form in forms)
    assert MASK in shown
