"""A campaign panel for Jupyter: edit the template, watch the preview, dry-run, confirm, send.

The panel is a thin front end over :func:`~smsbatch.preparation.campaign.prepare` and
:func:`~smsbatch.sending.run.send`: every edit re-runs the preview (errors are shown in the panel,
never raised into the notebook), and the Send button only works after the confirmation box,
which names the number of messages, has been ticked for *this* preview; any edit unticks it.
The panel works on its own copy of the DataFrame, and Send re-checks that it is about to send
exactly the messages of the confirmed preview (an opt-out file may have changed meanwhile).

The panel always keeps a journal (by default one fixed file in the current folder), so clicking
Send again after a stop resumes the campaign instead of texting everybody a second time.

The password is only ever typed into an ``ipywidgets.Password`` field, which is emptied as soon
as a client has been made from it. A client made from the fields is dropped when the gateway
refuses the account (40x), so that the corrected password typed next is the one used.
"""

from __future__ import annotations

import html
import os
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pandas as pd

try:
    import ipywidgets as widgets
except ImportError as err:  # an extra, so that smsbatch installs where Jupyter is not wanted
    raise ImportError(
        'The campaign panel needs ipywidgets: pip install "smsbatch[notebook]"',
        name=err.name,
    ) from err

from smsbatch.exceptions import CampaignStopped, ConfigurationError, SmsBatchError
from smsbatch.gateway.client import DEFAULT_BASE_URL, Client
from smsbatch.preparation.campaign import Prepared, prepare
from smsbatch.preparation.summary import summarize
from smsbatch.sending.run import DEFAULT_RATE, EARLIER_RUN, send

__all__ = ["CampaignPanel", "panel"]

_INSERT = "insert column…"
#: Up to this many rows the preview re-runs on every keystroke (well under 0.1 s).
_LIVE_ROWS = 20_000
_PREVIEW_COLUMNS = ["sms_to", "sms_status", "sms_segments", "sms_encoding", "sms_text", "sms_error"]
_RESULT_COLUMNS = ["sms_to", "sms_status", "sms_response_code", "sms_response_text", "sms_error"]
#: The journal of every panel in a folder unless told otherwise: one fixed name, so that a
#: second Send (or a new panel after a restart) resumes instead of sending again.
PANEL_JOURNAL = "smsbatch-panel.journal.db"


