"""What the campaign panel says after a Send, in words: from the run's report, or from the error
that kept it from sending. Only words: the report's numbers and reasons are used as they are."""

from __future__ import annotations

from smsbatch.exceptions import SmsBatchError
from smsbatch.notebook._html import error, success
from smsbatch.sending.report import RunReport

__all__ = ["RESUME", "after_error", "after_run", "after_test"]

RESUME = (
    "To send the rest, tick the box and click Send again: the journal skips every message "
    "already sent."
)


def after_run(report: RunReport, *, typed_password: bool) -> str:
    """The status line for a run that reached the sending loop (HTML)."""
    skipped = (
        f" {report.already_sent:,} were already sent with the journal and were not sent again."
        if report.already_sent
        else ""
    )
    if report.complete:
        left = int((report.result["sms_status"] == "not_sent").sum())  # after a limit
        later = (
            f" {left:,} messages are left for a later Send (the limit): tick the box and click"
            " Send to send them."
            if left
            else ""
        )
        return success(f"Sent. The result is in panel.result.{skipped}{later}")
    if report.stop_reason is None:
        return error(
            f"Finished with problems: {report.sent:,} sent, {report.failed:,} failed, "
            f"{report.unknown + report.earlier_unknown:,} unknown; the summary below says "
            f"what to do. The result is in panel.result.{skipped} {RESUME}"
        )
    advice = f"{_sentence(report.fix_first)} " if report.fix_first else ""
    if report.stop_category == "auth_or_funds":
        advice += (
            "Then type the password again before sending. "
            if typed_password
            else "For a new password, make a new panel with a new client. "
        )
    if report.failed or report.unknown:
        advice += "The summary below says why messages failed. "
    what = "Interrupted" if report.interrupted and report.error is None else "Stopped"
    return error(
        f"{what}: {report.stop_message()}. {advice}The partial result is in panel.result. "
        f"{RESUME}"
    )


def after_test(report: RunReport) -> str:
    """The status line for a test send (HTML): the gateway's answer for every test number."""
    result = report.result
    answers = result["sms_response_text"].astype(object).where(
        result["sms_response_text"].notna(), result["sms_error"]
    )
    lines = [
        f"Test to {to}: {status} ({answer})"
        for to, status, answer in zip(result["sms_to"], result["sms_status"], answers, strict=True)
    ]
    stop = f" {_sentence(report.stop_message())}" if report.stop_reason else ""
    lines.append(
        f"Test only: nothing went to the recipients.{stop} Tick the box again to send the"
        " campaign."
    )
    show = success if report.complete else error
    return "".join(show(line) for line in lines)


def after_error(err: BaseException, journal: str) -> str:
    """The status line for a Send that raised (HTML); nothing of it is ever a traceback."""
    if isinstance(err, SmsBatchError):
        return error(f"Nothing was sent: {_sentence(str(err))}")
    if isinstance(err, KeyboardInterrupt):
        return error(
            "Interrupted before the first message: nothing was sent. Tick the box and click "
            "Send to start again."
        )
    return error(
        f"Stopped by an unexpected error ({type(err).__name__}: {err}). Whatever was sent is "
        f"recorded in the journal {journal}: sending again with it texts nobody twice. "
        "Please report this error."
    )


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first, a full stop last."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")
