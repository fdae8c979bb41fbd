"""Where and how the campaign panel sends: its client (given, from the environment, or typed
into the panel), its journal and sending options, one run that never raises, and a test send.

Nothing a run raises may be raised inside the progress ``Output``: a live notebook front end
swallows an exception there after printing a traceback, and the panel would never say what
happened. :meth:`PanelSending.run` returns the error instead, for the status line.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from smsbatch.exceptions import ConfigurationError, SmsBatchError
from smsbatch.gateway.client import DEFAULT_BASE_URL, Client
from smsbatch.notebook._words import after_error, after_test
from smsbatch.preparation.campaign import Prepared
from smsbatch.sending.report import RunReport
from smsbatch.sending.run import run_campaign

__all__ = ["PanelSending"]

logger = logging.getLogger("smsbatch.notebook")


class PanelSending:
    """The panel's client, journal and sending options; ``run`` sends one confirmed campaign.

    Without a client and without ``SMSBATCH_LOGIN``/``SMSBATCH_PASSWORD``, the client is made
    from the panel's login and password fields at Send; the password field is emptied then, and
    a client the gateway refused (40x) is dropped so that the password typed next is used.
    """

    def __init__(
        self,
        client: Client | None,
        journal: str | os.PathLike[str],
        base_url: str | None,
        **options: Any,
    ) -> None:
        self.client = client if client is not None else _client_from_env()
        self.journal = Path(journal).absolute()
        self.base_url = base_url or os.environ.get("SMSBATCH_BASE_URL") or DEFAULT_BASE_URL
        self.options = options  # retries, backoff, max_consecutive_failures
        self._typed: Client | None = None  # made from the login and password fields

    @property
    def typed(self) -> bool:
        """True when the password is typed into the panel (there is no other client)."""
        return self.client is None

    @property
    def gateway(self) -> str:
        """The base URL sends go to: the history of sends remembers them per gateway."""
        return self.base_url if self.client is None else self.client.base_url

    def where(self) -> dict[str, Any]:
        """The journal and gateway a plan of the next Send needs (``smsbatch.plan_send``)."""
        return {"journal": self.journal, "gateway": self.gateway}

    def run(
        self, output: Any, fields: Any, campaign: Any, confirmed: Prepared, **options: Any
    ) -> RunReport | BaseException:
        """Send ``confirmed`` with its progress bar in ``output``; an error is returned. A
        client made from typed credentials that the gateway refused is dropped."""
        output.clear_output()  # the last run's progress bar
        try:
            client = self._credentials(fields)
        except ConfigurationError as err:
            return err
        with output:  # nothing may be raised in here: a live front end swallows it
            try:
                report = run_campaign(
                    campaign,
                    client,
                    confirmed=confirmed,
                    journal=self.journal,
                    **self.options,
                    **options,
                )
            except BaseException as err:  # told in the status line, in words, instead
                if not isinstance(err, SmsBatchError | KeyboardInterrupt):
                    logger.exception("the campaign panel's run failed")
                return err
        if report.stop_category == "auth_or_funds":
            self.forget_typed()  # asking for the password again beats failing with it
        return report

    def test(
        self, output: Any, fields: Any, campaign: Any, shown: Prepared, numbers: list[str],
        **options: Any,
    ) -> str:  # fmt: skip
        """Send the first message of ``shown`` to ``numbers`` only, at once (no rate, no
        sending hours: it goes to your own phone now); return the status line (HTML) with the
        gateway's answer for every number."""
        report = self.run(output, fields, campaign, shown, rate=None, test_to=numbers, **options)
        if isinstance(report, RunReport):
            return after_test(report)
        return after_error(report, str(self.journal))

    def forget_typed(self) -> None:
        """Drop the client made from typed credentials (the gateway refused them)."""
        if self._typed is not None:
            self._typed.close()
            self._typed = None

    def _credentials(self, fields: Any) -> Client:
        """Return the client; a password typed since the last Send makes a new one."""
        if self.client is not None:
            return self.client
        if fields.login.value and fields.password.value:
            self.forget_typed()
            self._typed = Client(fields.login.value, fields.password.value, self.base_url)
            fields.password.value = ""  # the client keeps it masked; the widget should not
        if self._typed is None:
            raise ConfigurationError("type the login and the password first")
        return self._typed


def _client_from_env() -> Client | None:
    try:
        return Client.from_env()
    except ConfigurationError:
        return None
