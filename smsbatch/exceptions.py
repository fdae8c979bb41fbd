"""Every error smsbatch raises, in one tree.

A bulk sender must know, for each failure, whether a message may have reached the gateway,
because the Connect Call API has no idempotency key. Each class says whether a retry is safe::

    SmsBatchError
    ├── GatewayError                 the gateway answered with a non-200 code (nothing sent)
    │   ├── AuthOrFundsError         40x: credentials or credit; stop the campaign
    │   ├── GatewayServerError       50x: the gateway failed; safe to retry later
    │   ├── CarrierError             60x: the carrier refused this destination
    │   ├── ResellerFundsError       70x: the reseller is out of credit; stop the campaign
    │   └── UnexpectedCodeError      any other code
    ├── TransportError               no gateway answer was read
    │   ├── NotSentError             the request surely never reached the gateway: safe to retry
    │   └── OutcomeUnknownError      it may have reached it: a retry could send twice
    │       └── MalformedReplyError  a reply came back but is not the documented XML
    ├── ConfigurationError           (also ValueError) missing credentials, a bad base URL
    │   ├── InsecureURLError         plain http:// to a non-loopback host
    │   └── WrongEndpointError       base_url reaches a web server, not the SMS API (nothing sent)
    ├── PreparationError             (also ValueError) found before anything is sent
    │   ├── TemplateError            a placeholder that names no column, or a forbidden one
    │   ├── InvalidSenderError       the sender is not a valid SMS originator
    │   ├── MessageSpecError         a vCard/binary description that cannot work
    │   └── CampaignChangedError     not what the person confirmed any more (an opt-out file)
    ├── CampaignStopped              a send stopped early; ``.result`` holds every row so far
    ├── JournalError                 the journal cannot be used for this campaign
    ├── HistoryError                 the user's history of sends cannot be used
    ├── RecipientsFileError          (also ValueError) a file that cannot be read as recipients
    └── ResultsFileError             results could not be written; any old file is intact
        └── ResultsFileExistsError   (also FileExistsError) the file exists, overwrite not asked

Exceptions never carry the account password: messages are built from masked values only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd


class SmsBatchError(Exception):
    """Root of every error raised by smsbatch."""


class GatewayAnswer(Protocol):
    """What a :class:`GatewayError` needs of the gateway's answer (a ``smsbatch.Response``).

    A protocol rather than ``Response`` itself, so that this module imports nothing of smsbatch.
    """

    @property
    def code(self) -> int: ...

    @property
    def text(self) -> str: ...


class GatewayError(SmsBatchError):
    """The gateway answered with an error code: it says the message was not sent.

    ``.code``, ``.text`` (the gateway's own words) and ``.response`` are kept.
    """

    def __init__(self, response: GatewayAnswer) -> None:
        self.response = response
        self.code = response.code
        self.text = response.text
        super().__init__(f"gateway answered {response.code}: {response.text}")


class AuthOrFundsError(GatewayError):
    """40x: wrong login/password or no credit. Retrying will not help; fix the account."""


class GatewayServerError(GatewayError):
    """50x: the gateway failed to handle the request. Safe to retry after a pause."""


class CarrierError(GatewayError):
    """60x: the carrier refused the message. Retrying the same destination rarely helps."""


class ResellerFundsError(GatewayError):
    """70x: the reseller account is out of credit. Retrying will not help."""


class UnexpectedCodeError(GatewayError):
    """A code outside the documented families; the gateway's text says more."""


class TransportError(SmsBatchError):
    """No gateway answer was read. Subclasses say whether the request may have arrived."""


class NotSentError(TransportError):
    """The request surely never reached the gateway (refused, DNS, connect timeout).

    Requests that produced this error are safe to retry.
    """


class OutcomeUnknownError(TransportError):
    """The request may have reached the gateway but no valid answer was read.

    Requests that produced this error are NOT safe to retry: the message may have been sent.
    Check with the provider before sending again.
    """


class MalformedReplyError(OutcomeUnknownError):
    """The gateway's reply is not the documented XML (HTML page, truncated, junk).

    ``.body_excerpt`` holds the start of what came back, for the user to read.
    """

    def __init__(self, message: str, body_excerpt: str = "") -> None:
        self.body_excerpt = body_excerpt
        super().__init__(message)


class ConfigurationError(SmsBatchError, ValueError):
    """The client cannot be set up as asked: fix the arguments or the environment."""


class InsecureURLError(ConfigurationError):
    """The password would travel unencrypted: plain http:// is only for loopback hosts."""


class WrongEndpointError(ConfigurationError):
    """The base URL reaches a web server but not the SMS API: HTTP 404 or 405, 400 with a page
    that is not the API's XML, or an HTML page with 200. The SMS handler never ran, so nothing
    was sent; retrying will not help until ``base_url`` (``SMSBATCH_BASE_URL``) is fixed.

    ``.url`` is the request URL without its query (so without the password), ``.status`` the
    HTTP status and ``.body_excerpt`` the start of the page.
    """

    def __init__(self, message: str, *, url: str, status: int, body_excerpt: str = "") -> None:
        self.url = url
        self.status = status
        self.body_excerpt = body_excerpt
        super().__init__(message)


class PreparationError(SmsBatchError, ValueError):
    """Something found before the first message goes out; nothing was sent.

    ``.row`` (index label) and ``.column`` say where, when the problem is in one place.
    """

    def __init__(self, message: str, *, row: Any = None, column: str | None = None) -> None:
        self.row = row
        self.column = column
        super().__init__(message)


class TemplateError(PreparationError):
    """A template placeholder names no column, or asks for something other than a column."""


class InvalidSenderError(PreparationError):
    """The sender is neither alphanumeric (up to 11 characters) nor numeric (up to 16 digits)."""


class MessageSpecError(PreparationError):
    """A vCard or binary message description that can never be sent."""


class CampaignChangedError(PreparationError):
    """The campaign no longer holds the messages of the preview that was confirmed (an opt-out
    file changed, say); nothing was sent. Look at the new preview and confirm again."""


class CampaignStopped(SmsBatchError):
    """A campaign stopped before every row was attempted.

    ``.result`` is the full result DataFrame (rows not attempted are ``not_sent``), and
    ``.reason`` says why; ``.category`` is the ``Response.category`` of the gateway answer that
    stopped it (``"auth_or_funds"``, ``"reseller_funds"``), None for any other cause. Resume
    with the same journal to continue where it stopped, once that cause is fixed.
    """

    def __init__(
        self, message: str, *, result: pd.DataFrame, reason: str, category: str | None = None
    ) -> None:
        self.result = result
        self.reason = reason
        self.category = category
        super().__init__(message)


class JournalError(SmsBatchError):
    """The journal file cannot be used (unreadable, or written by something else)."""


class HistoryError(SmsBatchError):
    """The history of sends (what every journal of this user sent) cannot be opened or is not
    one; nothing was sent. Move the file away, or switch the history off (``history=False``,
    ``--no-history``) knowing that nothing then stops a second journal from sending again."""


class RecipientsFileError(SmsBatchError, ValueError):
    """A recipients file that cannot be read: ``.path`` names it."""

    def __init__(self, message: str, *, path: Any = None) -> None:
        self.path = path
        super().__init__(message)


class ResultsFileError(SmsBatchError):
    """Results could not be written: ``.path`` names the file.

    Writes are atomic, so a file that was already there is unchanged; the results are still in
    the DataFrame you passed. Fix the cause (folder, extension, disk) and write again.
    """

    def __init__(self, message: str, *, path: Any = None) -> None:
        self.path = path
        super().__init__(message)


class ResultsFileExistsError(ResultsFileError, FileExistsError):
    """The results file already exists and ``overwrite=True`` was not given; nothing written."""
