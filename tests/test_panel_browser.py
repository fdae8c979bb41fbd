"""The panel as people meet it: JupyterLab in a real Chromium, driven with Playwright.

JupyterLab starts once per session on 127.0.0.1 (a free port, a token) in a scratch folder,
with a kernel spec for this interpreter, so the kernels import this checkout's smsbatch. Each
test opens a notebook the way a person does, runs its cells from the Run menu and types, ticks
and clicks in the panel; the simulator runs in the notebook's kernel and writes every message
it accepts to a file the test reads.

These tests need Debian's Chromium (``apt-get install chromium``; ``.ci/run`` installs it) and
the test extra (``playwright``, ``jupyterlab``); without them they are skipped. Run them alone
with ``pytest -m browser``. ``playwright install`` is not needed: Chromium is Debian's.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ENABLE = (
    'install Debian\'s Chromium and the test extra to run them: apt-get install chromium; '
    'pip install -e ".[test]"'
)
KERNEL = "python3"  # the name the notebooks ask for; here it is this interpreter
READY = 20  # rows of the sample that get a message
TIMEOUT = 60_000  # ms: a kernel start with pandas on a busy CI machine


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    folder: Path


def _missing() -> str | None:
    try:
        import jupyterlab  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        return f"browser tests skipped: {err.name} is not installed; {ENABLE}"
    if not CHROMIUM.is_file():
        return f"browser tests skipped: no {CHROMIUM}; {ENABLE}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from ipykernel.kernelspec import write_kernel_spec

    home = tmp_path_factory.mktemp("jupyter")
    folder = tmp_path_factory.mktemp("notebooks")
    write_kernel_spec(home / "data" / "kernels" / KERNEL)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No news, no update check: the machine may have no internet, and no toast may cover a cell.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        # The notebooks' kernels share one history of sends; each test starts it empty.
        "SMSBATCH_HISTORY": str(folder / "history.db"),
    }
    token, port = secrets.token_hex(16), _free_port()
    log = (home / "lab.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
            f"--LabApp.user_settings_dir={home / 'settings'}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
            "--LabApp.extension_manager=readonly",  # asks no package index
            "--ServerApp.allow_root=True",  # CI containers run as root
        ],  # fmt: skip
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.2)
        yield Lab(url, token, folder)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def browser(lab: Lab) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.set_default_timeout(TIMEOUT)
    yield page
    context.close()
    assert errors == [], errors  # no JavaScript errors


@pytest.fixture(autouse=True)
def _fresh_history(request: pytest.FixtureRequest) -> None:
    """Forget the sends of earlier tests: several send the same sample messages on purpose."""
    if "lab" in request.fixturenames:
        lab = request.getfixturevalue("lab")
        (lab.folder / "history.db").unlink(missing_ok=True)


def _scenario(lab: Lab, name: str, setup: str, **panel: Any) -> str:
    """Write a notebook that starts a simulator recording to ``name``.jsonl and shows a panel."""
    options = {
        "to": "telefoon", "text": "Hoi {voornaam}!", "sender": "Praktijk", "rate": None,
        "journal": f"{name}.db", **panel,
    }  # fmt: skip
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            # A history of sends per scenario: the scenarios send the same messages on purpose.
            f'import os; os.environ["SMSBATCH_HISTORY"] = "{name}-history.db"\n'
            "import smsbatch\n"
            'recipients = smsbatch.read_recipients(smsbatch.sample_path("recipients.csv"))\n'
            f'gateway = smsbatch.Simulator(record_path="{name}.jsonl").start()\n'
            "client = smsbatch.Client(gateway.login, gateway.password, gateway.url)\n" + setup
        ),
        nbformat.v4.new_code_cell(f"p = smsbatch.panel(recipients, client, **{options!r})\np"),
    ]
    nbformat.write(nb, lab.folder / f"{name}.ipynb")
    return f"{name}.ipynb"


def _open(page: Any, lab: Lab, notebook: str) -> None:
    """Open a notebook, wait for its kernel, and run all its cells from the Run menu."""
    # A workspace of its own, reset: no tab of an earlier test opens beside it.
    workspace = Path(notebook).stem
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={lab.token}")
    deadline = time.monotonic() + TIMEOUT / 1000
    while not _kernel_idle(lab, notebook):
        # A fresh server may not know its kernels yet and ask which one: as a person would,
        # accept the one it proposes (this interpreter).
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count():
            accept.click()
        assert time.monotonic() < deadline, f"no kernel for {notebook}"
        page.wait_for_timeout(200)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
    # Run All is done when the last code cell has its number and the kernel is idle again.
    page.wait_for_function(
        r"""() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            const last = prompts[prompts.length - 1];
            return last !== undefined && /\[\d+\]/.test(last.textContent)
                && prompts.every(p => !p.textContent.includes('*'));
        }"""
    )


def _kernel_idle(lab: Lab, notebook: str) -> bool:
    with urllib.request.urlopen(f"{lab.url}/api/sessions?token={lab.token}", timeout=5) as r:
        sessions = json.load(r)
    return any(
        s["path"].endswith(notebook) and s["kernel"]["execution_state"] == "idle"
        for s in sessions
    )


def _no_error_output(page: Any) -> None:
    """No traceback anywhere in the notebook: not in a cell's output, not in the panel."""
    notebook = page.locator(".jp-Notebook").inner_text()
    assert "Traceback" not in notebook
    assert page.locator(".jp-OutputArea-output[data-mime-type*='stderr']").count() == 0


