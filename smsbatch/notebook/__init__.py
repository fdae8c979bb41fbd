"""The campaign panel for Jupyter: :class:`CampaignPanel` and :func:`panel`.

``_panel`` holds the panel itself and its states; its helpers are ``_widgets`` (the controls,
their layout, what each state enables), ``_controls`` (the options: rate, sending hours, limit,
opt-out line, history, journal privacy, test numbers), ``_preview`` (what an edit and a dry run
show, and what a Send would do, for the confirmation), ``_sending`` (the client, the
journal, one run that never raises, and a test send), ``_words`` (what the status line says
after a Send or a test) and ``_html`` (every piece of HTML, escaped). The panel needs
ipywidgets (``pip install "smsbatch[notebook]"``); importing this package without it raises an
ImportError that says so.
"""

try:
    import ipywidgets  # noqa: F401  # every module of the panel needs it
except ImportError as err:  # an extra, so that smsbatch installs where Jupyter is not wanted
    raise ImportError(
        'The campaign panel needs ipywidgets: pip install "smsbatch[notebook]"',
        name=err.name,
    ) from err

from smsbatch.notebook._panel import PANEL_JOURNAL as PANEL_JOURNAL  # kept from notebook.py
from smsbatch.notebook._panel import CampaignPanel, panel

__all__ = ["CampaignPanel", "panel"]
