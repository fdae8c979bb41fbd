"""Strict message templates: Python format syntax whose placeholders are column names only.

A template is checked against the columns once, before any row is looked at, so a typo in a
placeholder stops the campaign instead of sending "Beste {voornam}" to fifty thousand people.
Rendering is vectorised per placeholder: each referenced column is formatted once per distinct
value (distinct in type and spelling, not only by ``==``), then the pieces are concatenated as
whole arrays. Row values are never parsed as templates, so braces in the data are plain text.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import difflib
import itertools
import math
import numbers
import re
import string
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from smsbatch.exceptions import TemplateError
from smsbatch.preparation._groups import UNHASHABLE, group

__all__ = ["Placeholder", "Template", "append_problems", "format_value"]

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One ``{column:spec}`` of a template: ``column`` is the frame's own column label."""

    name: str
    column: Hashable
    spec: str


class Template:
    """A parsed template whose placeholders all name columns of the frame it will render.

    Parameters
    ----------
    source : str
        Python format syntax: ``"Beste {voornaam}, tot {datum:%d-%m}"``. ``{{`` and ``}}`` are
        literal braces. Only column names with an optional format spec are allowed.
    columns : iterable
        The columns of the frame to render; a placeholder naming none of them raises at once.
    what : str
        How errors refer to this template (``"text"``, ``"vcard['name']"``...).

    Raises
    ------
    TemplateError
        For a placeholder that names no column (with the existing columns and a close match),
        positional ``{}``/``{0}``, attribute or index access, ``!r`` conversions, nested specs.

    Examples
    --------
    >>> frame = pd.DataFrame({"naam": ["Jan"], "nr": [12.0]})
    >>> text, error = Template("Hoi {naam}, huisnummer {nr}", frame.columns).render(frame)
    >>> list(text), list(error)
    (['Hoi Jan, huisnummer 12'], [''])
    """

    def __init__(self, source: str, columns: Iterable[Hashable], *, what: str = "text") -> None:
        if not isinstance(source, str):
            raise TemplateError(
                f"the {what} template must be a string, not {type(source).__name__}"
            )
        surrogate = _SURROGATE.search(source)
        if surrogate is not None:
            raise TemplateError(
                f"the {what} template contains U+{ord(surrogate.group()):04X}, half of a "
                "character (a lone surrogate) that cannot be sent"
            )
        self.source = source
        self.what = what
        by_name = {str(column): column for column in columns}
        literals: list[str] = []
        placeholders: list[Placeholder] = []
        try:
            parsed = list(string.Formatter().parse(source))
        except ValueError as err:
            raise TemplateError(
                f"the {what} template is not valid format syntax ({err}); "
                "write {{ and }} for literal braces"
            ) from err
        pending = ""
        for literal, field, spec, conversion in parsed:
            pending += literal
            if field is None:
                continue
            placeholders.append(_placeholder(field, spec or "", conversion, by_name, what))
            literals.append(pending)
            pending = ""
        literals.append(pending)
        self.literals: tuple[str, ...] = tuple(literals)
        self.placeholders: tuple[Placeholder, ...] = tuple(placeholders)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    def render(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Render every row: ``(texts, errors)`` as object arrays of str, one entry per row.

        A row whose value for a placeholder is missing or blank, or cannot take the format spec,
        gets an error naming the column and an empty text.
        """
        n = len(frame)
        error: np.ndarray = np.full(n, "", dtype=object)
        if not self.placeholders:
            return np.full(n, self.literals[0], dtype=object), error
        # Columns of pieces, joined once per row: one string built per row, not one per piece.
        pieces: list[Iterable[str]] = [itertools.repeat(self.literals[0], n)]
        done: dict[tuple[Hashable, str], np.ndarray] = {}
        # A column used twice ({d} and {d:%d-%m}) is reported once per row.
        reported: dict[Hashable, np.ndarray] = {}
        for placeholder, literal in zip(self.placeholders, self.literals[1:], strict=True):
            key = (placeholder.column, placeholder.spec)
            if key not in done:
                done[key], problems = _render_column(frame, placeholder)
                bad = problems != ""
                if placeholder.column in reported:
                    bad &= ~reported[placeholder.column]
                    reported[placeholder.column] |= bad
                else:
                    reported[placeholder.column] = bad
                append_problems(error, np.where(bad, problems, ""))
            pieces.append(done[key].tolist())
            if literal:
                pieces.append(itertools.repeat(literal, n))
        # Not strict: the literal pieces are endless repeats; the column pieces have n each.
        text = np.array(["".join(row) for row in zip(*pieces, strict=False)], dtype=object)
        text[error != ""] = ""
        return text, error


def append_problems(error: np.ndarray, problems: np.ndarray) -> None:
    """Add each row's problem (``""`` for none) to its error text, ``"; "``-separated, in place."""
    bad = problems != ""
    if bad.any():
        error[bad] = np.where(error[bad] == "", problems[bad], error[bad] + "; " + problems[bad])


def _placeholder(
    field: str, spec: str, conversion: str | None, by_name: dict[str, Hashable], what: str
) -> Placeholder:
    """Check one parsed field against the columns; refuse anything but a plain column name."""
    shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
    shown += "}"
    if field in by_name:
        if conversion is not None:
            raise TemplateError(
                f"placeholder {shown} in the {what} template uses a !{conversion} conversion; "
                f"write {{{field}}} or {{{field}:spec}}",
                column=field,
            )
        if "{" in spec:
            raise TemplateError(
                f"placeholder {shown} in the {what} template nests a placeholder in its format "
                "spec; only a fixed spec such as {datum:%d-%m} is allowed",
                column=field,
            )
        return Placeholder(field, by_name[field], spec)
    if field == "" or field.isdigit():
        raise TemplateError(
            f"placeholder {shown} in the {what} template is positional; "
            "name a column instead, like {voornaam}"
        )
    root = field.split(".", 1)[0].split("[", 1)[0]
    if root in by_name:
        raise TemplateError(
            f"placeholder {shown} in the {what} template uses attribute or index access; "
            f"only plain column names are allowed, like {{{root}}}",
            column=root,
        )
    columns = ", ".join(repr(name) for name in by_name) or "(none)"
    close = difflib.get_close_matches(field, list(by_name), n=1)
    hint = f" Did you mean {{{close[0]}}}?" if close else ""
    if f"{field}:{spec}" in by_name:
        hint = f" A ':' starts a format spec: rename the column {f'{field}:{spec}'!r} to use it."
    raise TemplateError(
        f"placeholder {shown} in the {what} template names no column.{hint} Columns: {columns}",
        column=field,
    )


def _render_column(frame: pd.DataFrame, placeholder: Placeholder) -> tuple[np.ndarray, np.ndarray]:
    """Format one column once per distinct value; return per-row texts and problems."""
    column = frame[placeholder.column]
    if isinstance(column, pd.DataFrame):
        raise TemplateError(
            f"column {placeholder.name!r} appears more than once in the frame; rename one",
            column=placeholder.name,
        )
    # Grouped on an exact key: each row is rendered from its own value, never from an equal one
    # of another type or spelling (True and 1, Decimal("2.50") and 2.5, two time zones).
    codes, uniques = group(column)
    texts: list[str] = []
    problems: list[str] = []
    empty = f"column {placeholder.name!r} is empty"
    for value in uniques:
        try:
            formatted = format_value(value, placeholder.spec)
        except (ValueError, TypeError) as err:
            texts.append("")
            problems.append(_format_problem(placeholder, value, err))
            continue
        texts.append("" if formatted is None else formatted)
        problems.append(empty if formatted is None else _surrogate_problem(placeholder, formatted))
    # Code -1 (UNHASHABLE) picks the extra last entry; its rows get their own reason below.
    texts.append("")
    problems.append("")
    rendered = np.array(texts, dtype=object)[codes]
    problem = np.array(problems, dtype=object)[codes]
    for position in np.flatnonzero(codes == UNHASHABLE):
        problem[position] = _not_a_value(placeholder.name, column.iloc[position])
    return rendered, problem


def _surrogate_problem(placeholder: Placeholder, text: str) -> str:
    """A lone surrogate (a file decoded wrongly) cannot be encoded, so it cannot be sent."""
    found = _SURROGATE.search(text)
    if found is None:
        return ""
    return (
        f"column {placeholder.name!r} contains U+{ord(found.group()):04X}, half of a character "
        "(a lone surrogate) that cannot be sent; the file was probably decoded wrongly"
    )


def _not_a_value(name: str, value: object) -> str:
    """Why a cell holding a list, a dict or a signalling NaN cannot go into a message."""
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return (
        f"column {name!r} holds {shown} ({type(value).__name__}), not a single value that can "
        "go into a message"
    )


def _format_problem(placeholder: Placeholder, value: object, err: Exception) -> str:
    """Why a value does not fit its format spec, and what to do about it."""
    shown = f"{{{placeholder.name}:{placeholder.spec}}}"
    if isinstance(value, str) and "%" in placeholder.spec:
        # Dates typed as text (03-12-2026) are never guessed at: day and month are ambiguous.
        return (
            f"column {placeholder.name!r}: {value!r} is text, not a date, so {shown} cannot "
            f"format it; use {{{placeholder.name}}} to send it as written, or write dates as "
            "2026-12-03 (or as Excel dates) in the file"
        )
    return f"column {placeholder.name!r}: cannot format {value!r} with {shown} ({err})"


def format_value(value: object, spec: str = "") -> str | None:
    """Render one cell the way a person expects, or ``None`` when it is missing or blank.

    Whole floats lose their ``.0`` (pandas reads a house number column with gaps as float),
    dates honour a strftime spec, datetimes at midnight render as a date, and NaN, NaT, None
    and blank strings are missing.

    Examples
    --------
    >>> format_value(12.0), format_value(float("nan")), format_value("  ")
    ('12', None, None)
    >>> format_value(pd.Timestamp("2026-05-04"), "%d-%m")
    '04-05'
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        return format(value, spec) if spec else value
    if isinstance(value, bool | np.bool_):
        return format(bool(value), spec) if spec else str(bool(value))
    if isinstance(value, numbers.Integral):
        return format(int(value), spec)
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
        if not number.is_integer():
            return format(number, spec)
        # A whole number in a float column (a house number column with gaps) is an integer to
        # a person, whatever its spec ({nr:05}, {nr:>4}), unless the spec asks for a float.
        if spec and spec[-1] in "eEfFgGn%":
            return format(number, spec)
        return format(int(number), spec)
    if isinstance(value, dt.datetime):
        if spec:
            return _strftime(value, spec)
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return _strftime(value, spec) if spec else value.isoformat()
    text = format(value, spec)
    return text if text.strip() else None


#: Day and month names by language, so that ``{datum:%A %d %B}`` does not depend on the locale
#: of the machine that renders it. Monday first, as ``date.weekday()`` counts.
_NAMES = {
    "nl": (
        "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
        "januari februari maart april mei juni juli augustus september oktober november december",
    ),
    "en": (
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
        "January February March April May June July August September October November December",
    ),
    "de": (
        "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
        "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    ),
    "fr": (
        "lundi mardi mercredi jeudi vendredi samedi dimanche",
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    ),
}
_ABBREVIATED = {
    "nl": ("ma di wo do vr za zo", "jan feb mrt apr mei jun jul aug sep okt nov dec"),
    "en": ("Mon Tue Wed Thu Fri Sat Sun", "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
    "de": ("Mo Di Mi Do Fr Sa So", "Jan. Feb. März Apr. Mai Juni Juli Aug. Sep. Okt. Nov. Dez."),
    "fr": (
        "lun. mar. mer. jeu. ven. sam. dim.",
        "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
    ),
}
_LANGUAGES = {
    "NL": "nl", "BE": "nl", "SR": "nl", "AW": "nl", "CW": "nl", "SX": "nl", "BQ": "nl",
    "DE": "de", "AT": "de", "CH": "de", "LI": "de",
    "FR": "fr", "LU": "fr", "MC": "fr",
}  # fmt: skip
_DIRECTIVE = re.compile(r"%[-_0^#]?[A-Za-z%]")
#: The region whose language names days and months: campaign.prepare sets its ``region`` here
#: while it renders; outside it (None) strftime names them as the machine's locale does.
date_region: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "date_region", default=None
)


def date_language(region: str) -> str:
    """The language of day and month names for a region: ``nl``, ``de``, ``fr``, else ``en``.

    >>> date_language("BE"), date_language("US")
    ('nl', 'en')
    """
    return _LANGUAGES.get(region.upper(), "en")


def _strftime(value: dt.date, spec: str) -> str:
    """strftime with day and month names in the language of :data:`date_region`."""
    region = date_region.get()
    if region is None:
        return value.strftime(spec)
    language = date_language(region)
    days, months = (names.split(" ") for names in _NAMES[language])
    short_days, short_months = (names.split(" ") for names in _ABBREVIATED[language])
    names = {
        "%A": days[value.weekday()],
        "%a": short_days[value.weekday()],
        "%B": months[value.month - 1],
        "%b": short_months[value.month - 1],
    }
    return _DIRECTIVE.sub(
        lambda found: names.get(found.group()) or value.strftime(found.group()), spec
    )
