"""The widgets of the campaign panel, their layout, and which of them a state lets a person use.

The layout fits a 1366x768 laptop screen: the composing fields and the send step in a left
column, the live preview beside them in a box of fixed height (so nothing jumps while typing),
and below them one status line, the progress bar and the result. On a narrow screen the two
columns wrap into one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Literal

import ipywidgets as widgets  # the package's __init__ says how to install it if missing

from smsbatch.notebook._controls import Controls
from smsbatch.notebook._html import STYLE

__all__ = ["INSERT", "STATES", "PanelWidgets", "State"]

INSERT = "insert column…"

State = Literal["editing", "previewed", "confirmed", "sending", "done", "stopped"]
#: What each state lets a person use: (fields, Dry run and Send test, the confirmation box,
#: Send).
#: editing: the preview is not sendable; previewed: it is, not yet confirmed; confirmed: the
#: box is ticked for this preview; sending: a run is going on; done: every message went out;
#: stopped: a run ended early or found problems, and ticking the box again resumes it.
STATES: dict[State, tuple[bool, bool, bool, bool]] = {
    "editing": (True, False, False, False),
    "previewed": (True, True, True, False),
    "confirmed": (True, True, True, True),
    "sending": (False, False, False, False),
    "done": (True, True, False, False),
    "stopped": (True, True, True, False),
}
#: Height of the preview box: the tallest the left column gets, so the panel never jumps.
PREVIEW_HEIGHT = "440px"


class PanelWidgets:
    """Every control of the panel, laid out in ``box``, and the panel's state: ``_enter(state)``
    enables what it allows. What a person does calls a method for the subclass to fill in: an
    edit of the campaign ``_refresh``, a tick or untick of the box ``_ticked``, the buttons
    ``_dry_run``, ``_test_send`` and ``_send``. The campaign-control fields are ``controls``
    (see ``_controls``)."""

    def __init__(
        self,
        columns: Sequence[Hashable],
        *,
        to: Hashable,
        text: str,
        sender: str,
        controls: Controls,
        region: str,
        price: float,
        live: bool,
        ask_credentials: bool,
    ) -> None:
        self._columns = list(columns)
        names = [str(c) for c in columns]
        half = widgets.Layout(width="50%", min_width="0")
        short = {"description_width": "72px"}
        self.to = widgets.Dropdown(
            options=names, value=str(to) if str(to) in names else None, description="Phone",
            layout=half, style=short,
        )  # fmt: skip
        self.insert = widgets.Dropdown(
            options=[INSERT, *names], description="Insert", layout=half, style=short
        )
        self.template = widgets.Textarea(
            value=text,
            description="Template",
            placeholder="Beste {voornaam}, ...",
            rows=4,
            layout=widgets.Layout(width="100%"),
            style=short,
            continuous_update=live,
        )
        self.hint = widgets.HTML()
        self.sender = widgets.Text(
            value=sender, description="Sender", placeholder="max 11", layout=half, style=short
        )
        self.region = widgets.Text(value=region, description="Region", layout=half, style=short)
        self.controls = controls
        self.price = widgets.BoundedFloatText(
            value=price, min=0, max=1_000, step=0.01, description="Price/part", layout=half,
            style=short,
        )
        self.login = widgets.Text(description="Login", layout=half, style=short)
        self.password = widgets.Password(description="Password", layout=half, style=short)
        self.dry_run_button = widgets.Button(description="Dry run", icon="eye")
        self.confirmation = widgets.HTML()
        self.confirm = widgets.Checkbox(
            value=False, indent=False, description="I have checked the preview: send them"
        )
        self.send_button = widgets.Button(
            description="Send", button_style="danger", icon="paper-plane", disabled=True
        )
        self.journal = widgets.HTML()
        self.source = widgets.HTML()
        self.preview = widgets.HTML(
            layout=widgets.Layout(height=PREVIEW_HEIGHT, overflow="auto")
        )
        self.status = widgets.HTML()
        self.progress = widgets.Output()  # the progress bar only: it would swallow an error
        self.result_table = widgets.HTML(layout=widgets.Layout(max_height="420px", overflow="auto"))
        for html_widget in (self.preview, self.result_table):
            html_widget.add_class("jp-RenderedHTMLCommon")  # the notebook's table style
        for name in ("template", "hint", "confirmation", "confirm", "send_button", "preview",
                     "status", "progress", "result_table", "source", "journal"):  # fmt: skip
            getattr(self, name).add_class(f"smsbatch-{name.replace('_', '-')}")  # for tests
        self.box = _layout(self, ask_credentials)
        self.widget = self.box
        self._fields = [
            self.to, self.insert, self.template, self.sender, self.region, self.price,
            self.login, self.password,
        ]  # fmt: skip
        self._state: State = "editing"
        self.insert.observe(self._insert_placeholder, names="value")
        for control in (self.template, self.to, self.sender, self.region, self.price,
                        *controls.fields):  # fmt: skip
            control.observe(self._refresh, names="value")
        self.confirm.observe(self._on_tick, names="value")
        self.dry_run_button.on_click(self._dry_run)
        self.controls.test_button.on_click(self._test_send)
        self.send_button.on_click(self._send)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = dict(self.widget._repr_mimebundle_(**kwargs))
        # Shown where the live panel cannot be: a saved notebook opened without its kernel.
        bundle["text/plain"] = "Campaign panel: run all cells (Run > Run All Cells) to show it."
        return bundle

    @property
    def state(self) -> State:
        """Where the panel is: editing, previewed, confirmed, sending, done or stopped."""
        return self._state

    def _enter(self, state: State, status: str | None = None, result: str | None = None) -> None:
        """Move to ``state``; a status or result given replaces the one on show."""
        self._state = state
        if status is not None:
            self.status.value = status
        if result is not None:
            self.result_table.value = result
        self.show(state)

    def show(self, state: State) -> None:
        """Enable exactly what ``state`` allows; the box is unticked unless it is confirmed."""
        fields, dry_run, box, send = STATES[state]
        for field in self._fields:
            field.disabled = not fields
        self.controls.enable(fields)
        self.dry_run_button.disabled = not dry_run
        self.controls.test_button.disabled = not dry_run
        self.confirm.disabled = not box
        self.send_button.disabled = not send

    def phone_column(self) -> Hashable:
        """The column chosen for the phone numbers, as the frame labels it (maybe not a str)."""
        name = self.to.value
        return next((c for c in self._columns if str(c) == name), name)

    def _refresh(self, change: dict[str, Any] | None = None) -> None:
        """Called after an edit of a field that changes the campaign."""

    def _ticked(self, ticked: bool) -> None:
        """Called when the person ticks or unticks the confirmation box."""

    def _dry_run(self, button: object = None) -> None:
        """Called by the Dry run button."""

    def _test_send(self, button: object = None) -> None:
        """Called by the Send test button."""

    def _send(self, button: object = None) -> None:
        """Called by the Send button."""

    def _untick(self) -> None:
        """Untick the box without it counting as the person's untick."""
        self.confirm.unobserve(self._on_tick, names="value")
        self.confirm.value = False
        self.confirm.observe(self._on_tick, names="value")

    def _on_tick(self, change: dict[str, Any]) -> None:
        self._ticked(change["new"])

    def _insert_placeholder(self, change: dict[str, Any]) -> None:
        if change["new"] != INSERT:
            self.template.value += "{" + change["new"] + "}"
            self.insert.value = INSERT