class CampaignPanel:
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
    text : str
        Initial template.
    sender : str
        Initial sender.
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
        #: The preparation on show: what ticking the box confirms.
        self._shown: Prepared | None = None
        self._rows = rows
        self._base_url = base_url or os.environ.get("SMSBATCH_BASE_URL") or DEFAULT_BASE_URL
        self._client = client if client is not None else _client_from_env()
        #: The client made from the login and password fields: the panel's own, to replace.
        self._typed: Client | None = None
        self._ready = 0
        #: The last send's result DataFrame (or the dry run's preview), ``None`` before.
        self.result: pd.DataFrame | None = None

        columns = [str(c) for c in df.columns]
        wide = widgets.Layout(width="100%")
        self.template = widgets.Textarea(
            value=text,
            description="Template",
            placeholder="Beste {voornaam}, ...",
            layout=wide,
            # A preview of a very long list takes seconds: then update when the field is left.
            continuous_update=len(df) <= _LIVE_ROWS,
        )
        self.insert = widgets.Dropdown(options=[_INSERT, *columns], description="Insert")
        self.to = widgets.Dropdown(
            options=columns, value=str(to) if str(to) in columns else None, description="Phone"
        )
        self.sender = widgets.Text(value=sender, description="Sender", placeholder="max 11")
        self.rate = widgets.BoundedFloatText(
            value=rate or 0, min=0, max=10_000, description="Rate /s"
        )
        self.region = widgets.Text(value=region, description="Region")
        self.price = widgets.BoundedFloatText(
            value=price_per_segment or 0, min=0, max=1_000, step=0.01, description="Price/seg"
        )
        self.login = widgets.Text(description="Login")
        self.password = widgets.Password(description="Password")
        self.preview = widgets.HTML()
        self.dry_run_button = widgets.Button(description="Dry run", icon="eye")
        self.confirm = widgets.Checkbox(value=False, indent=False, layout=wide)
        self.send_button = widgets.Button(
            description="Send", button_style="danger", icon="paper-plane", disabled=True
        )
        self.journal = widgets.HTML(
            _note(f"Journal: {self._journal} (messages already sent with it are never sent again)")
        )
        self.status = widgets.HTML()
        self.progress = widgets.Output()
        self.results = widgets.HTML()

        credentials = [] if self._client is not None else [
            widgets.HTML("<b>Credentials</b> (or set SMSBATCH_LOGIN / SMSBATCH_PASSWORD)"),
            widgets.HBox([self.login, self.password]),
        ]
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.to, self.insert]),
                self.template,
                widgets.HBox([self.sender, self.rate]),
                widgets.HBox([self.region, self.price]),
                *credentials,
                self.preview,
                widgets.HBox([self.dry_run_button]),
                self.confirm,
                self.send_button,
                self.journal,
                self.status,
                self.progress,
                self.results,
            ]
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

    # --- reactions ----------------------------------------------------------------------------

    def _insert_placeholder(self, change: dict[str, Any]) -> None:
        if change["new"] == _INSERT:
            return
        self.template.value += "{" + change["new"] + "}"
        self.insert.value = _INSERT

    def _refresh(self, change: dict[str, Any] | None = None) -> None:
        """Re-run the preview after any edit; a changed campaign needs a new confirmation."""
        self.confirm.value = False
        self._ready = 0
        self._shown = None
        if not self.template.value:
            self.preview.value = _note("Type a template, e.g. Beste {voornaam}, ...")
        elif self.to.value is None:
            self.preview.value = _error("Choose the column with the phone numbers.")
        else:
            try:
                prepared = prepare(self._df, **self.options())
            except SmsBatchError as err:
                self.preview.value = _error(str(err))
            else:
                summary = prepared.summary()
                self._ready = summary.counts.get("ready", 0)
                self._shown = prepared
                columns = [self._column(self.to.value), *_PREVIEW_COLUMNS]
                self.preview.value = (
                    _table(prepared.frame.head(self._rows), columns) + summary._repr_html_()
                )
        self.confirm.description = (
            f"I have checked the preview; send {self._ready:,} "
            + ("message" if self._ready == 1 else "messages")
        )
        self.confirm.disabled = self._ready == 0
        self._arm()

    def _arm(self, change: dict[str, Any] | None = None) -> None:
        self.send_button.disabled = not (self.confirm.value and self._ready)

    def _dry_run(self, button: widgets.Button | None = None) -> None:
        """Check everything a send would check, send nothing, show every row."""
        options = self.options()
        try:
            if options["sender"] is None:
                raise ConfigurationError("type a sender: it is checked in the dry run too")
            result = send(self._df, self._client, dry_run=True, progress=False, **options)
        except SmsBatchError as err:
            self.status.value = _error(str(err))
            return
        self.result = result
        self.status.value = _note(
            f"Dry run: nothing was sent; {self._ready:,} messages would be sent."
        )
        self.results.value = summarize(result)._repr_html_() + _table(result, _PREVIEW_COLUMNS)

    def _send(self, button: widgets.Button | None = None) -> None:
        """Send once per confirmation: untick first, so a second click cannot send again."""
        if not (self.confirm.value and self._ready and self._shown is not None):
            self.status.value = _error("Tick the confirmation box first.")
            return
        self.confirm.value = False
        confirmed = self._shown
        try:
            # Prepared again (an opt-out file may have changed), and sent only if it is still
            # exactly what the person confirmed; then that very preparation is what is sent.
            current = prepare(self._df, **self.options())
            if not current.same_messages(confirmed):
                self._refresh()
                raise ConfigurationError(
                    "the campaign changed since you confirmed its preview (the exclude list?);"
                    " nothing was sent: check the new preview and confirm again"
                )
            client = self._credentials()
            with self.progress:
                result = send(
                    current,
                    client,
                    rate=self.rate.value or None,
                    journal=self._journal,
                    progress=True,
                )
            earlier = int((result["sms_error"] == EARLIER_RUN).sum())
            skipped = (
                f" {earlier:,} were already sent with the journal and were not sent again."
                if earlier
                else ""
            )
            self.status.value = _note(f"Sent. The result is in panel.result.{skipped}")
        except CampaignStopped as err:
            result = err.result
            refused = err.category
            if refused == "auth_or_funds":
                # This password failed: asking for it again beats failing with it again.
                self._forget_typed()
            self.status.value = _error(
                f"Stopped: {err.reason.rstrip('.')}. {self._advice(refused)}To send the rest,"
                " tick the box and click Send again: the journal skips every message already sent."
            )
        except SmsBatchError as err:
            self.status.value = _error(str(err))
            return
        self.result = result
        self.results.value = summarize(result)._repr_html_() + _table(result, _RESULT_COLUMNS)

    # --- helpers ------------------------------------------------------------------------------

    def _credentials(self) -> Client:
        """Return the client; a password typed since the last Send makes a new one."""
        if self._client is not None:
            return self._client
        if self.login.value and self.password.value:
            self._forget_typed()
            self._typed = Client(self.login.value, self.password.value, self._base_url)
            # The client keeps the password masked; the widget should not keep it at all.
            self.password.value = ""
        if self._typed is None:
            raise ConfigurationError("type the login and the password first")
        return self._typed

    def _forget_typed(self) -> None:
        if self._typed is not None:
            self._typed.close()
            self._typed = None

    def _advice(self, refused: str | None) -> str:
        """What to fix before Send can help, when the gateway refused the account itself."""
        if refused == "auth_or_funds":
            if self._client is not None:
                return (
                    "Check the login and password (or the credit) before sending again; for a"
                    " new password, make a new panel with a new client. "
                )
            return (
                "Check the login and type the password again (or top up the credit) before"
                " sending again. "
            )
        if refused == "reseller_funds":
            return "Ask the reseller to top up the credit before sending again. "
        return ""

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


def _table(frame: pd.DataFrame, columns: list[Hashable]) -> str:
    shown = [c for c in columns if c in frame.columns]
    return frame[shown].to_html(max_rows=200, border=0, classes="smsbatch-preview")


def _note(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _error(text: str) -> str:
    return f'<p style="color:#cf222e"><b>{html.escape(text)}</b></p>'
