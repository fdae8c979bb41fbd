"""The campaign panel for Jupyter: :class:`CampaignPanel` and :func:`panel`.

``_panel`` holds the panel itself and its states; its helpers are ``_widgets`` (the controls,
their layout, what each state enables), ``_preview`` (what an edit and a dry run show),
``_sending`` (the client, the journal and one run that never raises), ``_words`` (what the
status line says after a Send) and ``_html`` (every piece of HTML, escaped). The panel needs
ipywidgets (``pip install "smsbatch[notebook]"``); importing this package without it raises an
ImportError that says so.
"""

from smsbatch.notebook._panel import PANEL_JOURNAL as PANEL_JOURNAL  # kept from notebook.py
from smsbatch.notebook._panel import CampaignPanel, panel

__all__ = ["CampaignPanel", "panel"]
