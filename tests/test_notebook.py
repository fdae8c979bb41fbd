"""The campaign panel, driven headlessly the way a person drives it: typing into its fields,
ticking its box and clicking its buttons, against the real simulator."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import pytest

from smsbatch import CampaignPanel, Client, Simulator, panel, read_recipients
from smsbatch.samples import sample_path

pytestmark = pytest.mark.usefixtures("folder")  # the panel keeps its journal there

PASSWORD = "Geheim&pw=1"
# Rows of the sample that get "Hoi {voornaam}!": 20 reachable, none opted out here.
READY = 20




@pytest.fixture
def gateway() -> Iterator[Simulator]:
    with Simulator(login="praktijk", password=PASSWORD) as sim:
        yield sim


@pytest.fixture
def client(gateway: Simulator) -> Iterator[Client]:
    with Client(gateway.login, gateway.password, gateway.url) as client:
        yield client



@pytest.fixture
def fields_panel(
    recipients: pd.DataFrame, gateway: Simulator, monkeypatch: pytest.MonkeyPatch
) -> CampaignPanel:
    """A panel without a client or credentials in the environment: it asks for them."""
    for name in ("SMSBATCH_LOGIN", "SMSBATCH_PASSWORD", "SMSBATCH_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return CampaignPanel(recipients, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk",
                         rate=None, base_url=gateway.url)


def _all_widgets(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all_widgets(child)


def test_the_preview_follows_every_edit(ready_panel: CampaignPanel) -> None:
    assert "Hoi Sanne!" in ready_panel.preview.value
    assert f"Send {READY} messages" in ready_panel.confirmation.value
    assert ready_panel.state == "previewed"

    ready_panel.template.value = "Dag {achternaam}"
    assert "Dag de Vries" in ready_panel.preview.value
    assert "Hoi Sanne!" not in ready_panel.preview.value


def test_the_insert_list_adds_a_placeholder(ready_panel: CampaignPanel) -> None:
    ready_panel.template.value = "Tot ziens in "
    ready_panel.insert.value = "plaats"
    assert ready_panel.template.value == "Tot ziens in {plaats}"
    assert "Tot ziens in Amsterdam" in ready_panel.preview.value


def test_an_unknown_placeholder_is_shown_in_the_panel_not_raised(
    ready_panel: CampaignPanel,
) -> None:
    ready_panel.template.value = "Hoi {voornam}"
    assert "voornam" in ready_panel.preview.value and "cf222e" in ready_panel.preview.value
    assert "Did you mean {voornaam}?" in ready_panel.preview.value
    assert ready_panel.confirm.disabled and ready_panel.send_button.disabled
    assert ready_panel.state == "editing" and ready_panel.confirmation.value == ""


def test_the_summary_shows_cost_and_unicode(ready_panel: CampaignPanel) -> None:
    ready_panel.price.value = 0.5
    ready_panel.template.value = "Hoi {voornaam} ☺"
    assert "estimated cost" in ready_panel.preview.value
    assert "Unicode" in ready_panel.preview.value


def test_send_needs_the_confirmation_box(ready_panel: CampaignPanel, gateway: Simulator) -> None:
    assert ready_panel.send_button.disabled
    ready_panel.send_button.click()
    assert gateway.requests == 0
    assert ready_panel.result is None
    assert "Tick" in ready_panel.status.value


def test_any_edit_unticks_the_confirmation(ready_panel: CampaignPanel) -> None:
    ready_panel.confirm.value = True
    assert not ready_panel.send_button.disabled
    ready_panel.sender.value = "Andere"
    assert not ready_panel.confirm.value and ready_panel.send_button.disabled


def test_confirmed_send_sends_once_and_shows_the_result(
    ready_panel: CampaignPanel, gateway: Simulator
) -> None:
    ready_panel.confirm.value = True
    ready_panel.send_button.click()
    ready_panel.send_button.click()  # an impatient second click sends nothing more

    assert len(gateway.messages) == READY
    assert ready_panel.result is not None
    assert (ready_panel.result["sms_status"] == "sent").sum() == READY
    shown = ready_panel.result_table.value
    assert "sent" in shown and "31612345601" in shown
    assert not ready_panel.confirm.value


def test_dry_run_sends_nothing_and_shows_every_row(
    ready_panel: CampaignPanel, gateway: Simulator
) -> None:
    ready_panel.dry_run_button.click()
    assert gateway.requests == 0
    assert ready_panel.result is not None
    assert (ready_panel.result["sms_status"] == "ready").sum() == READY
    assert "Dry run" in ready_panel.status.value


def test_a_stopped_campaign_keeps_its_partial_result(
    ready_panel: CampaignPanel, gateway: Simulator
) -> None:
    gateway.funds = 3
    ready_panel.confirm.value = True
    ready_panel.send_button.click()
    assert "Stopped" in ready_panel.status.value
    statuses = ready_panel.result["sms_status"].value_counts()  # type: ignore[index]
    assert statuses["sent"] == 3 and statuses["not_sent"] == READY - 4


def test_without_credentials_it_asks_for_a_password_in_a_password_field(
    fields_panel: CampaignPanel, gateway: Simulator
) -> None:
    p = fields_panel
    shown = list(_all_widgets(p.widget))
    assert p.password in shown and isinstance(p.password, widgets.Password)

    p.confirm.value = True
    p.send_button.click()  # no credentials typed yet
    assert gateway.requests == 0 and "password" in p.status.value

    p.login.value, p.password.value = gateway.login, PASSWORD
    p.confirm.value = True
    p.send_button.click()
    assert len(gateway.messages) == READY
    assert p.password.value == ""
    values = [getattr(w, "value", "") for w in _all_widgets(p.widget)]
    assert not any(PASSWORD in str(value) for value in values)
    assert PASSWORD not in repr(p)


def test_credentials_from_the_environment_need_no_fields(
    recipients: pd.DataFrame, gateway: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSBATCH_LOGIN", gateway.login)
    monkeypatch.setenv("SMSBATCH_PASSWORD", PASSWORD)
    monkeypatch.setenv("SMSBATCH_BASE_URL", gateway.url)
    p = CampaignPanel(recipients, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk",
                      rate=None)  # fmt: skip
    assert p.password not in list(_all_widgets(p.widget))
    p.confirm.value = True
    p.send_button.click()
    assert len(gateway.messages) == READY


def test_the_panel_displays_as_its_widget(ready_panel: CampaignPanel) -> None:
    bundle = ready_panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == (
        ready_panel.widget.model_id
    )


def test_with_a_journal_a_second_confirmed_send_texts_nobody_twice(
    recipients: pd.DataFrame, client: Client, gateway: Simulator, tmp_path
) -> None:
    p = panel(recipients, client, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk",
              rate=None, journal=tmp_path / "campagne.db")
    for _ in range(2):
        p.confirm.value = True
        p.send_button.click()
    assert len(gateway.messages) == READY
    assert (p.result["sms_status"] == "sent").sum() == READY  # type: ignore[index]


def test_send_again_after_a_stop_sends_only_the_rest(
    ready_panel: CampaignPanel, gateway: Simulator, folder: Path
) -> None:
    """Without a journal= the panel keeps one in the current folder, shown in the panel."""
    assert str(folder / "smsbatch-panel.journal.db") in ready_panel.journal.value
    gateway.funds = 3
    ready_panel.confirm.value = True
    ready_panel.send_button.click()
    status = ready_panel.status.value
    assert "Insufficient funds" in status and "stopped after 4 of 20 messages" in status
    assert "Check the login and password, or top up the credit" in status
    assert "To send the rest" in status and "Traceback" not in status
    assert ready_panel.state == "stopped" and not ready_panel.confirm.disabled

    gateway.funds = None
    ready_panel.confirm.value = True
    ready_panel.send_button.click()
    received = collections.Counter(m.to for m in gateway.messages)
    assert len(received) == READY and max(received.values()) == 1
    assert (ready_panel.result["sms_status"] == "sent").sum() == READY  # type: ignore[index]
    assert "3 were already sent with the journal" in ready_panel.status.value


def test_edits_to_the_frame_after_confirming_change_nothing(
    client: Client, gateway: Simulator
) -> None:
    df = pd.DataFrame({"phone": ["0650000001", "0650000002"], "naam": ["Anna", "Bob"]})
    p = panel(df, client, text="Hoi {naam}", sender="Test", rate=None)
    p.confirm.value = True  # "I have checked the preview; send 2 messages"
    df.loc[0, "naam"] = "Karel"  # edited in another cell
    df.loc[2] = ["0650000003", "Extra"]
    p.send_button.click()
    assert [(m.to, m.text) for m in gateway.messages] == [
        ("31650000001", "Hoi Anna"),
        ("31650000002", "Hoi Bob"),
    ]


def test_send_refuses_when_the_campaign_changed_since_the_confirmation(
    client: Client, gateway: Simulator, folder: Path
) -> None:
    optouts = folder / "afmeldingen.csv"
    optouts.write_text("telefoon\n0650000009\n", encoding="utf-8")
    df = pd.DataFrame({"phone": ["0650000001", "0650000002"], "naam": ["Anna", "Bob"]})
    p = panel(df, client, text="Hoi {naam}", sender="Test", rate=None, exclude=optouts)
    p.confirm.value = True  # confirmed: send to Anna and Bob
    optouts.write_text("telefoon\n0650000002\n", encoding="utf-8")  # Bob opts out meanwhile
    p.send_button.click()
    assert gateway.requests == 0
    assert "changed since its preview was confirmed" in p.status.value
    assert "Send 1 message " in p.confirmation.value and not p.confirm.value
    assert p.state == "previewed"

    p.confirm.value = True  # the new preview, confirmed
    p.send_button.click()
    assert [m.to for m in gateway.messages] == ["31650000001"]


def test_a_corrected_password_is_used_after_a_refused_one(
    fields_panel: CampaignPanel, gateway: Simulator
) -> None:
    """A 401 drops the client made from the fields: the password typed next is the one used."""
    p = fields_panel
    p.login.value, p.password.value = gateway.login, "typo"
    p.confirm.value = True
    p.send_button.click()
    assert not gateway.messages
    assert "401" in p.status.value and "type the password again" in p.status.value

    p.confirm.value = True
    p.send_button.click()  # the refused password is not tried a second time
    assert gateway.requests == 1 and "password" in p.status.value

    p.password.value = PASSWORD
    p.confirm.value = True
    p.send_button.click()
    assert len(gateway.messages) == READY
    assert "Sent." in p.status.value and p.password.value == ""



class _FrontEndOutput:
    """Stands in for the progress ``Output`` as a live notebook front end treats it: whatever
    is raised inside it is swallowed there, so the panel must never let anything through."""

    def __init__(self) -> None:
        self.escaped: list[BaseException] = []

    def __enter__(self) -> None:
        return None

    def __exit__(self, etype: object, value: BaseException | None, tb: object) -> bool:
        if value is not None:
            self.escaped.append(value)
        return True

    def clear_output(self) -> None:
        return None


def _live(p: CampaignPanel) -> _FrontEndOutput:
    output = _FrontEndOutput()
    p.progress = output  # type: ignore[assignment]
    return output


def _send(p: CampaignPanel) -> None:
    p.confirm.value = True
    p.send_button.click()


def test_the_confirmation_names_messages_parts_cost_and_host_never_the_password(
    ready_panel: CampaignPanel, gateway: Simulator
) -> None:
    ready_panel.price.value = 0.07
    ready_panel.template.value = "x" * 161  # two SMS parts each
    shown = ready_panel.confirmation.value
    host = gateway.url.split("/")[2]
    assert f"Send {READY} messages = {2 * READY} SMS parts, estimated cost 2.80" in shown
    assert f"through the gateway at {host}" in shown and "Praktijk" in shown
    assert PASSWORD not in shown and "Geheim" not in shown


def test_a_half_typed_placeholder_keeps_the_last_preview_with_a_quiet_hint(
    ready_panel: CampaignPanel,
) -> None:
    ready_panel.template.value = "Hoi {voornaam}, tot in {pla"
    shown = ready_panel.preview.value
    assert "Hoi Sanne!" in shown and "smsbatch-stale" in shown
    assert "Finish the placeholder" in ready_panel.hint.value
    assert "cf222e" not in ready_panel.hint.value  # quiet, not red
    assert ready_panel.state == "editing" and ready_panel.confirm.disabled

    ready_panel.template.value = "Hoi {voornaam}, tot in {plaats}"
    assert "tot in Amsterdam" in ready_panel.preview.value and ready_panel.hint.value == ""
    assert ready_panel.state == "previewed"


def test_an_empty_sender_never_passes_the_live_preview(ready_panel: CampaignPanel) -> None:
    ready_panel.sender.value = " "
    assert ready_panel.state == "editing"
    assert ready_panel.confirm.disabled and ready_panel.send_button.disabled
    assert "Type the sender" in ready_panel.hint.value
    assert "Hoi Sanne!" in ready_panel.preview.value  # the rows are still worth seeing


def test_a_double_click_sends_once_and_ends_sent(
    ready_panel: CampaignPanel, gateway: Simulator
) -> None:
    _send(ready_panel)
    ready_panel.send_button.click()  # the second click of a double click, arriving late
    assert len(gateway.messages) == READY
    assert "Sent." in ready_panel.status.value and "Tick" not in ready_panel.status.value
    assert ready_panel.state == "done"
    assert ready_panel.confirm.disabled and ready_panel.send_button.disabled


def test_each_state_replaces_what_the_last_one_showed(
    ready_panel: CampaignPanel, gateway: Simulator
) -> None:
    ready_panel.dry_run_button.click()
    assert "Dry run" in ready_panel.status.value and "Hoi Sanne!" in ready_panel.result_table.value
    _send(ready_panel)
    assert "Dry run" not in ready_panel.status.value
    assert ready_panel.result_table.value.count("smsbatch-summary") == 1
    assert "sms_response_code" in ready_panel.result_table.value
    result = ready_panel.result

    ready_panel.template.value = "Dag {voornaam}"  # a new campaign
    assert ready_panel.state == "previewed" and ready_panel.result_table.value == ""
    assert "Sent." not in ready_panel.status.value and "panel.result" in ready_panel.status.value
    assert ready_panel.result is result


@pytest.mark.parametrize(
    "trouble",
    ["gateway stopped", "402 insufficient funds", "401 refused", "campaign changed", "a bug"],
)
def test_no_send_error_is_raised_where_a_front_end_would_swallow_it(
    trouble: str, ready_panel: CampaignPanel, gateway: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every way a Send can end reaches the status line in words, and p.result is the latest."""
    output = _live(ready_panel)
    ready_panel._sending.options.update(retries=0, max_consecutive_failures=2)  # stop at once
    if trouble == "gateway stopped":
        gateway.stop()
    elif trouble == "402 insufficient funds":
        gateway.funds = 0
    elif trouble == "401 refused":
        gateway.password = "something else"
    elif trouble == "campaign changed":
        ready_panel._df.loc[ready_panel._df.index[0], "voornaam"] = "Karel"
    else:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr("smsbatch.notebook._sending.run_campaign", broken)
    _send(ready_panel)
    assert output.escaped == []
    status = ready_panel.status.value
    assert "Traceback" not in status and "cf222e" in status
    expected = {
        "gateway stopped": "the gateway cannot be reached",
        "402 insufficient funds": "top up the credit",
        "401 refused": "Check the login and password",
        "campaign changed": "Nothing was sent: The campaign changed",
        "a bug": "unexpected error (RuntimeError: disk full)",
    }[trouble]
    assert expected in status, status
    assert ready_panel.state in ("stopped", "previewed") and not ready_panel.confirm.disabled
    if trouble in ("gateway stopped", "402 insufficient funds", "401 refused"):
        assert ready_panel.result is not None
        assert (ready_panel.result["sms_status"] == "sent").sum() == 0
        assert "sms_response_code" in ready_panel.result_table.value
    if trouble == "gateway stopped":
        assert "says why messages failed" in status
        assert "could not connect to the gateway" in ready_panel.result_table.value


def test_the_source_of_the_recipients_is_one_line(recipients: pd.DataFrame, client: Client) -> None:
    df = recipients.copy()
    df.attrs["smsbatch_source"] = {"path": "klanten.xlsx", "sheet": "Blad1", "header_row": 3}
    p = panel(df, client, to="telefoon", text="Hoi", sender="Praktijk")
    line = "Recipients from klanten.xlsx, sheet &#x27;Blad1&#x27;, column names in row 3"
    assert line in p.source.value
    df.attrs.pop("smsbatch_source")
    assert panel(df, client, to="telefoon").source.value == ""  # a frame made in Python


def test_the_panel_names_the_sheet_and_header_row_it_was_given(gateway: Simulator) -> None:
    recipients = read_recipients(sample_path("recipients.xlsx"))
    client = Client(gateway.login, gateway.password, gateway.url)
    shown = panel(recipients, client, to="telefoon", text="Hoi {voornaam}").source.value
    assert "recipients.xlsx" in shown and "column names in row 1" in shown
