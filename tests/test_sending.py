"""End to end against the real simulator: every status, every stop, retries, rate, threads,
resume, Ctrl-C and kill -9. The product promise under test: never twice, never lost."""

from __future__ import annotations

import errno
import logging
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from jupyter_client.manager import start_new_kernel

from smsbatch.exceptions import (
    CampaignStopped,
    ConfigurationError,
    InvalidSenderError,
    JournalError,
    TemplateError,
)
from smsbatch.gateway.client import Client
from smsbatch.gateway.simulator import Simulator
from smsbatch.preparation.campaign import prepare
from smsbatch.preparation.summary import summarize
from smsbatch.sending.journal import Journal
from smsbatch.sending.run import run_campaign, send

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Pa55-w0rd-4-tests!"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(password=PASSWORD) as simulator:
        yield simulator


@pytest.fixture
def client(sim: Simulator) -> Iterator[Client]:
    with Client(sim.login, PASSWORD, sim.url) as connected:
        yield connected


def people(n: int) -> pd.DataFrame:
    """Recipients with a non-default index, so rows are found by label, not by luck."""
    return pd.DataFrame(
        {
            "name": [f"Person {i}" for i in range(n)],
            "phone": [f"06{20000000 + i}" for i in range(n)],
        },
        index=[f"row-{i}" for i in range(n)],
    )


def number(i: int) -> str:
    return f"316{20000000 + i}"


def quick(**options: object) -> dict[str, object]:
    """Options for tests that must not wait: no rate limit, no backoff, no bar."""
    return {
        "text": "Hi {name}",
        "sender": "Clinic",
        "rate": None,
        "backoff": 0,
        "progress": False,
        **options,
    }


def received(sim: Simulator) -> Counter[tuple[str, str | None]]:
    return Counter((m.to, m.text) for m in sim.messages)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll a condition with a deadline: only for a simulator inside another process (the
    Jupyter kernel), whose traffic this process can see only in its record file."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


# -- statuses ------------------------------------------------------------------------------------


def test_every_row_gets_its_own_status_and_the_gateways_own_answer(sim, client):
    df = people(6)
    df.loc["row-1", "phone"] = "12"  # invalid
    df.loc["row-5"] = df.loc["row-0"]  # duplicate of row-0
    sim.fail_numbers({number(2)}, code=601)
    before = df.copy()

    result = send(df, client, **quick())

    pd.testing.assert_frame_equal(df, before)
    assert list(result.index) == list(df.index)
    assert result["sms_status"].tolist() == [
        "sent",
        "invalid",
        "failed",
        "sent",
        "sent",
        "duplicate",
    ]
    sent = result.loc["row-0"]
    assert (sent.sms_response_code, sent.sms_response_text, sent.sms_response_destination) == (
        200,
        "SMS message sent.",
        number(0),
    )
    failed = result.loc["row-2"]
    assert (failed.sms_response_code, failed.sms_response_text) == (
        601,
        "Carrier rejected the message.",
    )
    assert "carrier" in failed.sms_error
    assert pd.isna(result.loc["row-1", "sms_response_code"])
    assert pd.isna(result.loc["row-1", "sms_sent_at"])
    assert result.loc["row-3", "sms_sent_at"] <= pd.Timestamp.now(tz="UTC")
    assert received(sim) == Counter({(number(i), f"Hi Person {i}"): 1 for i in (0, 3, 4)})


def test_excluded_rows_are_skipped_and_the_accessor_sends_the_same_way(sim, client):
    result = people(3).sms.send(client, **quick(exclude=["06 2000 0001"]))
    assert result["sms_status"].tolist() == ["sent", "excluded", "sent"]
    assert [m.to for m in sim.messages] == [number(0), number(2)]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"vcard": {"name": "{name}", "mobile": "+31612345678"}},
            {"kind": "vcard", "vcard": {"name": "Person 0", "mobile": "+31612345678"}},
        ),
        (
            {"binary": {"data": "48656C6C6F", "udh": "050003010101"}},
            {"kind": "binary", "data": "48656C6C6F", "udh": "050003010101"},
        ),
    ],
    ids=["vcard", "binary"],
)
def test_vcard_and_binary_campaigns_reach_the_gateway_as_such(sim, client, options, expected):
    result = send(people(1), client, **quick(text=None, **options))
    assert result["sms_status"].tolist() == ["sent"]
    (message,) = sim.messages
    assert {key: getattr(message, key) for key in expected} == expected


