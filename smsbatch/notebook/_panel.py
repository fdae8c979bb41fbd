"""A campaign panel for Jupyter: edit the template, watch the preview, confirm, send.

The panel is a thin front end over :func:`~smsbatch.prepare` and :func:`~smsbatch.run_campaign`
with one explicit state (see ``_widgets.STATES``) that decides what every button, the
status line and the result area show; each state replaces what the last one showed:

- *editing*: the preview cannot be sent (no template, a mistake, no sender); it says why;
- *previewed*: the live preview is sendable; ticking the box, which names what a Send would
  do (messages, SMS parts, cost, sender, gateway host, when it would be done, what the journal,
  the history of sends and the limit leave out, the first message), confirms exactly this
  preview with these options (any edit unticks it; so does a test send);
- *confirmed*: Send is enabled; *sending*: everything is disabled while the run goes on;
- *done*: every message went out ("Sent."); *stopped*: the run ended early or with problems,
  its partial result is shown, and ticking the box again resumes it through the journal.

The panel works on its own copy of the DataFrame, and the run refuses to send unless it still
holds exactly the messages of the confirmed preview (an opt-out file may have changed meanwhile).
It always keeps a journal (by default one fixed file in the current folder), so clicking Send
again after a stop resumes the campaign instead of texting everybody a second time.

Nothing a Send raises is raised inside the progress ``Output``: a live notebook front end would
swallow it there, after printing a traceback, and the panel would never say what happened. A
Send's errors reach the status line in words, with what to do next.

The password is only ever typed into an ``ipywidgets.Password`` field, which is emptied as soon
as a client has been made from it. A client made from the fields is dropped when the gateway
refuses the account (40x), so that the corrected password typed next is the one used.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Hashable
from typing import Any

import pandas as pd

from smsbatch.gateway.client import Client
from smsbatch.notebook._controls import Controls
from smsbatch.notebook._html import error, hint, journal_line, note, run_result, source_line
from smsbatch.notebook._preview import Confirmable, confirm_view, dry_run, live_preview
from smsbatch.notebook._sending import PanelSending
from smsbatch.notebook._widgets import PanelWidgets, State
from smsbatch.notebook._words import after_error, after_run
from smsbatch.preparation.campaign import Prepared
from smsbatch.sending.hours import DEFAULT_TZ
from smsbatch.sending.journal import Privacy
from smsbatch.sending.report import RunReport
from smsbatch.sending.throttle import DEFAULT_RATE
from smsbatch.spreadsheets.reading import SOURCE_ATTR

__all__ = ["CampaignPanel", "panel"]


#: Up to this many rows the preview re-runs on every keystroke (well under 0.1 s).
_LIVE_ROWS = 20_000
#: The journal of every panel in a folder unless told otherwise: one fixed name, so that a
#: second Send (or a new panel after a restart) resumes instead of sending again.
PANEL_JOURNAL = "smsbatch-panel.journal.db"


class CampaignPanel(PanelWidgets):
    """An ipywidgets panel that previews, dry-runs and sends a campaign from a DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        The recipients; never modified. The panel keeps a copy: later edits of ``df`` in
        another cell do not change the campaign (make a new panel for them).
    client : Client, optional
        Where to send. Default: ``Client.from_env()`` if ``SMSBATCH_LOGIN`` and
        ``SMSBATCH_PASSWORD`` are set, else a login field and a password field in the panel.
    to : column name, default "phone"
        Column with the phone numbers (a dropdown in the panel).
    text, sender : str
        Initial template and sender.
    rate : float or None, default 10
        Messages per second; None ticks "no limit" (0 is shown as a problem, as ``send``
        refuses it).
    region, price_per_segment, exclude, footer, commercial
        As for :func:`smsbatch.send` (footer and commercial are under "Options").
    window, days, tz, start_at, limit, allow_repeat, journal_privacy
        As for :func:`smsbatch.send`: the fields under "Options" (sending hours, a start
        time, send only the first N, send what another journal already sent, keep no numbers
        or texts in the journal). An empty field means the option is not given. Every value
        is checked as ``send`` checks it, and a bad one is shown in words before the box
        can be ticked.
    journal : path, default "smsbatch-panel.journal.db" in the current folder
        Always kept: messages already sent with it are never sent again, so a second Send after
        a stop sends only the rest. Another file name starts afresh.
    base_url : str, optional
        API URL for credentials typed into the panel (default ``SMSBATCH_BASE_URL`` or the
        Connect Call URL).
    rows : int, default 5
        Rows shown in the live preview.
    retries, backoff, max_consecutive_failures
        As for :func:`smsbatch.send`.

    Under "Options", *Send test* sends the first message to the numbers typed into "Test
    numbers" (``send(..., test_to=...)``), shows the gateway's answer for each, and unticks the
    box: the campaign needs a new confirmation. Test messages never count as sent to anyone.

    Examples
    --------
    >>> panel = CampaignPanel(df, client, to="telefoon", text="Hoi {voornaam}")  # doctest: +SKIP
    >>> panel  # shows the panel in a notebook                                   # doctest: +SKIP
    >>> panel.result  # after Send: the result DataFrame                         # doctest: +SKIP
    """

    def __init__(
        self,
        df: pd.DataFrame,
        client: Client | None = None,
        *,
        to: Hashable = "phone",
        text: str = "",
        sender: str = "",
        rate: float | None = DEFAULT_RATE,
        region: str = "NL",
        price_per_segment: float | None = None,
        exclude: Any = None,
        journal: str | os.PathLike[str] = PANEL_JOURNAL,
        base_url: str | None = None,
        rows: int = 5,
        retries: int = 3,
        backoff: float = 1.0,
        max_consecutive_failures: int | None = 10,
        window: str | None = None,
        days: str = "mon-sun",
        tz: str = DEFAULT_TZ,
        start_at: dt.datetime | str | None = None,
        limit: int | None = None,
        footer: str | None = None,
        commercial: bool = False,
        allow_repeat: bool = False,
        journal_privacy: Privacy = "full",
    ) -> None:
        self._df = df.copy(deep=True)
        self._exclude = exclude
        self._rows = rows
        self._sending = PanelSending(
            client, journal, base_url, retries=retries, backoff=backoff,
            max_consecutive_failures=max_consecutive_failures,
        )  # fmt: skip
        self._shown: Prepared | None = None  # the sendable preparation on show: what is confirmed
        self._good = ""  # the last preview that rendered, kept while a placeholder is half typed
        self._rows_shown = ""  # the preview box as the last edit made it, before its "When:"
        self._stray = False  # clicks that arrive after a Send, before the box is ticked again
        #: The latest result: of the last Send (partial after a stop) or Dry run; else None.
        self.result: pd.DataFrame | None = None
        super().__init__(
            list(df.columns),
            to=to,
            text=text,
            sender=sender,
            controls=Controls(
                rate=rate, window=window, days=days, tz=tz, start_at=start_at, limit=limit,
                footer=footer, commercial=commercial, allow_repeat=allow_repeat,
                journal_privacy=journal_privacy,
            ),
            region=region,
            price=price_per_segment or 0,
            live=len(df) <= _LIVE_ROWS,  # a long list previews when the field is left
            ask_credentials=self._sending.typed,
        )
        self.source.value = source_line(df.attrs.get(SOURCE_ATTR))
        self.journal.value = journal_line(self._sending.journal)
        self._refresh()

    def __repr__(self) -> str:
        ready = 0 if self._shown is None else self._shown.summary().counts.get("ready", 0)
        return f"<CampaignPanel: {len(self._df)} rows, {ready} ready, {self._state}>"

    def options(self) -> dict[str, Any]:
        """Return the keyword arguments for ``preview``/``send`` that the panel shows now."""
        return {
            "to": self.phone_column(),
            "text": self.template.value,
            "sender": self.sender.value.strip() or None,
            "region": self.region.value.strip() or "NL",
            "exclude": self._exclude,
            "price_per_segment": self.price.value or None,
            **self.controls.message_options(),
        }

    def _refresh(self, change: dict[str, Any] | None = None) -> None:
        """Re-run the preview after any edit; a changed campaign needs a new confirmation."""
        view = live_preview(
            self._df, self.options(), rows=self._rows, last_good=self._good,
            ready=self.to.value is not None,
        )  # fmt: skip
        self._good, self._rows_shown = view.last_good, view.preview
        self._plan(view.sendable, view.problem)
        self._untick()
        earlier = "" if self.result is None else hint("The last result stays in panel.result.")
        self._enter("editing" if self._shown is None else "previewed", earlier, "")

    def _plan(self, sendable: Prepared | None, problem: str) -> None:
        """Plan a Send of ``sendable`` with the options as they are: the confirmation names
        what it would do, or the problem line says why it cannot be sent."""
        view = Confirmable(None, problem, "", "")
        if sendable is not None:
            view = confirm_view(sendable, self.controls, **self._sending.where())
        self._shown, self.hint.value = view.shown, view.problem
        self.confirmation.value = view.confirmation
        self.preview.value = self._rows_shown + view.when

    def _ticked(self, ticked: bool) -> None:
        self._stray = False
        if ticked and self._shown is not None and self._state != "sending":
            self._enter("confirmed")
        elif not ticked and self._state == "confirmed":
            self._enter("previewed")

    def _dry_run(self, button: object = None) -> None:
        """Check everything a send would check, send nothing, show every row."""
        if self._shown is None:
            return  # the button is disabled: a click that was already on its way
        self.result = self._shown.frame
        self.status.value, self.result_table.value = dry_run(self._shown, self.phone_column())

    def _test_send(self, button: object = None) -> None:
        """Send the first message to the test numbers only; the campaign needs a new tick."""
        if self._shown is None or self._state == "sending":
            return  # the button is disabled: a click that was already on its way
        numbers = self.controls.test_numbers()
        if not numbers:
            self.status.value = error("Type your test numbers (under Options) first.")
            return
        shown = self._shown
        self._untick()
        self._enter("sending", note(f"Sending a test to {len(numbers)} number(s)…"), "")
        said = self._sending.test(self.progress, self, self._df, shown, numbers, **self.options())
        self._refresh()  # the box stays unticked: the campaign is confirmed anew
        self._stray, self.status.value = True, said

    def _send(self, button: object = None) -> None:
        """Send once per confirmation: a click that arrives after the Send it belongs to (a
        double click) changes nothing, so the status keeps saying what that Send did."""
        if self._state != "confirmed" or self._shown is None:
            if self._state in ("editing", "previewed") and not self._stray:
                self.status.value = error("Tick the confirmation box first.")
            return
        self._stray = True
        confirmed, options = self._shown, self.options()
        self._untick()
        self._enter("sending", note("Sending…"), "")
        report = self._sending.run(
            self.progress, self, self._df, confirmed, **self.controls.sending_options(),
            **options,
        )  # fmt: skip
        if not isinstance(report, RunReport):
            self._refresh()  # a changed campaign shows its new preview, to confirm again
            self._stray = True
            self.status.value = after_error(report, str(self._sending.journal))
            return
        self.result = report.result
        self._plan(confirmed, "")  # what the box would confirm now: the journal has changed
        if report.complete and self._shown is None:
            self.hint.value = ""  # "nothing left to send" is what "Sent." means
        state: State = "stopped"
        if report.complete:  # a limit leaves the rest for the next tick
            state = "previewed" if self._shown is not None else "done"
        self._enter(
            state,
            after_run(report, typed_password=self._sending.typed),
            run_result(report, self.phone_column()),
        )


def panel(df: pd.DataFrame, client: Client | None = None, **options: Any) -> CampaignPanel:
    """Return a campaign panel for ``df``; display it by making it the cell's last line.

    Parameters
    ----------
    df : pandas.DataFrame
        The recipients.
    client : Client, optional
        Where to send; default from the environment, else typed into the panel.
    **options
        See :class:`CampaignPanel` (``to``, ``text``, ``sender``, ``rate``...).

    Examples
    --------
    >>> p = smsbatch.panel(df, client, to="telefoon")  # doctest: +SKIP
    >>> p                                               # doctest: +SKIP
    """
    return CampaignPanel(df, client, **options)
