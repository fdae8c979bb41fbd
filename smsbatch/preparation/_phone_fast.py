"""The fast path of phone number normalisation, and the reasons both paths give.

phonenumbers parses and validates one number at a time (~30 µs); a recipient list holds
hundreds of thousands. For each region this builds, from phonenumbers' own metadata (possible
lengths, national number patterns, the order in which it decides a number's type), a
classifier that decides the common spellings itself and answers "don't know" (None) for
anything else, which then takes the reference path in ``phones``. tests/test_phones.py shows
the two paths equal with hypothesis.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

_FOREIGN_HINT = "write foreign numbers with + and the country code"
_SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_TYPE_REASONS = {
    PhoneNumberType.FIXED_LINE: "landline number, cannot receive SMS",
    PhoneNumberType.TOLL_FREE: "toll-free number, cannot receive SMS",
    PhoneNumberType.PREMIUM_RATE: "premium-rate number, cannot receive SMS",
    PhoneNumberType.SHARED_COST: "shared-cost number, cannot receive SMS",
    PhoneNumberType.VOIP: "internet (VoIP) number, usually cannot receive SMS",
    PhoneNumberType.PERSONAL_NUMBER: "personal forwarding number, cannot receive SMS",
    PhoneNumberType.PAGER: "pager number, cannot receive SMS",
    PhoneNumberType.UAN: "company service number (UAN), cannot receive SMS",
    PhoneNumberType.VOICEMAIL: "voicemail access number, cannot receive SMS",
}
_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "too few digits for a number in {country}",
    ValidationResult.TOO_LONG: "too many digits for a number in {country}",
    ValidationResult.INVALID_LENGTH: "wrong number of digits for a number in {country}",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


@dataclass(frozen=True, slots=True)
class _Desc:
    """A phonenumbers number description, compiled: its pattern and the lengths it allows."""

    pattern: re.Pattern[str] | None
    lengths: frozenset[int]

    @classmethod
    def of(cls, desc: phonenumbers.PhoneNumberDesc | None) -> _Desc:
        if desc is None or not desc.national_number_pattern:
            return cls(None, frozenset())
        lengths = frozenset(n for n in (desc.possible_length or ()) if n > 0)
        return cls(re.compile(desc.national_number_pattern, re.ASCII), lengths)

    def allows(self, size: int) -> bool:
        """Whether a national number of ``size`` digits may have this type at all."""
        return not self.lengths or size in self.lengths


# The order in which phonenumbers decides a number's type, before fixed line and mobile.
_EARLIER_TYPES = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)

Classifier = Callable[[str], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the fast paths need of a region's metadata, compiled once."""

    cc: str
    general: _Desc
    mobile: _Desc
    fixed: _Desc
    earlier: list[tuple[_Desc, int]]
    same_patterns: bool
    #: national number length -> the length reason (None: a possible length)
    by_length: dict[int, str | None]
    #: lengths at which phonenumbers keeps a trunk 0
    keeps_trunk: frozenset[int]
    #: number type -> the reason it cannot receive SMS ("not a valid number" for UNKNOWN)
    type_reasons: dict[int, str]

    def typed_patterns(self, size: int) -> list[tuple[tuple[str, ...], int]]:
        """The types a national number of ``size`` digits may have, in phonenumbers' order,
        each with the patterns it must match in whole (fixed line or mobile: both)."""
        ordered = [*self.earlier]
        if self.same_patterns:
            ordered.append((self.fixed, PhoneNumberType.FIXED_LINE_OR_MOBILE))
        else:
            ordered += [
                (self.fixed, PhoneNumberType.FIXED_LINE_OR_MOBILE),  # and mobile (below)
                (self.fixed, PhoneNumberType.FIXED_LINE),
                (self.mobile, PhoneNumberType.MOBILE),
            ]
        typed: list[tuple[tuple[str, ...], int]] = []
        for desc, kind in ordered:
            if desc.pattern is None or not desc.allows(size):
                continue
            patterns: tuple[str, ...] = (desc.pattern.pattern,)
            if kind == PhoneNumberType.FIXED_LINE_OR_MOBILE and not self.same_patterns:
                if self.mobile.pattern is None or not self.mobile.allows(size):
                    continue
                patterns += (self.mobile.pattern.pattern,)
            typed.append((patterns, kind))
        return typed