def _layout(panel: PanelWidgets, ask_credentials: bool) -> widgets.VBox:
    """Lay the controls out: composing and sending on the left, the preview beside them (the
    two wrap into one column on a narrow screen), then the status, progress and result."""
    credentials = (
        [
            widgets.HTML("<b>Credentials</b> (or set SMSBATCH_LOGIN / SMSBATCH_PASSWORD)"),
            widgets.HBox([panel.login, panel.password]),
        ]
        if ask_credentials
        else []
    )
    compose = widgets.VBox(
        [
            widgets.HBox([panel.to, panel.insert]),
            panel.template,
            panel.hint,
            widgets.HBox([panel.sender, panel.region]),
            widgets.HBox([panel.controls.rate, panel.controls.unlimited, panel.price]),
            panel.controls.box,
            *credentials,
            panel.dry_run_button,
            panel.confirmation,
            panel.confirm,
            panel.send_button,
            panel.journal,
        ],
        layout=widgets.Layout(flex="0 1 440px", min_width="340px", margin="0 12px 0 0"),
    )
    check = widgets.VBox(
        [panel.preview], layout=widgets.Layout(flex="1 1 440px", min_width="340px")
    )
    box = widgets.VBox(
        [
            widgets.HTML(STYLE),
            panel.source,
            widgets.HBox([compose, check], layout=widgets.Layout(flex_flow="row wrap")),
            panel.status,
            panel.progress,
            panel.result_table,
        ]
    )
    box.add_class("smsbatch-panel")
    return box