def _received(lab: Lab, name: str) -> list[dict[str, Any]]:
    path = lab.folder / f"{name}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _status(page: Any) -> Any:
    return page.locator(".smsbatch-panel .smsbatch-status")




def _tick_and_send(page: Any, *, double: bool = False) -> None:
    page.locator(".smsbatch-panel .smsbatch-confirm input").check()
    send = page.locator(".smsbatch-panel .smsbatch-send-button")
    send.dblclick() if double else send.click()


@pytest.fixture(scope="module")
def panel_notebook(browser: Any, lab: Lab) -> Iterator[Any]:
    """panel.ipynb after Run All, on a 1366x768 screen; its tests run in the order written."""
    shutil.copy(ROOT / "notebooks" / "panel.ipynb", lab.folder / "panel.ipynb")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    _open(page, lab, "panel.ipynb")
    yield page
    context.close()
    assert errors == [], errors  # no JavaScript errors


def test_run_all_on_the_panel_notebook_leaves_a_usable_panel(panel_notebook: Any) -> None:
    _no_error_output(panel_notebook)
    panel = panel_notebook.locator(".smsbatch-panel")
    assert "Beste Sanne, tot 03-12 om 09:30" in panel.locator(".smsbatch-preview").inner_text()
    assert "Send 20 messages = 20 SMS parts, estimated cost 1.40" in panel.inner_text()
    assert panel_notebook.locator(".smsbatch-confirm input").is_enabled()


def test_at_1366x768_the_template_and_send_are_on_screen_together(panel_notebook: Any) -> None:
    template = panel_notebook.locator(".smsbatch-template textarea")
    template.evaluate("e => e.scrollIntoView({block: 'start'})")
    fold = panel_notebook.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").bounding_box()
    top = template.bounding_box()
    send = panel_notebook.locator(".smsbatch-send-button").bounding_box()
    # Within a pixel: scrollIntoView lands on sub-pixel positions.
    assert top["y"] >= fold["y"] - 1
    assert send["y"] + send["height"] <= fold["y"] + fold["height"] + 1


def test_typing_a_template_updates_the_preview(panel_notebook: Any) -> None:
    template = panel_notebook.locator(".smsbatch-template textarea")
    preview = panel_notebook.locator(".smsbatch-preview")
    template.fill("")
    template.type("Hallo {voornaam} uit {pl")
    panel_notebook.locator(".smsbatch-hint", has_text="Finish the placeholder").wait_for()
    template.type("aats}")
    preview.filter(has_text="Hallo Sanne uit Amsterdam").wait_for()
    assert panel_notebook.locator(".smsbatch-hint").inner_text().strip() == ""


