"""A campaign panel for Jupyter: edit the template, watch the preview, dry-run, confirm, send.

The panel is a thin front end over :func:`~smsbatch.prepare` and :func:`~smsbatch.run_campaign`:
every edit re-runs the preview (errors are shown in the panel, never raised into the notebook),
and the Send button only works after the confirmation box, which names the number of messages,
has been ticked for *this* preview; any edit unticks it. The panel works on its own copy of the
DataFrame, and the run refuses to send unless it still holds exactly the messages of the
confirmed preview (an opt-out file may have changed meanwhile).

The panel always keeps a journal (by default one fixed file in the current folder), so clicking
Send again after a stop resumes the campaign instead of texting everybody a second time.

The password is only ever typed into an ``ipywidgets.Password`` field, which is emptied as soon
as a client has been made from it. A client made from the fields is dropped when the gateway
refuses the account (40x), so that the corrected password typed next is the one used.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pandas as pd

from smsbatch._panel_widgets import INSERT, PanelWidgets, error, note, table
from smsbatch.exceptions import ConfigurationError, SmsBatchError
from smsbatch.gateway.client import DEFAULT_BASE_URL, Client
from smsbatch.preparation.campaign import Prepared, prepare
from smsbatch.preparation.summary import summarize
from smsbatch.sending.report import RunReport
from smsbatch.sending.run import run_campaign
from smsbatch.sending.throttle import DEFAULT_RATE

__all__ = ["CampaignPanel", "panel"]

#: Up to this many rows the preview re-runs on every keystroke (well under 0.1 s).
_LIVE_ROWS = 20_000
_PREVIEW_COLUMNS = ["sms_to", "sms_status", "sms_segments", "sms_encoding", "sms_text", "sms_error"]
_RESULT_COLUMNS = ["sms_to", "sms_status", "sms_response_code", "sms_response_text", "sms_error"]
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
    rate : float, default 10
        Messages per second (0 = no limit).
    region, price_per_segment, exclude
        As for :func:`smsbatch.send`.
    journal : path, default "smsbatch-panel.journal.db" in the current folder
        Always kept: messages already sent with it are never sent again, so a second Send after
        a stop sends only the rest. Another file name starts afresh.
    base_url : str, optional
        API URL for credentials typed into the panel (default ``SMSBATCH_BASE_URL`` or the
        Connect Call URL).
    rows : int, default 5
        Rows shown in the live preview.

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
    ) -> None:
        self._df = df.copy(deep=True)
        self._exclude = exclude
        self._journal = Path(journal).absolute()
        self._shown: Prepared | None = None  # the preparation on show: what the box confirms
        self._rows = rows
        self._base_url = base_url or os.environ.get("SMSBATCH_BASE_URL") or DEFAULT_BASE_URL
        self._client = client if client is not None else _client_from_env()
        self._typed: Client | None = None  # made from the login and password fields
        self._ready = 0
        #: The last send's result DataFrame (or the dry run's preview), ``None`` before.
        self.result: pd.DataFrame | None = None
        columns = [str(c) for c in df.columns]
        super().__init__(
            columns,
            to=str(to) if str(to) in columns else None,
            text=text,
            sender=sender,
            rate=rate or 0,
            region=region,
            price=price_per_segment or 0,
            live=len(df) <= _LIVE_ROWS,  # a long list previews when the field is left
            ask_credentials=self._client is None,
        )
        self.widget = self.box
        self.journal.value = note(
            f"Journal: {self._journal} (messages already sent with it are never sent again)"
        )
        self.insert.observe(self._insert_placeholder, names="value")
        for control in (self.template, self.to, self.sender, self.region, self.price):
            control.observe(self._refresh, names="value")
        self.confirm.observe(self._arm, names="value")
        self.dry_run_button.on_click(self._dry_run)
        self.send_button.on_click(self._send)
        self._refresh()

    def __repr__(self) -> str:
        return f"<CampaignPanel: {len(self._df)} rows, {self._ready} ready>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def options(self) -> dict[str, Any]:
        """Return the keyword arguments for ``preview``/``send`` that the panel shows now."""
        return {
            "to": self._column(self.to.value),
            "text": self.template.value,
            "sender": self.sender.value.strip() or None,
            "region": self.region.value.strip() or "NL",
            "exclude": self._exclude,
            "price_per_segment": self.price.value or None,
        }

    def _insert_placeholder(self, change: dict[str, Any]) -> None:
        if change["new"] != INSERT:
            self.template.value += "{" + change["new"] + "}"
            self.insert.value = INSERT

    def _refresh(self, change: dict[str, Any] | None = None) -> None:
        """Re-run the preview after any edit; a changed campaign needs a new confirmation."""
        self.confirm.value = False
        self._ready, self._shown = 0, None
        if not self.template.value:
            self.preview.value = note("Type a template, e.g. Beste {voornaam}, ...")
        elif self.to.value is None:
            self.preview.value = error("Choose the column with the phone numbers.")
        else:
            try:
                self._shown = prepare(self._df, **self.options())
            except SmsBatchError as err:
                self.preview.value = error(str(err))
            else:
                summary = summarize(self._shown.frame)
                self._ready = summary.counts.get("ready", 0)
                columns = [self._column(self.to.value), *_PREVIEW_COLUMNS]
                self.preview.value = (
                    table(self._shown.frame.head(self._rows), columns) + summary._repr_html_()
                )
        noun = "message" if self._ready == 1 else "messages"
        self.confirm.description = f"I have checked the preview; send {self._ready:,} {noun}"
        self.confirm.disabled = self._ready == 0
        self._arm()

    def _arm(self, change: dict[str, Any] | None = None) -> None:
        self.send_button.disabled = not (self.confirm.value and self._ready)

    def _dry_run(self, button: object = None) -> None:
        """Check everything a send would check, send nothing, show every row."""
        if self._shown is None or self._shown.sender is None:
            problem = "the preview" if self._shown is None else "the sender: it is checked too"
            self.status.value = error(f"Fix {problem} first.")
            return
        self.result = self._shown.frame
        self.status.value = note(
            f"Dry run: nothing was sent; {self._ready:,} messages would be sent."
        )
        self.result_table.value = summarize(self.result)._repr_html_() + table(
            self.result, _PREVIEW_COLUMNS
        )

    def _send(self, button: object = None) -> None:
        """Send once per confirmation: untick first, so a second click cannot send again."""
        if not (self.confirm.value and self._ready and self._shown is not None):
            self.status.value = error("Tick the confirmation box first.")
            return
        self.confirm.value = False
        confirmed, options = self._shown, self.options()
        try:
            client = self._credentials()
            with self.progress:
                report = run_campaign(
                    self._df,
                    client,
                    confirmed=confirmed,
                    rate=self.rate.value or None,
                    journal=self._journal,
                    **options,
                )
        except SmsBatchError as err:
            self._refresh()
            self.status.value = error(str(err))
            return
        self.status.value = self._describe(report)
        self.result = report.result
        self.result_table.value = report.summary()._repr_html_() + table(
            report.result, _RESULT_COLUMNS
        )

    def _describe(self, report: RunReport) -> str:
        """The status line for a finished run; forgets a typed password the gateway refused."""
        skipped = (
            f" {report.already_sent:,} were already sent with the journal and were not sent again."
            if report.already_sent
            else ""
        )
        if report.stop_reason is None:
            return note(f"Sent. The result is in panel.result.{skipped}")
        advice = (
            f"{report.fix_first[0].upper()}{report.fix_first[1:]}. " if report.fix_first else ""
        )
        if report.stop_category == "auth_or_funds":
            self._forget_typed()  # asking for the password again beats failing with it again
            advice += (
                "Then type the password again before sending. "
                if self._client is None
                else "For a new password, make a new panel with a new client. "
            )
        return error(
            f"Stopped: {report.stop_reason.rstrip('.')}. {advice}To send the rest, tick the box"
            " and click Send again: the journal skips every message already sent."
        )

    def _credentials(self) -> Client:
        """Return the client; a password typed since the last Send makes a new one."""
        if self._client is not None:
            return self._client
        if self.login.value and self.password.value:
            self._forget_typed()
            self._typed = Client(self.login.value, self.password.value, self._base_url)
            self.password.value = ""  # the client keeps it masked; the widget should not
        if self._typed is None:
            raise ConfigurationError("type the login and the password first")
        return self._typed

    def _forget_typed(self) -> None:
        if self._typed is not None:
            self._typed.close()
            self._typed = None

    def _column(self, name: str | None) -> Hashable:
        """Map the dropdown's text back to the frame's own column label (maybe not a str)."""
        return next((c for c in self._df.columns if str(c) == name), name)


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


def _client_from_env() -> Client | None:
    try:
        return Client.from_env()
    except ConfigurationError:
        return None
