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

PASSWORD = "Geheim&pw=1"
# Rows of the sample that get "Hoi {voornaam}!": 20 reachable, none opted out here.
READY = 20


@pytest.fixture(autouse=True)
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh current folder for each test: the panel keeps its journal there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def recipients() -> pd.DataFrame:
    return read_recipients(sample_path("recipients.csv"))


@pytest.fixture
def gateway() -> Iterator[Simulator]:
    with Simulator(login="praktijk", password=PASSWORD) as sim:
        yield sim


@pytest.fixture
def client(gateway: Simulator) -> Iterator[Client]:
    with Client(gateway.login, gateway.password, gateway.url) as client:
        yield client


@pytest.fixture
def ready_panel(recipients: pd.DataFrame, client: Client) -> CampaignPanel:
    return panel(recipients, client, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk",
                 rate=0)


@pytest.fixture
def fields_panel(
    recipients: pd.DataFrame, gateway: Simulator, monkeypatch: pytest.MonkeyPatch
) -> CampaignPanel:
    """A panel without a client or credentials in the environment: it asks for them."""
    for name in ("SMSBATCH_LOGIN", "SMSBATCH_PASSWORD", "SMSBATCH_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return CampaignPanel(recipients, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk",
                         rate=0, base_url=gateway.url)


def _all_widgets(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all_widgets(child)


def test_the_preview_follows_every_edit(ready_panel: CampaignPanel) -> None:
    assert "Hoi Sanne!" in ready_panel.preview.value
    assert f"{READY} messages" in ready_panel.confirm.description

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
    assert ready_panel.confirm.disabled and ready_panel.send_button.disabled


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
    p = CampaignPanel(recipients, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk", rate=0)
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
              rate=0, journal=tmp_path / "campagne.db")
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
    assert "funds. Check the login and password, or top up the credit" in status
    assert "To send the rest" in status

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
    p = panel(df, client, text="Hoi {naam}", sender="Test", rate=0)
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
    p = panel(df, client, text="Hoi {naam}", sender="Test", rate=0, exclude=optouts)
    p.confirm.value = True  # confirmed: send to Anna and Bob
    optouts.write_text("telefoon\n0650000002\n", encoding="utf-8")  # Bob opts out meanwhile
    p.send_button.click()
    assert gateway.requests == 0
    assert "changed since its preview was confirmed" in p.status.value
    assert p.confirm.description.endswith("send 1 message") and not p.confirm.value

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