@pytest.mark.parametrize(
    "inject",
    [
        lambda sim: sim.drop_next(1, delivered=True),
        lambda sim: sim.drop_next(1, delivered=False),
        lambda sim: sim.malformed_next(1),
    ],
    ids=["dropped-after-delivery", "dropped-before-delivery", "html-error-page"],
)
def test_an_unknown_outcome_is_never_retried(sim, client, inject):
    inject(sim)
    result = send(people(3), client, **quick(retries=5))
    assert result["sms_status"].tolist() == ["unknown", "sent", "sent"]
    assert "check with the provider" in result.loc["row-0", "sms_error"]
    assert sim.requests == 3


def test_server_errors_are_retried_and_each_message_is_accepted_exactly_once(sim, client):
    sim.fail_next(2, code=503)
    result = send(people(4), client, **quick(retries=2))
    assert result["sms_status"].tolist() == ["sent"] * 4
    assert sim.requests == 6
    assert received(sim) == Counter({(number(i), f"Hi Person {i}"): 1 for i in range(4)})


def test_retries_run_out_into_a_failed_row_with_the_last_answer(sim, client):
    sim.fail_next(3, code=503)
    result = send(people(2), client, **quick(retries=2))
    assert result["sms_status"].tolist() == ["failed", "sent"]
    assert result.loc["row-0", "sms_response_code"] == 503
    assert sim.requests == 4


def test_an_unreachable_gateway_is_not_sent_and_stops_at_the_first_message():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    nowhere = Client("demo", PASSWORD, f"http://127.0.0.1:{port}/api/")
    with nowhere, pytest.raises(CampaignStopped, match="cannot be reached") as stopped:
        send(people(5), nowhere, **quick(retries=1, max_consecutive_failures=3))
    result = stopped.value.result
    assert result["sms_status"].tolist() == ["failed"] + ["not_sent"] * 4
    assert result.loc["row-0", "sms_error"].startswith("not sent:")
    assert "not attempted" in result.loc["row-4", "sms_error"]


def test_dry_run_sends_nothing_and_returns_the_preview(sim, client):
    result = send(people(3), client, **quick(dry_run=True))
    assert result["sms_status"].tolist() == ["ready"] * 3
    assert "sms_response_code" not in result
    assert sim.requests == 0


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"text": "Hi {nmae}"}, TemplateError),
        ({"sender": "A sender name far too long"}, InvalidSenderError),
        ({"workers": 0}, ConfigurationError),
        ({"rate": 0}, ConfigurationError),
        ({"rate": float("inf")}, ConfigurationError),
        ({"rate": "5"}, ConfigurationError),
        ({"rate_unit": "byte"}, ConfigurationError),
    ],
    ids=["template-typo", "bad-sender", "no-workers", "zero-rate", "infinite-rate", "text-rate",
         "bad-rate-unit"],
)
def test_a_campaign_that_cannot_work_raises_before_the_first_request(sim, client, options, error):
    with pytest.raises(error):
        send(people(3), client, **quick(**options))
    assert sim.requests == 0


# -- stops ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("breakdown", "code"),
    [
        (lambda sim: setattr(sim, "funds", 2), 402),
        (lambda sim: sim.fail_numbers({number(2)}, code=701), 701),
    ],
    ids=["funds-run-out-402", "reseller-out-of-credit-701"],
)
def test_a_credit_answer_stops_the_campaign_at_once_with_the_result(sim, client, breakdown, code):
    breakdown(sim)
    with pytest.raises(CampaignStopped) as stopped:
        send(people(6), client, **quick(max_consecutive_failures=None))
    result = stopped.value.result
    assert result["sms_status"].tolist() == ["sent", "sent", "failed"] + ["not_sent"] * 3
    assert result.loc["row-2", "sms_response_code"] == code
    assert str(code) in stopped.value.reason
    assert stopped.value.category == {402: "auth_or_funds", 701: "reseller_funds"}[code]
    assert sim.requests == 3