def test_tick_and_send_shows_the_result_in_the_panel(panel_notebook: Any, lab: Lab) -> None:
    _tick_and_send(panel_notebook)
    _status(panel_notebook).filter(has_text="Sent.").wait_for()
    result = panel_notebook.locator(".smsbatch-result-table").inner_text()
    assert "sms_response_code" in result and "Hallo Sanne uit Amsterdam" in result
    assert panel_notebook.locator(".smsbatch-progress .progress-bar-success").count() == 1
    _no_error_output(panel_notebook)


def test_quickstart_runs_all_cells_with_a_finished_progress_bar(page: Any, lab: Lab) -> None:
    shutil.copy(ROOT / "notebooks" / "quickstart.ipynb", lab.folder / "quickstart.ipynb")
    _open(page, lab, "quickstart.ipynb")
    _no_error_output(page)
    assert page.locator(".progress-bar-success").count() == 1
    assert page.locator(".progress-bar-danger").count() == 0
    assert "The simulator received 20 messages" in page.locator(".jp-Notebook").inner_text()


def test_a_double_click_sends_once_and_ends_sent(page: Any, lab: Lab) -> None:
    _open(page, lab, _scenario(lab, "double", ""))
    _tick_and_send(page, double=True)
    _status(page).filter(has_text="Sent.").wait_for()
    page.wait_for_timeout(1000)  # the second click, had it sent anything, would be done now
    assert len(_received(lab, "double")) == READY
    assert "Sent." in _status(page).inner_text() and "Tick" not in _status(page).inner_text()
    _no_error_output(page)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("gateway.stop()", "Stopped: the gateway cannot be reached"),
        ("gateway.funds = 3", "Insufficient funds"),
    ],
    ids=["gateway-stopped", "402-insufficient-funds"],
)
def test_a_stopped_campaign_says_so_in_words(
    page: Any, lab: Lab, setup: str, expected: str
) -> None:
    name = "stop" if "stop" in setup else "funds"
    _open(page, lab, _scenario(lab, name, setup, retries=0, max_consecutive_failures=2))
    _tick_and_send(page)
    status = _status(page).filter(has_text=expected)
    status.wait_for()
    assert "To send the rest, tick the box" in status.inner_text()
    assert "not_sent" in page.locator(".smsbatch-result-table").inner_text()
    _no_error_output(page)


def test_a_test_send_from_the_options_shows_the_answer_and_unticks_the_box(
    page: Any, lab: Lab
) -> None:
    _open(page, lab, _scenario(lab, "trial", ""))
    page.locator(".smsbatch-panel .smsbatch-options").get_by_text("Options:").click()
    page.locator(".smsbatch-panel .smsbatch-limit input").fill("3")
    confirmation = page.locator(".smsbatch-panel .smsbatch-confirmation")
    confirmation.filter(has_text="Send 3 messages = 3 SMS parts").wait_for()
    assert "Limit: the other 17 stay not_sent" in confirmation.inner_text()
    page.locator(".smsbatch-panel .smsbatch-test-to input").fill("0619990000")
    box = page.locator(".smsbatch-panel .smsbatch-confirm input")
    box.check()
    page.locator(".smsbatch-panel .smsbatch-test-button").click()
    _status(page).filter(has_text="Test to 31619990000: sent (SMS message sent.)").wait_for()
    assert not box.is_checked()
    assert page.locator(".smsbatch-panel .smsbatch-send-button").is_disabled()
    assert [m["to"] for m in _received(lab, "trial")] == ["31619990000"]

    _tick_and_send(page)  # a new confirmation: the limit sends the first three
    _status(page).filter(has_text="17 messages are left for a later Send").wait_for()
    assert [m["to"] for m in _received(lab, "trial")][1:] == [
        "31612345601", "31612345602", "31612345603"
    ]  # fmt: skip
    _no_error_output(page)