@functools.lru_cache(maxsize=32)
def _plan(region: str) -> _Plan | None:
    """The region's plan, or None where its numbering plan is not simple (see _fast_path)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    if meta is None or meta.country_code is None:
        return None
    simple = (
        phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(meta.country_code) == (region.upper(),)
        and meta.national_prefix == "0"
        and meta.national_prefix_for_parsing in (None, "0")
        and meta.national_prefix_transform_rule is None
        and meta.international_prefix == "00"
        and not meta.leading_digits
    )
    general, mobile, fixed = (
        _Desc.of(meta.general_desc),
        _Desc.of(meta.mobile),
        _Desc.of(meta.fixed_line),
    )
    if not simple or general.pattern is None or mobile.pattern is None:
        return None
    cc = str(meta.country_code)
    country = f"{phonenumbers.region_code_for_country_code(meta.country_code)} (+{cc})"
    by_length, keeps_trunk = _length_reasons(meta.general_desc, country)
    return _Plan(
        cc=cc,
        general=general,
        mobile=mobile,
        fixed=fixed,
        earlier=[(_Desc.of(getattr(meta, name)), kind) for name, kind in _EARLIER_TYPES],
        same_patterns=bool(meta.same_mobile_and_fixed_line_pattern),
        by_length=by_length,
        keeps_trunk=keeps_trunk,
        type_reasons={
            **_TYPE_REASONS,
            PhoneNumberType.UNKNOWN: f"not a valid number in {country}",
        },
    )


@functools.lru_cache(maxsize=32)
def _fast_path(region: str) -> Classifier | None:
    """Build the region's fast classifier, or None where its numbering plan is not simple.

    Simple means: the country code belongs to this region alone, the trunk prefix is a plain
    ``0`` and the international prefix is ``00``. The classifier answers ``(digits, reason)``
    like the slow path, or None to leave the text to it:

    - a number written with ``0``, ``+CC``, ``00CC`` or ``+CC(0)`` is split into prefix and
      national number, and decided as phonenumbers decides it: the length against the
      region's possible lengths (too few or too many digits), then the type (mobile, landline,
      pager... or none: "not a valid number") from one regular expression per length that
      tries the metadata's patterns in phonenumbers' own order. A reading phonenumbers would
      make differently (a trunk ``0`` it keeps, a second ``0``) is left to the slow path;
    - bare digits (``6...``, ``316...``) are only accepted when they are a mobile number, by a
      regular expression that also checks that no type phonenumbers tries before mobile
      (pager, VoIP...) matches at any length, which only ever sends more numbers to the slow
      path.
    """
    plan = _plan(region)
    if plan is None:
        return None
    cc, general, mobile, earlier = plan.cc, plan.general, plan.mobile, plan.earlier
    by_length, keeps_trunk, type_reasons = plan.by_length, plan.keeps_trunk, plan.type_reasons
    number_type = _type_finder(plan)
    assert general.pattern is not None and mobile.pattern is not None  # a plan has both

    patterns = [d.pattern.pattern for d, _ in earlier if d.pattern is not None]
    not_earlier = f"(?!(?:{'|'.join(patterns)})\\Z)" if patterns else ""
    in_general = f"(?=(?:{general.pattern.pattern})\\Z)"
    prefixed_shape = re.compile(
        rf"(?:(?P<intl>\+{cc}|00{cc})(?P<paren>\(0\))?|(?P<trunk>0(?!0)))(?P<nsn>[0-9]+)",
        re.ASCII,
    )
    bare_mobile_shape = re.compile(
        rf"(?P<cc>{cc})?{in_general}{not_earlier}(?P<nsn>{mobile.pattern.pattern})", re.ASCII
    )
    lengths = mobile.lengths & general.lengths if general.lengths else mobile.lengths
    whole_general = general.pattern

    def classify(text: str) -> tuple[str, str] | None:
        # Chained replace is twice as fast as translate on these short strings.
        cleaned = (
            text.replace(" ", "")
            .replace(".", "")
            .replace("-", "")
            .replace("/", "")
            .replace("\u00a0", "")
            .replace("\u202f", "")
            .replace("\t", "")
        )
        match = prefixed_shape.fullmatch(cleaned)
        if match is None:
            match = bare_mobile_shape.fullmatch(cleaned)
            # Bare "316...": phonenumbers only drops the country code if the digits as they
            # are do not already look like a national number.
            if (
                match is not None
                and (not lengths or len(match["nsn"]) in lengths)
                and (match["cc"] is None or whole_general.fullmatch(cleaned) is None)
            ):
                return cc + match["nsn"], ""
            return None
        intl, paren, trunk, nsn = match.groups()
        size = len(nsn)
        # phonenumbers keeps a trunk 0 ("0..." or "+CC(0)...") when the digits with it already
        # look like a national number or without it have too few digits, and strips a second 0
        # after the country code: each reads another number. Lengths of under 2 or over 17
        # digits parse refuses outright.
        if nsn[0] == "0" or size not in by_length:
            return None
        if (trunk is not None or paren is not None) and (
            size in keeps_trunk or whole_general.fullmatch("0" + nsn) is not None
        ):
            return None
        reason = by_length[size]
        if reason is None:
            kind = number_type(nsn)
            if kind in _SMS_TYPES:
                return cc + nsn, ""
            reason = type_reasons.get(kind)
            if reason is None:
                return None
            if kind != PhoneNumberType.UNKNOWN:
                return "", reason
        return ("", reason) if intl is not None else ("", f"{reason}; {_FOREIGN_HINT}")

    return classify


def _length_reasons(
    general: phonenumbers.PhoneNumberDesc | None, country: str
) -> tuple[dict[int, str | None], frozenset[int]]:
    """Map national number lengths to _parse_valid's length reason (None: a possible length).

    phonenumbers' ``_test_number_length`` for an unknown type, as a table of the lengths
    ``phonenumbers.parse`` lets through (2 to 17 digits). Also returns the lengths for which
    ``parse`` keeps a trunk ``0`` (too short, local only, or an impossible length in between).
    """
    possible = sorted(general.possible_length or ()) if general is not None else []
    local = set(general.possible_length_local_only or ()) if general is not None else set()
    if not possible or possible[0] == -1:
        return {}, frozenset()
    table: dict[int, str | None] = {}
    keeps_trunk = set()
    for size in range(2, 18):
        if size in local:
            table[size] = None
            keeps_trunk.add(size)
        elif size == possible[0] or size in possible[1:]:
            table[size] = None
        elif size > possible[-1]:
            table[size] = _LENGTH_REASONS[ValidationResult.TOO_LONG].format(country=country)
        else:
            short = size < possible[0]
            result = ValidationResult.TOO_SHORT if short else ValidationResult.INVALID_LENGTH
            table[size] = _LENGTH_REASONS[result].format(country=country)
            keeps_trunk.add(size)
    return table, frozenset(keeps_trunk)


def _type_finder(plan: _Plan) -> Callable[[str], int]:
    """Return phonenumbers' ``_number_type_helper`` for the region, on precompiled patterns.

    For each length a national number may have, one regular expression holds the general
    pattern as a guard and then every type's pattern that allows that length, in the order
    phonenumbers tries them: the first alternative that matches the whole number names its type.
    """
    general = plan.general.pattern
    finders: dict[int, tuple[Callable[[str], re.Match[str] | None], dict[str | None, int]]]
    finders = {}
    for size in plan.general.lengths or frozenset(range(1, 18)):
        alternatives: list[str] = []
        kinds: list[int] = []
        for patterns, kind in plan.typed_patterns(size):
            *guards, last = patterns
            pattern = "".join(f"(?=(?:{guard})\\Z)" for guard in guards) + f"(?:{last})\\Z"
            alternatives.append(f"(?P<t{len(kinds)}>{pattern})")
            kinds.append(kind)
        if alternatives and general is not None:
            finder = f"(?=(?:{general.pattern})\\Z)(?:{'|'.join(alternatives)})"
            names: dict[str | None, int] = {f"t{i}": kind for i, kind in enumerate(kinds)}
            compiled = re.compile(finder, re.ASCII)
            finders[size] = (compiled.match, names)

    unknown = PhoneNumberType.UNKNOWN

    def number_type(nsn: str) -> int:
        found = finders.get(len(nsn))
        if found is None:
            return unknown
        match = found[0](nsn)
        return unknown if match is None else found[1].get(match.lastgroup, unknown)

    return number_type
