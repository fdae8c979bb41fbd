"""Other DataFrames in, the same kind out: polars, pyarrow-backed pandas and pyarrow Tables give
exactly what pandas gives for the same data, in their own kind of frame."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

from smsbatch._frames import to_pandas  # noqa: E402
from smsbatch.exceptions import CampaignStopped, PreparationError  # noqa: E402
from smsbatch.gateway.client import Client  # noqa: E402
from smsbatch.gateway.simulator import Simulator  # noqa: E402
from smsbatch.preparation.campaign import prepare, preview  # noqa: E402
from smsbatch.preparation.summary import summarize  # noqa: E402
from smsbatch.sending.run import send  # noqa: E402

# Valid, messy, landline, too short, missing, and a duplicate of the first.
DATA = {
    "telefoon": ["0612345678", "06-1234 5679", "020 123 4567", "0612", None, "0612345678"],
    "naam": ["Jan", "Els", "Piet", "Kees", "Anna", "Jan"],
    "huisnummer": [12, 7, 3, None, 5, 12],
}
OWN = ["sms_to", "sms_text", "sms_encoding", "sms_segments", "sms_status", "sms_error"]
CAMPAIGN = {"to": "telefoon", "text": "Hoi {naam}, nr {huisnummer}", "sender": "Tandarts"}


@pytest.fixture
def client() -> Iterator[tuple[Simulator, Client]]:
    with Simulator() as sim, Client(sim.login, sim.password, sim.url) as connected:
        yield sim, connected


def test_plain_pandas_is_worked_on_as_it_is_and_given_back_unchanged():
    df = pd.DataFrame(DATA)
    frame, restore = to_pandas(df)
    assert frame is df
    result = preview(df, **CAMPAIGN)
    assert restore(result) is result


def test_a_polars_preview_is_the_pandas_preview_as_a_polars_frame():
    result = preview(pl.DataFrame(DATA), **CAMPAIGN)

    assert isinstance(result, pl.DataFrame)
    pd.testing.assert_frame_equal(result.to_pandas(), preview(pd.DataFrame(DATA), **CAMPAIGN))
    # No index: rows are named by their number from 0, as a default pandas index would be.
    assert result["sms_error"][5] == "same number and message as row 0"


def test_the_callers_polars_columns_come_back_as_they_were():
    df = pl.DataFrame(DATA).with_columns(
        pl.Series("datum", [dt.date(2026, 5, 4)] * 6),
        pl.Series("groep", ["a", "b", "a", "b", "a", "b"], dtype=pl.Categorical),
    )
    result = preview(df, **CAMPAIGN)

    assert result.columns == [*df.columns, *OWN]
    assert result.select(df.columns).equals(df)  # dtypes too: a date stays a date
    assert result.schema["sms_segments"] == pl.Int64


def test_previewing_a_polars_preview_again_replaces_its_sms_columns():
    first = preview(pl.DataFrame(DATA), **CAMPAIGN)
    again = preview(first, **{**CAMPAIGN, "text": "Dag {naam}"})
    assert again.columns == first.columns
    assert again["sms_text"][0] == "Dag Jan"


@pytest.mark.parametrize(
    "dtype", [pl.Date, pl.Datetime("us"), pl.Datetime("ms", "Europe/Amsterdam")], ids=str
)
def test_polars_dates_render_as_pandas_dates_do(dtype):
    days = [dt.date(2026, 5, 4), dt.date(2026, 12, 31), None]
    df = pl.DataFrame({"telefoon": ["0612345678", "0612345679", "0612345670"]}).with_columns(
        pl.Series("datum", days).cast(dtype)
    )
    result = preview(df, to="telefoon", text="Tot {datum:%d-%m}!")

    assert result["sms_text"].to_list() == ["Tot 04-05!", "Tot 31-12!", ""]
    assert result["sms_error"][2] == "column 'datum' is empty"
    assert result.schema["datum"] == df.schema["datum"]
    pandas_dates = pd.DataFrame({"telefoon": df["telefoon"].to_list(), "datum": days})
    expected = preview(pandas_dates, to="telefoon", text="Tot {datum:%d-%m}!")
    assert result["sms_text"].to_list() == expected["sms_text"].tolist()


def test_sending_a_polars_frame_gives_the_pandas_result_as_a_polars_frame(client):
    sim, connected = client
    # The same campaign twice, on purpose: no history to stop the second.
    options = {**CAMPAIGN, "rate": None, "progress": False, "history": False}
    expected = send(pd.DataFrame(DATA), connected, **options)
    result = send(pl.DataFrame(DATA), connected, **options)

    assert isinstance(result, pl.DataFrame)
    assert len(sim.messages) == 2 * 2  # two ready rows, each sent once per run
    assert result.schema["sms_sent_at"] == pl.Datetime(expected["sms_sent_at"].dt.unit, "UTC")
    assert result["sms_sent_at"].is_null().to_list() == expected["sms_sent_at"].isna().tolist()
    pd.testing.assert_frame_equal(
        result.drop("sms_sent_at").to_pandas(),
        expected.drop(columns="sms_sent_at"),
        check_dtype=False,  # polars has no nullable Int64: a missing code is a null in i64
    )
    assert result["sms_response_code"].to_list() == [200, 200, None, None, None, None]


def test_a_stopped_polars_campaign_holds_a_polars_result(client):
    sim, connected = client
    sim.funds = 1
    with pytest.raises(CampaignStopped) as stopped:
        send(pl.DataFrame(DATA), connected, **CAMPAIGN, rate=None, progress=False)
    assert isinstance(stopped.value.result, pl.DataFrame)
    assert stopped.value.result["sms_status"].to_list()[:2] == ["sent", "failed"]


def test_a_polars_dry_run_is_a_polars_preview_and_prepare_keeps_pandas(client):
    _, connected = client
    dry = send(pl.DataFrame(DATA), connected, **CAMPAIGN, dry_run=True, progress=False)
    assert isinstance(dry, pl.DataFrame)
    # A Prepared is internal state: its frame, and what sending it returns, are pandas.
    prepared = prepare(pl.DataFrame(DATA), **CAMPAIGN)
    assert isinstance(prepared.frame, pd.DataFrame)
    pd.testing.assert_frame_equal(prepared.frame, dry.to_pandas())


def test_summarize_reads_a_polars_frame():
    frame = preview(pl.DataFrame(DATA), **CAMPAIGN, price_per_segment=0.07)
    summary = summarize(frame, price_per_segment=0.07)  # polars has no attrs to carry it
    assert summary.counts == {"ready": 2, "invalid": 3, "duplicate": 1, "excluded": 0}
    assert summary.cost == 0.14


def pyarrow_backed() -> pd.DataFrame:
    return pd.read_csv(
        io.StringIO("telefoon,naam,huisnummer\n0612345678,Jan,12\n0612,Kees,\n0612345679,Els,3\n"),
        dtype={"telefoon": "string"},
        dtype_backend="pyarrow",
    )


def test_a_pyarrow_backed_preview_is_pyarrow_backed_throughout():
    df = pyarrow_backed()
    result = preview(df, **CAMPAIGN, price_per_segment=0.07)

    assert result[df.columns].dtypes.equals(df.dtypes)
    assert all(isinstance(result[c].dtype, pd.ArrowDtype) for c in OWN)
    plain = preview(df.astype({"telefoon": str, "naam": str, "huisnummer": float}), **CAMPAIGN)
    for column in OWN:
        assert result[column].tolist() == plain[column].tolist(), column
    assert summarize(result).cost == 0.14  # pandas attrs survive the conversion


def test_a_pyarrow_backed_send_result_is_pyarrow_backed(client):
    _, connected = client
    result = send(pyarrow_backed(), connected, **CAMPAIGN, rate=None, progress=False)
    assert str(result["sms_response_code"].dtype) == "int64[pyarrow]"
    assert isinstance(result["sms_sent_at"].dtype, pd.ArrowDtype)
    assert result["sms_status"].tolist() == ["sent", "invalid", "sent"]


def test_a_pyarrow_table_gives_a_table_with_its_own_schema_first():
    table = pa.table({"telefoon": ["0612345678"], "datum": [dt.date(2026, 5, 4)]})
    result = preview(table, to="telefoon", text="Tot {datum:%d-%m}")
    assert isinstance(result, pa.Table)
    assert result.select(["telefoon", "datum"]).equals(table)
    assert result["sms_text"].to_pylist() == ["Tot 04-05"]


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"telefoon": ["0612345678"]}, "not dict"),
        (pl.Series("telefoon", ["0612345678"]), "not polars.Series"),
        (pl.LazyFrame({"telefoon": ["0612345678"]}), "call .collect()"),
    ],
    ids=["dict", "polars-series", "polars-lazyframe"],
)
def test_what_cannot_be_converted_is_named(given, named):
    with pytest.raises(PreparationError, match=re.escape(named)):
        preview(given, to="telefoon", text="Hoi")


phones = st.sampled_from(
    ["0612345678", "+31 6 12345679", "0031612345670", "020 123 4567", "12", "", None]
)
names = st.one_of(st.none(), st.text(st.characters(codec="utf-8"), max_size=4))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(phones, names), max_size=8))
def test_any_polars_frame_previews_as_its_pandas_twin(rows):
    data = {"telefoon": [p for p, _ in rows], "naam": [n for _, n in rows]}
    polars = pl.DataFrame(data, schema={"telefoon": pl.String, "naam": pl.String})
    result = preview(polars, to="telefoon", text="Hoi {naam}")
    expected = preview(polars.to_pandas(), to="telefoon", text="Hoi {naam}")
    pd.testing.assert_frame_equal(result.to_pandas(), expected)
