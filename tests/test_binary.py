"""Binary messages: every hex mistake is caught before sending, and the UDH builders are exact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsbatch.exceptions import MessageSpecError, PreparationError
from smsbatch.preparation.binary import (
    MAX_OCTETS,
    NOKIA_RINGTONE_PORT,
    binary_problem,
    concat_udh,
    normalise_hex,
    port_udh,
)

# The provider's example, wrapped over two lines as in its document.
DOC_UDH = "06050415811581"
DOC_DATA = "024A3A51D195CDD004001B205505906\n10560558550548540820849900000"


def test_the_documented_example_is_valid_and_is_the_nokia_ringtone_port():
    assert binary_problem(DOC_UDH, DOC_DATA) is None
    assert port_udh(NOKIA_RINGTONE_PORT) == DOC_UDH
    assert port_udh(5505, 5505) == DOC_UDH


@pytest.mark.parametrize(
    ("udh", "data", "expected"),
    [
        pytest.param(None, "024A", None, id="no-udh"),
        pytest.param("", "024a", None, id="blank-udh-is-no-udh"),
        pytest.param("06 05 04 15 81 15 81", "02 4a 3a", None, id="spaces-and-lower-case"),
        pytest.param("0500032A0301", "00" * 134, None, id="exactly-140-octets"),
        pytest.param(None, "00" * 140, None, id="140-octets-of-data"),
        pytest.param("00", "AB", None, id="udh-without-elements"),
        pytest.param(
            None,
            "024G",
            "data contains 'G' at position 4, which is not a hexadecimal digit (0-9, A-F)",
            id="data-not-hex",
        ),
        pytest.param(
            "0605041581158X",
            "00",
            "udh contains 'X' at position 14, which is not a hexadecimal digit (0-9, A-F)",
            id="udh-not-hex",
        ),
        pytest.param(
            None,
            "0x024A",
            "data contains 'x' at position 2, which is not a hexadecimal digit (0-9, A-F)",
            id="0x-prefix-refused",
        ),
        pytest.param(
            None,
            "024A3",
            "data has an odd number of hex digits (5): every octet takes two",
            id="data-odd",
        ),
        pytest.param(
            "0605041581158",
            "00",
            "udh has an odd number of hex digits (13): every octet takes two",
            id="udh-odd",
        ),
        pytest.param(
            DOC_UDH,
            "",
            "data is empty: a binary message needs at least one octet of data",
            id="data-empty",
        ),
        pytest.param(
            None,
            "  \n",
            "data is empty: a binary message needs at least one octet of data",
            id="data-blank",
        ),
        pytest.param(
            "07050415811581",
            "00",
            "udh starts with length byte 07 (7 octets) but 6 octets follow it",
            id="udhl-too-big",
        ),
        pytest.param(
            "050504158115",
            "00",
            "udh information element 05 at octet 2 claims 4 octets but only 3 follow",
            id="element-overruns-udh",
        ),
        pytest.param(
            "0705041581158100",
            "00",
            "udh information element 00 at octet 8 has no length byte",
            id="element-without-length",
        ),
        pytest.param(
            "0500032A0301",
            "00" * 135,
            "udh and data are 141 octets together (6 + 135); one binary SMS holds at most 140",
            id="141-octets",
        ),
    ],
)
def test_binary_problem(udh, data, expected):
    assert binary_problem(udh, data) == expected


def test_normalise_hex_gives_the_canonical_form_sent():
    assert normalise_hex(" 06 05 04\t15 81\n15 81 ") == DOC_UDH
    assert normalise_hex("024a3a") == "024A3A"
    assert normalise_hex(DOC_DATA) == DOC_DATA.replace("\n", "")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param((5505,), "06050415811581", id="ringtone-same-ports"),
        pytest.param((5506, 0), "06050415820000", id="operator-logo-source-0"),
        pytest.param((0, 65535), "0605040000FFFF", id="port-extremes"),
        pytest.param((2948, 9200), "0605040B8423F0", id="wap-push"),
    ],
)
def test_port_udh(args, expected):
    assert port_udh(*args) == expected
    assert binary_problem(expected, "00") is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param((0x2A, 3, 1), "0500032A0301", id="8-bit-reference"),
        pytest.param((255, 255, 255), "050003FFFFFF", id="largest-8-bit"),
        pytest.param((256, 2, 2), "06080401000202", id="16-bit-from-256"),
        pytest.param((0xFFFF, 1, 1), "060804FFFF0101", id="largest-16-bit"),
    ],
)
def test_concat_udh(args, expected):
    assert concat_udh(*args) == expected
    assert binary_problem(expected, "00") is None


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: port_udh(65536),
            "destination_port must be between 0 and 65535, not 65536",
            id="port-high",
        ),
        pytest.param(
            lambda: port_udh(-1),
            "destination_port must be between 0 and 65535, not -1",
            id="port-low",
        ),
        pytest.param(
            lambda: port_udh(5505, 70000),
            "source_port must be between 0 and 65535, not 70000",
            id="source-high",
        ),
        pytest.param(
            lambda: port_udh("5505"),
            "destination_port must be a whole number, not str",
            id="port-str",
        ),
        pytest.param(
            lambda: port_udh(True),
            "destination_port must be a whole number, not bool",
            id="port-bool",
        ),
        pytest.param(
            lambda: concat_udh(1, 0, 1), "total must be between 1 and 255, not 0", id="total-zero"
        ),
        pytest.param(
            lambda: concat_udh(1, 256, 1),
            "total must be between 1 and 255, not 256",
            id="total-high",
        ),
        pytest.param(
            lambda: concat_udh(1, 3, 4),
            "sequence must be between 1 and 3, not 4",
            id="sequence-past-total",
        ),
        pytest.param(
            lambda: concat_udh(1, 3, 0),
            "sequence must be between 1 and 3, not 0",
            id="sequence-zero",
        ),
        pytest.param(
            lambda: concat_udh(65536, 2, 1),
            "reference must be between 0 and 65535, not 65536",
            id="reference-high",
        ),
        pytest.param(
            lambda: concat_udh(1.0, 2, 1),
            "reference must be a whole number, not float",
            id="reference-float",
        ),
    ],
)
def test_builders_refuse_impossible_arguments(build, message):
    with pytest.raises(MessageSpecError) as caught:
        build()
    assert str(caught.value) == message
    assert isinstance(caught.value, PreparationError)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 0xFFFF),
    st.integers(0, 0xFFFF),
    st.binary(min_size=1, max_size=MAX_OCTETS - 7),
)
def test_port_udh_round_trips(destination, source, payload):
    udh = port_udh(destination, source)
    octets = bytes.fromhex(udh)
    assert octets[:3] == b"\x06\x05\x04"
    assert int.from_bytes(octets[3:5], "big") == destination
    assert int.from_bytes(octets[5:7], "big") == source
    assert binary_problem(udh.lower(), payload.hex()) is None
    assert binary_problem(udh, payload.hex() + "00") == (
        None
        if len(payload) + 8 <= MAX_OCTETS
        else f"udh and data are {len(payload) + 8} octets together (7 + {len(payload) + 1}); "
        f"one binary SMS holds at most {MAX_OCTETS}"
    )


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 255).flatmap(
        lambda total: st.tuples(st.integers(0, 0xFFFF), st.just(total), st.integers(1, total))
    )
)
def test_concat_udh_round_trips(args):
    reference, total, sequence = args
    octets = bytes.fromhex(concat_udh(reference, total, sequence))
    assert octets[0] == len(octets) - 1
    wide = reference > 0xFF
    assert octets[1] == (0x08 if wide else 0x00)
    assert int.from_bytes(octets[3:-2], "big") == reference
    assert len(octets) == (7 if wide else 6)
    assert (octets[-2], octets[-1]) == (total, sequence)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=MAX_OCTETS + 5), st.booleans())
def test_any_data_within_the_limit_is_accepted_in_any_case(payload, lower):
    text = payload.hex() if lower else payload.hex().upper()
    problem = binary_problem(None, text)
    if not payload:
        assert problem.startswith("data is empty")
    elif len(payload) > MAX_OCTETS:
        assert problem.startswith(f"udh and data are {len(payload)} octets")
    else:
        assert problem is None
        assert bytes.fromhex(normalise_hex(text)) == payload


# --- the information elements, as 3GPP TS 23.040 defines them ------------------------------


@pytest.mark.parametrize(
    ("udh", "fragment"),
    [
        ("050003000300", "part 0 of 3"),
        ("0500032A0304", "part 4 of 3"),
        ("0500032A0000", "0 parts"),
        ("06080412340300", "part 0 of 3"),
        ("0400022A03", "00 at octet 2 has 2 octets; it must have 3"),
        ("05050315811F", "05 at octet 2 has 3 octets; it must have 4"),
        ("0A0003010201" "0003010202", "00, 00; a header may hold only one"),
        ("0B0003010201" "080412340201", "00, 08; a header may hold only one"),
        ("0A050415811581" "0402F0F0", "05, 04; a header may hold only one"),
        ("0424020101", "24 at octet 2 has 2 octets; it must have 1"),
        ("031A0100", "1A at octet 2 has 1 octets; it must have 0"),
    ],
)
def test_information_elements_are_checked_by_the_standard(udh, fragment):
    problem = binary_problem(udh, "00")
    assert problem is not None and fragment in problem, problem


@pytest.mark.parametrize(
    "udh",
    ["0500032A0301", "0500032A0303", "06080412340202", "06050415811581", "0404021581",
     "06240101250101", "03700100", "021A00"],
)
def test_well_formed_headers_pass(udh):
    assert binary_problem(udh, "00") is None


@settings(max_examples=300)
@given(reference=st.integers(0, 0xFFFF), total=st.integers(0, 255), sequence=st.integers(0, 255))
def test_a_concatenation_header_passes_exactly_when_its_part_numbers_are_possible(
    reference, total, sequence
):
    header = (
        f"05000{3:01X}{reference:02X}{total:02X}{sequence:02X}" if reference <= 0xFF
        else f"060804{reference:04X}{total:02X}{sequence:02X}"
    )
    assert (binary_problem(header, "00") is None) == (1 <= sequence <= total)
