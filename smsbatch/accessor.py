"""The ``df.sms`` accessor: the preparation and sending functions, called from the frame.

Importing smsbatch registers it. It only delegates; the functions stay the primary API.

It imports them when called, not at import time: smsbatch registers the accessor the moment
pandas is imported, which may be halfway through importing one of those very functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from smsbatch.gateway.client import Client
    from smsbatch.preparation.summary import Summary

__all__ = ["SmsAccessor"]


@pd.api.extensions.register_dataframe_accessor("sms")
class SmsAccessor:
    """``df.sms.preview(text=...)``, ``df.sms.send(client, ...)`` and ``df.sms.summary()``."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._obj = frame

    def preview(self, **options: Any) -> pd.DataFrame:
        """Return ``smsbatch.preview(df, **options)``.

        Examples
        --------
        >>> import smsbatch
        >>> df = pd.DataFrame({"phone": ["0612345678"], "naam": ["Jan"]})
        >>> df.sms.preview(text="Hoi {naam}")["sms_text"].tolist()
        ['Hoi Jan']
        """
        from smsbatch.preparation.campaign import preview

        return preview(self._obj, **options)

    def summary(self, *, price_per_segment: float | None = None) -> Summary:
        """Return ``smsbatch.summarize(df)`` for a preview or send-result frame."""
        from smsbatch.preparation.summary import summarize

        return summarize(self._obj, price_per_segment=price_per_segment)

    def send(self, client: Client, **options: Any) -> pd.DataFrame:
        """Return ``smsbatch.send(df, client, **options)``: send the campaign.

        Examples
        --------
        >>> result = df.sms.send(client, text="Hoi {naam}", sender="Tandarts",  # doctest: +SKIP
        ...                      journal="campaign.db")
        """
        from smsbatch.sending.run import send

        return send(self._obj, client, **options)
