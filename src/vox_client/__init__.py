"""vox_client: the strict client of the vox.ai (tryvox) v3 campaigns API.

::

    from vox_client import Client, NotFoundError

    with Client() as client:                      # VOX_API_KEY, VOX_BASE_URL from the environment
        campaign = client.campaigns.get("cmp_3f9a1c2e7b")
        print(campaign.status, campaign.call_time_window, campaign.request_id)

        raw = client.campaigns.with_raw_response.get("cmp_3f9a1c2e7b")
        print(raw.status_code, raw.request_id, raw.headers["content-type"])
        campaign = raw.parse()

Every call returns a typed model (``vox_client.Campaign``, a subclass of
``vox_generated.models.Campaign`` with the read-only ``request_id`` and ``drift``) or raises one of
the exceptions drawn in ``vox_client._exceptions``: status errors carry the API's error envelope
and the request id, and a 2xx answer that breaks the schema or a business rule raises
``ResponseValidationError``. The verdict is the validator's, as in ``voxkit validate``: a model
comes back for exactly the bodies it passes (``1200.0`` for an integer and lone surrogates
included; integers stay ints in the model).

``strict=True`` (the default) refuses what the spec does not describe, an unknown enum value
included; ``strict=False`` keeps unknown enum values (as plain strings) and unknown members
(``model_extra``), reports them as ``drift`` (the logger, ``campaign.drift``), and logs
business-rule findings as warnings; it still refuses a wrong type or a missing field. Pick
strict in tests and in pipelines that must notice any change of the API; lenient in production
code that should keep working while vox.ai adds a status or a field.

Options in the way of the Stainless SDKs: ``http_client=``, ``default_headers=``,
``with_options(...)``, and ``timeout=``, ``extra_headers=``, ``extra_query=`` on every call.
``VOX_LOG=debug|info`` logs each attempt (the ``vox_client`` logger), the key redacted.

Hostile answers are bounded: ``timeout`` is the deadline of the whole call (retries included),
an answer's body may have ``max_response_size`` decoded bytes (4 MiB), a campaign ID is sent as
one percent-encoded path segment (``.``, ``..`` and IDs over ``MAX_CAMPAIGN_ID_BYTES`` are
refused), and the key is checked when the client is built.
"""

from vox_client._client import (
    AsyncCampaigns,
    AsyncCampaignsWithRawResponse,
    AsyncClient,
    Campaigns,
    CampaignsWithRawResponse,
    Client,
)
from vox_client._config import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_TIMEOUT,
    InsecureBaseURLWarning,
)
from vox_client._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InternalServerError,
    InvalidAPIKeyError,
    InvalidCampaignIDError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnprocessableEntityError,
    VoxError,
)
from vox_client._models import Campaign
from vox_client._requests import MAX_CAMPAIGN_ID_BYTES
from vox_client._response import APIResponse
from vox_validators import Finding

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_TIMEOUT",
    "MAX_CAMPAIGN_ID_BYTES",
    "APIConnectionError",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "AsyncCampaigns",
    "AsyncCampaignsWithRawResponse",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Campaign",
    "Campaigns",
    "CampaignsWithRawResponse",
    "Client",
    "ClientClosedError",
    "ConflictError",
    "Finding",
    "InsecureBaseURLWarning",
    "InternalServerError",
    "InvalidAPIKeyError",
    "InvalidCampaignIDError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "VoxError",
]
