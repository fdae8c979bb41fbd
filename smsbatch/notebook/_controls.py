"""The campaign panel's fields for campaign control: the rate (or explicitly no limit), the
sending hours and start time, a limit, the opt-out line and the commercial check, the history
of sends, the journal's privacy, and a test send; what they ask of :func:`smsbatch.send`.

The names and meanings are those of :func:`smsbatch.send`, and so are the checks: a field's
value goes to the library as it is typed (an empty field means the option is not given), and
the library's own ``ConfigurationError`` is what the panel shows. Only the rate needs words of
the panel's own: its field and its "no limit" box are the panel's way to say ``rate=None``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ipywidgets as widgets

from smsbatch.exceptions import ConfigurationError
from smsbatch.sending._setup import check_options
from smsbatch.sending.hours import DEFAULT_TZ
from smsbatch.sending.journal import Privacy
from smsbatch.sending.throttle import Throttle

__all__ = ["Controls"]

_WIDE = {"description_width": "96px"}
#: Test numbers are separated by commas, semicolons or new lines (a number may hold spaces).
_SEPARATORS = re.compile(r"[,;\n]+")


class Controls:
    """The control fields, ``box`` (an accordion, closed: the panel stays compact) and what
    they mean as keyword arguments of :func:`smsbatch.run_campaign`."""

    def __init__(
        self,
        *,
        rate: float | None,
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
        field = widgets.Layout(width="96%")
        short = {"description_width": "72px"}
        self.rate = widgets.FloatText(
            value=rate or 0, description="Rate /s", layout=widgets.Layout(width="34%"),
            style=short, disabled=rate is None,
        )  # fmt: skip
        self.unlimited = widgets.Checkbox(
            value=rate is None, description="no limit", indent=False,
            layout=widgets.Layout(width="16%"),
        )  # fmt: skip
        self.window = _text(window, "Hours", "08:00-21:00 (empty: any time)")
        self.days = _text(days, "Days", "mon-sat or mon,wed,fri")
        self.tz = _text(tz, "Time zone", DEFAULT_TZ)
        start = start_at if not isinstance(start_at, dt.datetime) else start_at.isoformat(" ")
        self.start_at = _text(start, "Start at", "2026-12-02 08:30 (empty: now)")
        self.limit = _text(None if limit is None else str(limit), "Limit", "all (or the first N)")
        self.footer = _text(footer, "Opt-out line", " Afmelden? Sms STOP naar 3010")
        self.commercial = widgets.Checkbox(
            value=commercial, indent=False, layout=field,
            description="commercial: needs an opt-out line and a named sender",
        )  # fmt: skip
        self.allow_repeat = widgets.Checkbox(
            value=allow_repeat, indent=False, layout=field,
            description="allow repeat: send what another journal sent too",
        )  # fmt: skip
        self.journal_privacy = widgets.Dropdown(
            options=[("full: numbers and texts", "full"), ("minimal: keys only", "minimal")],
            value=journal_privacy, description="Journal", style=_WIDE, layout=field,
        )  # fmt: skip
        self.test_to = _text(None, "Test numbers", "0612345678, 0687654321 (yours)")
        self.test_button = widgets.Button(description="Send test", icon="mobile")
        for name in ("rate", "unlimited", "window", "days", "tz", "start_at", "limit", "footer",
                     "commercial", "allow_repeat", "journal_privacy", "test_to", "test_button"):
            getattr(self, name).add_class(f"smsbatch-{name.replace('_', '-')}")  # for tests
        self.box = widgets.Accordion(
            [
                widgets.VBox(
                    [
                        self.window, self.days, self.tz, self.start_at, self.limit,
                        self.footer, self.commercial, self.allow_repeat, self.journal_privacy,
                        widgets.HBox([self.test_to, self.test_button]),
                    ]
                )
            ],
            titles=("Options: sending hours, limit, opt-out line, test send",),
            selected_index=None,
        )  # fmt: skip
        self.box.add_class("smsbatch-options")
        self.unlimited.observe(self._rate_or_none, names="value")

    @property
    def fields(self) -> list[widgets.ValueWidget]:
        """Every field that changes the campaign: an edit asks for a new confirmation."""
        return [
            self.rate, self.unlimited, self.window, self.days, self.tz, self.start_at,
            self.limit, self.footer, self.commercial, self.allow_repeat, self.journal_privacy,
        ]  # fmt: skip

    def message_options(self) -> dict[str, Any]:
        """The options that change the messages themselves (``prepare`` takes them)."""
        return {"footer": self.footer.value or None, "commercial": self.commercial.value}

    def sending_options(self) -> dict[str, Any]:
        """The sending options as ``run_campaign`` takes them, checked as it checks them.

        Raises
        ------
        ConfigurationError
            A value ``send`` would refuse, in words (the rate 0, a limit that is not a number).
        """
        rate = None if self.unlimited.value else self.rate.value
        try:
            Throttle(rate)
        except ConfigurationError:
            raise ConfigurationError(
                f"the rate {self.rate.value:g}/s would never send: give the messages per second"
                " (above 0), or tick 'no limit'"
            ) from None
        limit_text = self.limit.value.strip()
        limit: Any = int(limit_text) if limit_text.isdigit() else (limit_text or None)
        check_options("message", 1, 0, 0, None, limit)
        return {
            "rate": rate,
            "window": self.window.value.strip() or None,
            "days": self.days.value.strip() or "mon-sun",
            "tz": self.tz.value.strip() or DEFAULT_TZ,
            "start_at": self.start_at.value.strip() or None,
            "limit": limit,
            "allow_repeat": self.allow_repeat.value,
            "journal_privacy": self.journal_privacy.value,
        }

    def test_numbers(self) -> list[str]:
        """The numbers typed into the test field, as they were typed."""
        return [n.strip() for n in _SEPARATORS.split(self.test_to.value) if n.strip()]

    def _rate_or_none(self, change: dict[str, Any]) -> None:
        self.rate.disabled = bool(change["new"])

    def enable(self, on: bool) -> None:
        """Let a person edit the fields (``on``) or not; the rate only when it has a limit."""
        for field in [*self.fields, self.test_to]:
            field.disabled = not on
        self.rate.disabled = not on or self.unlimited.value


def _text(value: str | None, description: str, placeholder: str) -> widgets.Text:
    return widgets.Text(
        value=value or "", description=description, placeholder=placeholder, style=_WIDE,
        layout=widgets.Layout(width="96%"),
    )  # fmt: skip