def test_wrong_credentials_stop_after_one_request(sim):
    with Client(sim.login, "wrong", sim.url) as client, pytest.raises(CampaignStopped) as stopped:
        send(people(4), client, **quick())
    assert stopped.value.result["sms_status"].tolist() == ["failed"] + ["not_sent"] * 3
    assert "401" in str(stopped.value)
    assert sim.requests == 1


def test_with_workers_a_stop_lets_requests_in_flight_finish_and_records_them(sim, client):
    sim.latency = 0.02
    sim.funds = 10
    with pytest.raises(CampaignStopped) as stopped:
        send(people(60), client, **quick(workers=8, max_consecutive_failures=None))
    result = stopped.value.result
    counts = result["sms_status"].value_counts()
    assert counts["sent"] == len(sim.messages) == 10
    assert counts["failed"] + counts["sent"] == sim.requests
    assert counts["not_sent"] >= 60 - 10 - 8 * 2


def test_an_unexpected_error_stops_the_campaign_and_keeps_every_row(sim, client):
    real_send_text = client.send_text
    calls = []

    def buggy_send_text(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("bug in a plug-in")
        return real_send_text(*args, **kwargs)

    client.send_text = buggy_send_text
    with pytest.raises(CampaignStopped, match="bug in a plug-in") as stopped:
        send(people(4), client, **quick())
    assert isinstance(stopped.value.__cause__, RuntimeError)
    result = stopped.value.result
    assert result["sms_status"].tolist() == ["sent", "unknown", "not_sent", "not_sent"]


# -- rate and concurrency ------------------------------------------------------------------------


def busiest_second(sim: Simulator) -> int:
    """The most messages the gateway received within one second. Measured where they arrive,
    which a loaded machine shifts by tens of milliseconds (the throttle's own slots are checked
    exactly, with its clock, in test_throttle.py): windows of 1 s less 50 ms of that."""
    times = sorted(m.received_at for m in sim.messages)
    return max(sum(1 for t in times if start <= t < start + 1.0 - 0.05) for start in times)


def test_the_rate_limit_holds_in_every_one_second_window(sim, client):
    send(people(45), client, **quick(rate=40))
    assert busiest_second(sim) <= 40
    times = sorted(m.received_at for m in sim.messages)
    # Never faster. How close it comes to 40/s depends on the machine's load: that is measured
    # in benchmarks/bench_sender.py, not asserted here.
    assert (len(times) - 1) / (times[-1] - times[0]) <= 40.5


def test_the_rate_can_count_segments(sim, client):
    long_text = "x" * 200  # two segments
    df = people(40).assign(body=long_text)
    result = send(df, client, **quick(text="{body}", rate=60, rate_unit="segment"))
    assert result["sms_segments"].eq(2).all()
    assert busiest_second(sim) <= 30  # 60 segments in any one second, two per message
    times = sorted(m.received_at for m in sim.messages)
    assert (len(times) - 1) / (times[-1] - times[0]) <= 30.5


def test_workers_send_concurrently_and_results_land_in_the_right_rows(sim, client):
    sim.latency = 0.05
    sim.fail_numbers({number(i) for i in range(0, 48, 7)}, code=601)
    started = time.monotonic()
    result = send(people(48), client, **quick(workers=8, max_consecutive_failures=None))
    assert time.monotonic() - started < 48 * 0.05 / 2
    sent = result[result["sms_status"] == "sent"]
    assert (sent["sms_response_destination"] == sent["sms_to"]).all()
    failed = result[result["sms_status"] == "failed"]
    assert set(failed["sms_to"]) == {number(i) for i in range(0, 48, 7)}
    assert received(sim) == Counter(set(zip(sent["sms_to"], sent["sms_text"], strict=True)))


# -- journal and resume --------------------------------------------------------------------------


def test_a_resume_after_re_sorting_sends_only_what_was_not_sent(sim, client, tmp_path):
    journal = tmp_path / "campaign.db"
    df = people(12)
    sim.funds = 5
    with pytest.raises(CampaignStopped, match="journal="):
        send(df, client, **quick(journal=journal))
    first_sent_at = sim.messages[0].received_at
    sim.funds = None

    shuffled = df.sample(frac=1, random_state=7)
    shuffled.loc[shuffled.index[0], "name"] = "Someone else"  # an edit makes a new message
    result = send(shuffled, client, **quick(journal=journal))

    assert (result["sms_status"] == "sent").all()
    assert list(result.index) == list(shuffled.index)
    assert max(received(sim).values()) == 1
    edited_was_sent = shuffled.index[0] in df.index[:5]
    assert len(sim.messages) == (13 if edited_was_sent else 12)
    earlier = result.loc["row-0", "sms_sent_at"].timestamp()
    assert earlier == pytest.approx(first_sent_at, abs=0.5)


def test_without_dedupe_identical_rows_are_separate_messages_in_the_journal(sim, client, tmp_path):
    journal = tmp_path / "campaign.db"
    twice = pd.concat([people(1), people(1)])
    sim.funds = 1
    with pytest.raises(CampaignStopped):
        send(twice, client, **quick(journal=journal, dedupe=False))
    sim.funds = None
    result = send(twice, client, **quick(journal=journal, dedupe=False))
    assert result["sms_status"].tolist() == ["sent", "sent"]
    assert received(sim) == Counter({(number(0), "Hi Person 0"): 2})


def test_unknown_rows_are_resent_only_on_request(sim, client, tmp_path):
    journal = tmp_path / "campaign.db"
    sim.drop_next(1, delivered=True)
    send(people(3), client, **quick(journal=journal))

    again = send(people(3), client, **quick(journal=journal))
    assert again["sms_status"].tolist() == ["unknown", "sent", "sent"]
    assert "resend_unknown=True" in again.loc["row-0", "sms_error"]
    assert sim.requests == 3

    forced = send(people(3), client, **quick(journal=journal, resend_unknown=True))
    assert forced["sms_status"].tolist() == ["sent"] * 3
    assert received(sim)[(number(0), "Hi Person 0")] == 2  # asked for explicitly
    assert sim.requests == 4


def test_an_undocumented_code_is_unknown_and_never_resent_silently(sim, client, tmp_path):
    journal = tmp_path / "campaign.db"
    sim.fail_next(1, code=201)  # outside every documented family: was it sent? nobody knows
    first = send(people(2), client, **quick(journal=journal))
    assert first["sms_status"].tolist() == ["unknown", "sent"]
    assert first.loc["row-0", "sms_response_code"] == 201
    assert "may have been sent" in first.loc["row-0", "sms_error"]

    again = send(people(2), client, **quick(journal=journal))
    assert again["sms_status"].tolist() == ["unknown", "sent"]
    assert sim.requests == 2
    forced = send(people(2), client, **quick(journal=journal, resend_unknown=True))
    assert forced["sms_status"].tolist() == ["sent", "sent"]
    assert sim.requests == 3


def test_failed_rows_are_tried_again_on_resume(sim, client, tmp_path):
    journal = tmp_path / "campaign.db"
    sim.fail_numbers({number(1)}, code=601)
    send(people(3), client, **quick(journal=journal))
    sim.fail_numbers({number(1)}, code=200)
    result = send(people(3), client, **quick(journal=journal))
    assert result["sms_status"].tolist() == ["sent"] * 3
    assert sim.requests == 4


def test_the_password_is_nowhere(sim, client, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    journal = tmp_path / "campaign.db"
    sim.fail_next(1)
    sim.drop_next(1)
    send(people(5), client, **quick(journal=journal, progress=True))
    result = send(people(5), client, **quick(journal=journal, progress=True))
    captured = capsys.readouterr()
    for text in (captured.out, captured.err, caplog.text, result.to_csv(), repr(result)):
        assert PASSWORD not in text
    assert "sent=4" in captured.err  # the progress bar did write
    assert PASSWORD not in str(summarize(result))
    for path in tmp_path.iterdir():
        assert PASSWORD.encode() not in path.read_bytes()


# -- interruptions: a real SIGINT and a real kill -9 ---------------------------------------------

CHILD = """
import os, pickle, sys, warnings
import pandas as pd
from smsbatch.gateway.client import Client
from smsbatch.preparation.campaign import prepare
from smsbatch.sending.run import send

url, journal, out, n, workers = sys.argv[1:]
df = pd.DataFrame({"name": [f"Person {i}" for i in range(int(n))],
                   "phone": [f"06{20000000 + i}" for i in range(int(n))]},
                  index=[f"row-{i}" for i in range(int(n))])
client = Client("demo", os.environ["TEST_PASSWORD"], url)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    result = send(df, client, text="Hi {name}", sender="Clinic", rate=None, progress=False,
                  workers=int(workers), journal=journal)
with open(out, "wb") as file:
    pickle.dump((result, [str(w.message) for w in caught]), file)
"""


def start_child(sim: Simulator, tmp_path: Path, n: int, workers: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            sim.url,
            str(tmp_path / "campaign.db"),
            str(tmp_path / "result.pickle"),
            str(n),
            str(workers),
        ],
        cwd=ROOT,
        env={**os.environ, "TEST_PASSWORD": PASSWORD},
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("workers", [1, 4], ids=["one-worker", "four-workers"])
def test_ctrl_c_finishes_the_requests_in_flight_and_returns_the_partial_result(
    sim, tmp_path, workers
):
    sim.latency = 0.03
    child = start_child(sim, tmp_path, n=200, workers=workers)
    assert sim.wait_for(messages=5)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 0, stderr

    with open(tmp_path / "result.pickle", "rb") as file:
        result, warned = pickle.load(file)
    statuses = result["sms_status"].value_counts()
    assert statuses["sent"] == len(sim.messages) == sim.requests
    assert statuses["not_sent"] == 200 - statuses["sent"] > 0
    assert set(result["sms_status"]) == {"sent", "not_sent"}
    assert any("interrupted" in w and "journal=" in w for w in warned)
    with Journal(tmp_path / "campaign.db") as journal:
        entries = journal.entries()
    assert len(entries) == statuses["sent"]
    assert {entry.state for entry in entries.values()} == {"answered"}


KERNEL_CAMPAIGN = """
import pandas as pd
from smsbatch.gateway.client import Client
from smsbatch.preparation.campaign import prepare
from smsbatch.sending.run import send
from smsbatch.gateway.simulator import Simulator
from smsbatch.preparation.summary import summarize

sim = Simulator(latency=0.03, record_path={record!r}).start()
df = pd.DataFrame({{"name": [f"Person {{i}}" for i in range(200)],
                   "phone": [f"06{{20000000 + i}}" for i in range(200)]}})
result = send(df, Client(sim.login, sim.password, sim.url), text="Hi {{name}}",
              sender="Clinic", rate=None, progress=False)
"""


def run_cell(client: Any, code: str, during: Callable[[], None] = lambda: None) -> tuple[str, str]:
    """Execute code in a kernel; return its status and everything it printed."""
    msg_id = client.execute(code)
    during()
    printed = []
    while True:
        message = client.get_iopub_msg(timeout=30)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=30)
    return reply["content"]["status"], "".join(printed)


def test_jupyters_stop_button_returns_the_partial_result_in_the_notebook(tmp_path):
    record = tmp_path / "received.jsonl"
    manager, client = start_new_kernel(
        kernel_name="python3", env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    try:

        def press_stop() -> None:
            wait_for(lambda: record.exists() and len(record.read_text().splitlines()) >= 5)
            manager.interrupt_kernel()

        status, printed = run_cell(client, KERNEL_CAMPAIGN.format(record=str(record)), press_stop)
        assert status == "ok"  # not a KeyboardInterrupt traceback: the result is there
        assert "interrupted" in printed
        status, printed = run_cell(
            client,
            "counts = result['sms_status'].value_counts()\n"
            "print(counts['sent'] == len(sim.messages), counts['not_sent'] > 0, len(result))",
        )
        assert (status, printed.split()) == ("ok", ["True", "True", "200"])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("after", [5, 20, 60], ids=lambda n: f"after-{n}-messages")
def test_kill_9_mid_campaign_then_resume_from_a_moved_copy_never_sends_anyone_twice(
    sim, client, tmp_path, after
):
    sim.latency = 0.02
    child = start_child(sim, tmp_path, n=120, workers=4)
    assert sim.wait_for(messages=after)
    child.kill()
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    # Only the file the user named exists, and moving just that file elsewhere moves it all.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("campaign")] == [
        "campaign.db"
    ]
    elsewhere = tmp_path / "done" / "campagne-kopie.db"
    elsewhere.parent.mkdir()
    shutil.move(tmp_path / "campaign.db", elsewhere)

    df = people(120).iloc[::-1]
    result = send(df, client, **quick(journal=elsewhere, workers=4))

    assert max(received(sim).values()) == 1
    statuses = result["sms_status"].value_counts()
    assert set(statuses.index) <= {"sent", "unknown"}
    assert statuses.get("unknown", 0) <= 4  # at most one per worker was in flight
    sent = result[result["sms_status"] == "sent"]
    assert set(zip(sent["sms_to"], sent["sms_text"], strict=True)) <= set(received(sim))


def test_a_campaign_repeated_with_the_same_journal_says_it_reached_nobody(sim, client, tmp_path):
    journal = tmp_path / "campaign.db"
    send(people(2), client, **quick(journal=journal))
    with pytest.warns(UserWarning, match="2 messages were already sent in an earlier run"):
        again = send(people(2), client, **quick(journal=journal))
    assert sim.requests == 2
    assert again["sms_status"].tolist() == ["sent", "sent"]
    assert (again["sms_error"] == "sent in an earlier run").all()
    assert "2 rows were already sent in an earlier run" in str(summarize(again))
    # Saved and read back, as results files are; one saved before the note was shortened too.
    again.to_csv(tmp_path / "results.csv", index=False)
    saved = pd.read_csv(tmp_path / "results.csv", dtype=str, keep_default_na=False)
    assert "2 rows were already sent in an earlier run" in str(summarize(saved))
    saved["sms_error"] = "already sent in an earlier run (the journal says so); not sent again"
    assert "2 rows were already sent in an earlier run" in str(summarize(saved))


def test_a_journal_resumed_with_every_row_left_out_sends_nothing_and_says_why(
    sim, client, tmp_path
):
    journal = tmp_path / "campaign.db"
    send(people(2), client, **quick(journal=journal))
    again = send(people(2), client, **quick(journal=journal, exclude=["0620000000", "0620000001"]))
    assert sim.requests == 2
    assert again["sms_status"].tolist() == ["excluded", "excluded"]


def test_rows_without_an_answer_show_no_nan_in_the_answer_columns(sim, client):
    df = people(2)
    df.loc["row-1", "phone"] = "not a number"
    result = send(df, client, **quick())
    assert result.loc["row-1", "sms_status"] == "invalid"
    answer = result.loc["row-1", ["sms_response_text", "sms_response_destination"]]
    assert answer.tolist() == ["", ""]
    assert pd.isna(result.loc["row-1", "sms_response_code"])


def test_a_prepared_campaign_is_sent_exactly_as_prepared(sim, client):
    df = people(2)
    prepared = prepare(df, text="Hi {name}", sender="Clinic")
    df.loc["row-0", "name"] = "Edited afterwards"
    result = send(prepared, client, rate=None, progress=False)
    assert [(m.to, m.text) for m in sim.messages] == [
        (number(0), "Hi Person 0"),
        (number(1), "Hi Person 1"),
    ]
    assert result["sms_status"].tolist() == ["sent", "sent"]
    with pytest.raises(ConfigurationError, match="brings its own sender and message options"):
        send(prepared, client, text="Other {name}", progress=False)
    assert sim.requests == 2


# -- the journal file during a real campaign -----------------------------------------------------


def after_calls(client: Client, n: int, action: Callable[[], None]) -> None:
    """Run ``action`` once, right after the client's ``n``-th message was answered."""
    real_send_text = client.send_text
    calls = []

    def send_text(*args: Any, **kwargs: Any) -> Any:
        answer = real_send_text(*args, **kwargs)
        calls.append(args)
        if len(calls) == n:
            action()
        return answer

    client.send_text = send_text  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda path: path.unlink(), "deleted or moved away"),
        (lambda path: path.rename(path.with_name("elsewhere.db")), "deleted or moved away"),
        (lambda path: path.replace_with_other(), "replaced by another file"),
    ],
    ids=["deleted", "moved", "replaced"],
)
def test_a_journal_gone_mid_campaign_stops_it_before_the_next_message(
    sim, client, tmp_path, change, reason
):
    journal = tmp_path / "campaign.db"

    class Path_(type(journal)):  # type: ignore[misc]
        def replace_with_other(self) -> None:
            self.unlink()
            self.write_bytes(b"a colleague's notes")

    after_calls(client, 3, lambda: change(Path_(journal)))
    with pytest.raises(CampaignStopped, match=reason) as stopped:
        send(people(10), client, **quick(journal=journal))
    statuses = stopped.value.result["sms_status"].tolist()
    assert statuses == ["sent"] * 3 + ["not_sent"] * 7
    assert len(sim.messages) == sim.requests == 3
    assert reason in stopped.value.result["sms_error"].iloc[3]


