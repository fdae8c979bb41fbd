"""What a campaign is asked to do, checked before any row is looked at: the kind of message,
its templates, the options, and that the user's own columns do not collide with ours."""

from __future__ import annotations

import difflib
import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import pandas as pd
import phonenumbers

from smsbatch.exceptions import MessageSpecError, PreparationError
from smsbatch.preparation.templates import Template

__all__ = [
    "BINARY_FIELDS",
    "OUTPUT_COLUMNS",
    "REQUIRED",
    "VCARD_FIELDS",
    "Kind",
    "check_options",
    "check_own_columns",
    "field_templates",
    "message_kind",
]

Kind = Literal["text", "vcard", "binary"]

OUTPUT_COLUMNS = ("sms_to", "sms_text", "sms_encoding", "sms_segments", "sms_status", "sms_error")
VCARD_FIELDS = ("name", "mobile", "phone", "email", "fax")
BINARY_FIELDS = ("data", "udh")

# The template without which a message is nothing.
REQUIRED: dict[str, str] = {"text": "text", "vcard": "name", "binary": "data"}


def check_own_columns(df: pd.DataFrame) -> None:
    """The ``sms_*`` output columns may only come from an earlier preview or result (which are
    replaced), and a saved send result fed back in would text its sent rows again."""
    present = [c for c in OUTPUT_COLUMNS if c in df.columns]
    if present and len(present) < len(OUTPUT_COLUMNS):
        raise PreparationError(
            f"the column {present[0]!r} is where smsbatch writes its preview; rename yours "
            "so that it is not overwritten",
            column=present[0],
        )
    if not present:
        return
    done = df["sms_status"].astype(str).value_counts().reindex(["sent", "unknown"]).dropna()
    if done.empty:
        return
    counts = " and ".join(
        f"{int(n):,} {'row is' if n == 1 else 'rows are'} {status!r}" for status, n in done.items()
    )
    raise PreparationError(
        f"this table is an earlier send result: {counts}; sending it again would text them "
        "twice. Resume with the same journal instead, or select the rows to retry first: "
        "df[df['sms_status'].isin(['failed', 'not_sent'])]",
        column="sms_status",
    )


def message_kind(text: object, vcard: object, binary: object) -> Kind:
    candidates: tuple[tuple[Kind, object], ...] = (
        ("text", text),
        ("vcard", vcard),
        ("binary", binary),
    )
    given = [name for name, value in candidates if value is not None]
    if len(given) != 1:
        raise MessageSpecError(
            "describe the message with exactly one of text=, vcard= or binary=; "
            + (f"got {', '.join(given)}" if given else "got none")
        )
    return given[0]


def check_options(
    df: pd.DataFrame,
    to: Hashable,
    region: str,
    max_segments: int | None,
    price_per_segment: float | None,
) -> None:
    if not isinstance(df, pd.DataFrame):
        raise PreparationError(f"expected a pandas DataFrame, not {type(df).__name__}")
    if to not in df.columns:
        names = [str(c) for c in df.columns]
        close = difflib.get_close_matches(str(to), names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise PreparationError(
            f"to={to!r} (--to {to}) names no column.{hint} Columns: {', '.join(map(repr, names))}",
            column=str(to),
        )
    if not isinstance(region, str) or region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise PreparationError(f"region={region!r} is not a two-letter country code like 'NL'")
    if max_segments is not None and (
        isinstance(max_segments, bool) or not isinstance(max_segments, int) or max_segments < 1
    ):
        raise PreparationError(f"max_segments must be a whole number >= 1, not {max_segments!r}")
    if price_per_segment is not None and not (
        isinstance(price_per_segment, int | float)
        and math.isfinite(price_per_segment)
        and price_per_segment >= 0
    ):
        raise PreparationError(
            f"price_per_segment must be a number >= 0, not {price_per_segment!r}"
        )


def field_templates(kind: Kind, spec: object, columns: Sequence[Hashable]) -> dict[str, Template]:
    allowed = VCARD_FIELDS if kind == "vcard" else BINARY_FIELDS
    required = REQUIRED[kind]
    if not isinstance(spec, Mapping):
        raise MessageSpecError(f"{kind}= takes a dict of templates, like {{{required!r}: ...}}")
    unknown = [key for key in spec if key not in allowed]
    if unknown:
        raise MessageSpecError(
            f"{kind}= has unknown field(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(allowed)}"
        )
    if spec.get(required) is None:
        raise MessageSpecError(f"{kind}= needs a {required!r} template")
    # Fixed order, so the same description always gives the same fields (and journal keys).
    return {
        name: Template(spec[name], columns, what=f"{kind}[{name!r}]")
        for name in allowed
        if spec.get(name) is not None
    }
