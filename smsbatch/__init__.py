"""smsbatch: send templated SMS campaigns from pandas DataFrames, safely.

The public API is re-exported here; everything else is internal.

``import smsbatch`` is cheap: each name is imported from its module on first use (PEP 562), so
``smsbatch --help`` and scripts that need one function do not pay for pandas, requests or
ipywidgets. The ``df.sms`` accessor is registered as soon as pandas is imported, by whoever.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import logging
import sys
from typing import TYPE_CHECKING, Any

# The errors cost nothing to import (standard library only), so ``except smsbatch.X`` never
# imports the rest.
from smsbatch.exceptions import (
    AuthOrFundsError,
    CampaignChangedError,
    CampaignStopped,
    CarrierError,
    ConfigurationError,
    GatewayError,
    GatewayServerError,
    HistoryError,
    InsecureURLError,
    InvalidSenderError,
    JournalError,
    MalformedReplyError,
    MessageSpecError,
    NotSentError,
    OutcomeUnknownError,
    PreparationError,
    RecipientsFileError,
    ResellerFundsError,
    ResultsFileError,
    ResultsFileExistsError,
    SmsBatchError,
    TemplateError,
    TransportError,
    UnexpectedCodeError,
    WrongEndpointError,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

    from smsbatch.gateway.client import Client
    from smsbatch.gateway.reply import Response
    from smsbatch.gateway.simulator import SimulatedMessage, Simulator
    from smsbatch.notebook import CampaignPanel, panel
    from smsbatch.preparation.binary import concat_udh, port_udh
    from smsbatch.preparation.campaign import Message, Prepared, prepare, preview
    from smsbatch.preparation.encoding import segment_count, transliterate
    from smsbatch.preparation.summary import Summary, summarize
    from smsbatch.samples import sample_path
    from smsbatch.sending.finish import Finish, estimate_finish
    from smsbatch.sending.journal_tools import purge_journal, read_journal
    from smsbatch.sending.plan import SendPlan, plan_send
    from smsbatch.sending.repeats import check_history
    from smsbatch.sending.report import RunReport
    from smsbatch.sending.run import run_campaign, send
    from smsbatch.spreadsheets import ReadLimits, read_recipients, write_results

__version__ = "0.1.0"

__all__ = [
    "AuthOrFundsError",
    "CampaignChangedError",
    "CampaignPanel",
    "CampaignStopped",
    "CarrierError",
    "Client",
    "ConfigurationError",
    "Finish",
    "GatewayError",
    "GatewayServerError",
    "HistoryError",
    "InsecureURLError",
    "InvalidSenderError",
    "JournalError",
    "MalformedReplyError",
    "Message",
    "MessageSpecError",
    "NotSentError",
    "OutcomeUnknownError",
    "PreparationError",
    "Prepared",
    "ReadLimits",
    "RecipientsFileError",
    "ResellerFundsError",
    "Response",
    "ResultsFileError",
    "ResultsFileExistsError",
    "RunReport",
    "SendPlan",
    "SimulatedMessage",
    "Simulator",
    "SmsBatchError",
    "Summary",
    "TemplateError",
    "TransportError",
    "UnexpectedCodeError",
    "WrongEndpointError",
    "check_history",
    "concat_udh",
    "estimate_finish",
    "panel",
    "plan_send",
    "port_udh",
    "prepare",
    "preview",
    "purge_journal",
    "read_journal",
    "read_recipients",
    "run_campaign",
    "sample_path",
    "segment_count",
    "send",
    "summarize",
    "transliterate",
    "write_results",
]

#: Where each name imported on first use lives (the TYPE_CHECKING imports above, for checkers).
_LAZY = {
    "smsbatch.gateway.client": ["Client"],
    "smsbatch.gateway.reply": ["Response"],
    "smsbatch.gateway.simulator": ["SimulatedMessage", "Simulator"],
    "smsbatch.notebook": ["CampaignPanel", "panel"],
    "smsbatch.preparation.binary": ["concat_udh", "port_udh"],
    "smsbatch.preparation.campaign": ["Message", "Prepared", "prepare", "preview"],
    "smsbatch.preparation.encoding": ["segment_count", "transliterate"],
    "smsbatch.preparation.summary": ["Summary", "summarize"],
    "smsbatch.samples": ["sample_path"],
    "smsbatch.sending.finish": ["Finish", "estimate_finish"],
    "smsbatch.sending.plan": ["SendPlan", "plan_send"],
    "smsbatch.sending.repeats": ["check_history"],
    "smsbatch.sending.journal_tools": ["purge_journal", "read_journal"],
    "smsbatch.sending.report": ["RunReport"],
    "smsbatch.sending.run": ["run_campaign", "send"],
    "smsbatch.spreadsheets": ["ReadLimits", "read_recipients", "write_results"],
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, and keep it here."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])


class _AccessorAfterPandas(importlib.abc.MetaPathFinder):
    """Register ``df.sms`` right after pandas is imported, without importing pandas here.

    Found first on ``sys.meta_path``, it leaves the search for pandas to the finders after it,
    wraps the loader so that ``smsbatch.accessor`` is imported once pandas has run, and removes
    itself: it acts on one import only.
    """

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "pandas":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)  # by the finders after this one
        loader = spec and spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run_pandas = loader.exec_module

        def run_pandas_then_register(module: ModuleType) -> None:
            run_pandas(module)
            importlib.import_module("smsbatch.accessor")

        loader.exec_module = run_pandas_then_register  # type: ignore[method-assign]
        return spec


if "pandas" in sys.modules:
    importlib.import_module("smsbatch.accessor")
elif not any(isinstance(finder, _AccessorAfterPandas) for finder in sys.meta_path):
    sys.meta_path.insert(0, _AccessorAfterPandas())

# A library never configures logging; it only makes sure it stays quiet by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())
