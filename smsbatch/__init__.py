"""smsbatch: send templated SMS campaigns from pandas DataFrames, safely.

The public API is re-exported here; everything else is internal.
"""

import logging

from smsbatch import accessor  # noqa: F401  (registers the df.sms accessor)
from smsbatch.exceptions import (
    AuthOrFundsError,
    CampaignChangedError,
    CampaignStopped,
    CarrierError,
    ConfigurationError,
    GatewayError,
    GatewayServerError,
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
)
from smsbatch.gateway.client import Client, Response
from smsbatch.gateway.simulator import SimulatedMessage, Simulator
from smsbatch.notebook import CampaignPanel, panel
from smsbatch.preparation.binary import concat_udh, port_udh
from smsbatch.preparation.campaign import Message, Prepared, prepare, preview
from smsbatch.preparation.encoding import segment_count, transliterate
from smsbatch.preparation.summary import Summary, summarize
from smsbatch.samples import sample_path
from smsbatch.sending.report import RunReport
from smsbatch.sending.run import run_campaign, send
from smsbatch.spreadsheets import read_recipients, write_results

__version__ = "0.1.0"

__all__ = [
    "AuthOrFundsError",
    "CampaignChangedError",
    "CampaignPanel",
    "CampaignStopped",
    "CarrierError",
    "Client",
    "ConfigurationError",
    "GatewayError",
    "GatewayServerError",
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
    "RecipientsFileError",
    "ResellerFundsError",
    "Response",
    "ResultsFileError",
    "ResultsFileExistsError",
    "RunReport",
    "SimulatedMessage",
    "Simulator",
    "SmsBatchError",
    "Summary",
    "TemplateError",
    "TransportError",
    "UnexpectedCodeError",
    "concat_udh",
    "panel",
    "port_udh",
    "prepare",
    "preview",
    "read_recipients",
    "run_campaign",
    "sample_path",
    "segment_count",
    "send",
    "summarize",
    "transliterate",
    "write_results",
]

# A library never configures logging; it only makes sure it stays quiet by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())
