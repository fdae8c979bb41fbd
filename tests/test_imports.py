"""``import smsbatch`` is cheap and works without its extras: names are imported on first use,
``df.sms`` appears whenever pandas does, and the panel says how to install what it lacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import smsbatch

ROOT = Path(__file__).parent.parent
HEAVY = ("pandas", "numpy", "openpyxl", "ipywidgets", "requests", "phonenumbers")


def _python(code: str) -> str:
    """Run ``code`` in a fresh interpreter that imports this checkout; return its stdout."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_smsbatch_loads_no_heavy_dependency() -> None:
    loaded = _python(f"import smsbatch, sys; print([m for m in {HEAVY!r} if m in sys.modules])")
    assert loaded == "[]"


@pytest.mark.parametrize(
    "first",
    [
        "import pandas as pd; import smsbatch",
        "import smsbatch; import pandas as pd",
        # pandas imported halfway through importing smsbatch's own modules
        "import smsbatch; smsbatch.preview; import pandas as pd",
        "import smsbatch; smsbatch.read_recipients; import pandas as pd",
        "import smsbatch; smsbatch.summarize; import pandas as pd",
    ],
    ids=["pandas-first", "pandas-after", "via-preview", "via-read-recipients", "via-summarize"],
)
def test_df_sms_works_however_pandas_arrives(first: str) -> None:
    code = f"{first}; print(pd.DataFrame({{'phone': ['0612345678']}}).sms.preview(text='Hoi')"
    assert _python(code + "['sms_to'].tolist())") == "['31612345678']"


def test_the_pandas_hook_fires_once_and_goes() -> None:
    code = (
        "import sys, smsbatch; hooks = lambda: [f for f in sys.meta_path"
        " if type(f).__name__ == '_AccessorAfterPandas']; before = len(hooks());"
        " import pandas; print(before, len(hooks()))"
    )
    assert _python(code) == "1 0"


def test_a_name_is_imported_once_and_kept() -> None:
    assert smsbatch.preview is smsbatch.preview
    assert "preview" in vars(smsbatch)
    with pytest.raises(AttributeError, match="no_such_name"):
        smsbatch.no_such_name  # noqa: B018


@pytest.mark.parametrize("name", ["panel", "CampaignPanel"])
def test_the_panel_without_ipywidgets_says_how_to_install_it(name: str) -> None:
    code = (
        "import sys; sys.modules['ipywidgets'] = None\n"  # what a missing package looks like
        "import smsbatch\n"
        "print(smsbatch.preview.__name__)\n"
        "try:\n"
        f"    smsbatch.{name}\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    assert _python(code).splitlines() == [
        "preview",
        'The campaign panel needs ipywidgets: pip install "smsbatch[notebook]"',
    ]


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["send", "--help"]], ids=" ".join)
def test_cli_help_and_version_load_no_heavy_dependency(argv: list[str]) -> None:
    code = (
        "import contextlib, io, sys\n"
        "from smsbatch.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main({argv!r}) == 0\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    assert _python(code) == "[]"
