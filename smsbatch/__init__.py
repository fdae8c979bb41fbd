"""smsbatch: send templated SMS campaigns from pandas DataFrames, safely.

The public API is re-exported here; everything else is internal.
"""

import logging

from smsbatch.exceptions import (
    AuthOrFundsError,
    CampaignStopped,
    CarrierError,
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
from smsbatch.files import read_recipients, write_results

__version__ = "0.1.0"

__all__ = [
    "AuthOrFundsError",
    "CampaignStopped",
    "CarrierError",
    "GatewayError",
    "GatewayServerError",
    "InsecureURLError",
    "InvalidSenderError",
    "JournalError",
    "MalformedReplyError",
    "MessageSpecError",
    "NotSentError",
    "OutcomeUnknownError",
    "PreparationError",
    "RecipientsFileError",
    "ResellerFundsError",
    "ResultsFileError",
    "ResultsFileExistsError",
    "SmsBatchError",
    "TemplateError",
    "TransportError",
    "UnexpectedCodeError",
    "read_recipients",
    "write_results",
]

# A library never configures logging; it only makes sure it stays quiet by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())