def test_a_full_disk_stops_the_campaign_and_the_message_not_recorded_is_not_sent(
    sim, client, tmp_path
):
    journal = tmp_path / "campaign.db"
    full = threading.Event()

    def write(fd: int, data: bytes) -> int:
        if full.is_set():
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(fd, data)

    after_calls(client, 4, full.set)  # the 4th answer cannot be recorded, nor anything after
    # Its own patch context: undoing it must not undo the test's own history of sends.
    with pytest.MonkeyPatch.context() as disk:
        disk.setattr(Journal, "_write", staticmethod(write))
        report = run_campaign(people(8), client, **quick(journal=journal))
    assert report.stopped and "disk full" in (report.stop_reason or "")
    assert report.result["sms_status"].tolist() == ["sent"] * 4 + ["not_sent"] * 4
    assert len(sim.messages) == 4
    again = send(people(8), client, **quick(journal=journal))  # space again: resume
    assert again["sms_status"].tolist() == ["sent"] * 3 + ["unknown"] + ["sent"] * 4
    assert max(received(sim).values()) == 1


def test_a_full_disk_on_a_real_tiny_file_system(sim, client, tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("mounting a small file system needs root on Linux")
    try:
        report = run_campaign(people(400), client, **quick(journal=mount / "campaign.db"))
    finally:
        subprocess.run(["umount", str(mount)], check=True)
    assert report.stopped and "disk full" in (report.stop_reason or "")
    counts = report.result["sms_status"].value_counts()
    assert counts["sent"] == len(sim.messages) < 400
    assert counts["sent"] + counts.get("unknown", 0) + counts["not_sent"] == 400


@pytest.mark.parametrize(
    "content",
    [b"", b"smsbatch-journal v2 privacy=full    records=00000000000000000009" + b" " * 7 + b"\n"],
    ids=["empty", "truncated"],
)
def test_a_journal_that_cannot_be_trusted_sends_nothing(sim, client, tmp_path, content):
    journal = tmp_path / "campaign.db"
    journal.write_bytes(content)
    with pytest.raises(JournalError, match="campaign.db"):
        send(people(3), client, **quick(journal=journal))
    assert sim.requests == 0
    assert journal.read_bytes() == content


def test_minimal_privacy_resumes_without_a_number_or_text_in_the_journal(sim, client, tmp_path):
    journal = tmp_path / "campaign.db"
    options = quick(journal=journal, journal_privacy="minimal")
    sim.funds = 2
    with pytest.raises(CampaignStopped):
        send(people(4), client, **options)
    sim.funds = None
    result = send(people(4), client, **options)
    assert result["sms_status"].tolist() == ["sent"] * 4
    assert max(received(sim).values()) == 1
    # Rows sent in the first run still show where they went: the campaign knows the numbers.
    assert result["sms_response_destination"].tolist() == [number(i) for i in range(4)]
    data = journal.read_bytes()
    for i in range(4):
        assert number(i).encode() not in data
        assert f"Person {i}".encode() not in data
