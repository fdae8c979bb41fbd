"""The fictional sample campaign that ``smsbatch demo``, the notebooks and the README use.

The files ship inside the package (``smsbatch/data/``) so the demo works from any directory and
from a wheel, not only from a checkout; ``sample_data/`` in the repository holds the same files
for people to open, and a test keeps the two identical.

The notebooks (``notebooks/`` in the repository) are not copied: the wheel ships them as
``smsbatch/notebooks/`` (``force-include`` in ``pyproject.toml``), and a checkout has them at its
top level, so ``smsbatch notebooks`` finds them either way.
"""

from __future__ import annotations

from pathlib import Path

from smsbatch.exceptions import RecipientsFileError

__all__ = ["SAMPLE_SENDER", "SAMPLE_TEMPLATE", "SAMPLE_TO", "notebook_paths", "sample_path"]

_DATA = Path(__file__).parent / "data"

#: The column of ``recipients.csv`` that holds the phone numbers.
SAMPLE_TO = "telefoon"
#: A check-up reminder using two columns of ``recipients.csv``. It leaves out the appointment
#: date on purpose: the same number twice then gets the same message, which dedupe catches.
SAMPLE_TEMPLATE = (
    "Beste {voornaam}, het is tijd voor uw halfjaarlijkse controle bij Tandarts Smit in"
    " {plaats}. Bel ons voor een afspraak!"
)
#: An alphanumeric sender: at most 11 characters.
SAMPLE_SENDER = "TandartsSm"


def sample_path(name: str = "recipients.csv") -> Path:
    """Return the path of a sample file shipped with smsbatch.

    Parameters
    ----------
    name
        ``"recipients.csv"`` (25 fictional Dutch recipients, some numbers messy, some invalid,
        one duplicate, one opted out), ``"recipients.xlsx"`` (the same as Excel) or
        ``"optouts.csv"`` (the opt-out list).

    Examples
    --------
    >>> sample_path().name
    'recipients.csv'
    """
    path = _DATA / name
    if not path.is_file():
        available = ", ".join(sorted(p.name for p in _DATA.iterdir() if p.is_file()))
        raise RecipientsFileError(f"no sample file {name!r}; available: {available}", path=path)
    return path


def notebook_paths() -> list[Path]:
    """Return the notebooks shipped with smsbatch (``quickstart.ipynb``, ``panel.ipynb``).

    Examples
    --------
    >>> [path.name for path in notebook_paths()]
    ['panel.ipynb', 'quickstart.ipynb']
    """
    package = Path(__file__).parent
    installed, checkout = package / "notebooks", package.parent / "notebooks"
    if not installed.is_dir() and (package.parent / "pyproject.toml").is_file():
        installed = checkout  # an editable install or a plain checkout
    return sorted(installed.glob("*.ipynb"))
