"""The widgets of the campaign panel and their layout, apart from what the panel does with them.

Also the few HTML helpers the panel shows its preview, status and results with.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Sequence

import pandas as pd

try:
    import ipywidgets as widgets
except ImportError as err:  # an extra, so that smsbatch installs where Jupyter is not wanted
    raise ImportError(
        'The campaign panel needs ipywidgets: pip install "smsbatch[notebook]"',
        name=err.name,
    ) from err

__all__ = ["INSERT", "PanelWidgets", "error", "note", "table"]

INSERT = "insert column…"


class PanelWidgets:
    """Every control of the panel; ``box`` lays them out top to bottom in working order."""

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
        wide = widgets.Layout(width="100%")
        self.template = widgets.Textarea(
            value=text,
            description="Template",
            placeholder="Beste {voornaam}, ...",
            layout=wide,
            continuous_update=live,
        )
        self.insert = widgets.Dropdown(options=[INSERT, *columns], description="Insert")
        self.to = widgets.Dropdown(options=columns, value=to, description="Phone")
        self.sender = widgets.Text(value=sender, description="Sender", placeholder="max 11")
        self.rate = widgets.BoundedFloatText(value=rate, min=0, max=10_000, description="Rate /s")
        self.region = widgets.Text(value=region, description="Region")
        self.price = widgets.BoundedFloatText(
            value=price, min=0, max=1_000, step=0.01, description="Price/seg"
        )
        self.login = widgets.Text(description="Login")
        self.password = widgets.Password(description="Password")
        self.preview = widgets.HTML()
        self.dry_run_button = widgets.Button(description="Dry run", icon="eye")
        self.confirm = widgets.Checkbox(value=False, indent=False, layout=wide)
        self.send_button = widgets.Button(
            description="Send", button_style="danger", icon="paper-plane", disabled=True
        )
        self.journal = widgets.HTML()
        self.status = widgets.HTML()
        self.progress = widgets.Output()
        self.result_table = widgets.HTML()
        credentials = (
            [
                widgets.HTML("<b>Credentials</b> (or set SMSBATCH_LOGIN / SMSBATCH_PASSWORD)"),
                widgets.HBox([self.login, self.password]),
            ]
            if ask_credentials
            else []
        )
        self.box = widgets.VBox(
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
                self.result_table,
            ]
        )


def table(frame: pd.DataFrame, columns: Sequence[Hashable]) -> str:
    shown = [c for c in columns if c in frame.columns]
    return frame[shown].to_html(max_rows=200, border=0, classes="smsbatch-preview")


def note(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def error(text: str) -> str:
    return f'<p style="color:#cf222e"><b>{html.escape(text)}</b></p>'
