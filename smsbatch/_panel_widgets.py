"""The widgets of the campaign panel, their layout, and which of them a state lets a person use.

The layout fits a 1366x768 laptop screen: the composing fields and the send step in a left
column, the live preview beside them in a box of fixed height (so nothing jumps while typing),
and below them one status line, the progress bar and the result. On a narrow screen the two
columns wrap into one.
"""

from __future__ import annotations

from typing import Literal

try:
    import ipywidgets as widgets
except ImportError as err:  # an extra, so that smsbatch installs where Jupyter is not wanted
    raise ImportError(
        'The campaign panel needs ipywidgets: pip install "smsbatch[notebook]"',
        name=err.name,
    ) from err

from smsbatch._panel_html import STYLE

__all__ = ["INSERT", "STATES", "PanelWidgets", "State"]

INSERT = "insert column…"

State = Literal["editing", "previewed", "confirmed", "sending", "done", "stopped"]
#: What each state lets a person use: (fields, Dry run, the confirmation box, Send).
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
    """Every control of the panel, laid out in ``box``; ``show(state)`` enables what it allows."""

    def __init__(
        self,
        columns: list[str],
        *,
        to: str | None,
        text: str,
        sender: str,
        rate: float,
        region: str,
        price: float,
        live: bool,
        ask_credentials: bool,
    ) -> None:
        half = widgets.Layout(width="50%", min_width="0")
        short = {"description_width": "72px"}
        self.to = widgets.Dropdown(
            options=columns, value=to, description="Phone", layout=half, style=short
        )
        self.insert = widgets.Dropdown(
            options=[INSERT, *columns], description="Insert", layout=half, style=short
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
        self.rate = widgets.BoundedFloatText(
            value=rate, min=0, max=10_000, description="Rate /s", layout=half, style=short
        )
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
        credentials = (
            [
                widgets.HTML("<b>Credentials</b> (or set SMSBATCH_LOGIN / SMSBATCH_PASSWORD)"),
                widgets.HBox([self.login, self.password]),
            ]
            if ask_credentials
            else []
        )
        compose = widgets.VBox(
            [
                widgets.HBox([self.to, self.insert]),
                self.template,
                self.hint,
                widgets.HBox([self.sender, self.region]),
                widgets.HBox([self.rate, self.price]),
                *credentials,
                self.dry_run_button,
                self.confirmation,
                self.confirm,
                self.send_button,
                self.journal,
            ],
            layout=widgets.Layout(flex="0 1 440px", min_width="340px", margin="0 12px 0 0"),
        )
        check = widgets.VBox(
            [self.preview], layout=widgets.Layout(flex="1 1 440px", min_width="340px")
        )
        self.box = widgets.VBox(
            [
                widgets.HTML(STYLE),
                self.source,
                widgets.HBox([compose, check], layout=widgets.Layout(flex_flow="row wrap")),
                self.status,
                self.progress,
                self.result_table,
            ]
        )
        self.box.add_class("smsbatch-panel")
        self._fields = [
            self.to, self.insert, self.template, self.sender, self.region, self.rate,
            self.price, self.login, self.password,
        ]  # fmt: skip

    def show(self, state: State) -> None:
        """Enable exactly what ``state`` allows; the box is unticked unless it is confirmed."""
        fields, dry_run, box, send = STATES[state]
        for field in self._fields:
            field.disabled = not fields
        self.dry_run_button.disabled = not dry_run
        self.confirm.disabled = not box
        self.send_button.disabled = not send
