"""vox_client: the strict client of the vox.ai (tryvox) v3 campaigns API.

::

    from vox_client import Client, NotFoundError

    with Client() as client:                      # VOX_API_KEY, VOX_BASE_URL from the environment
        campaign = client.campaigns.get("cmp_3f9a1c2e7b")
        print(campaign.status, campaign.call_time_window)

Every call returns a typed model (``vox_generated.models.Campaign``) or raises one of the
exceptions drawn in ``vox_client._exceptions``: status errors carry the API's error envelope,
and a 2xx answer that breaks the schema or a business rule raises ``ResponseValidationError``
(with ``strict=False``, the findings are logged as warnings instead).
"""

from vox_client._client import AsyncCampaigns, AsyncClient, Campaigns, Client
from vox_client._config import DEFAULT_BASE_URL, DEFAULT_TIMEOUT
from vox_client._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
    UnprocessableEntityError,
    VoxError,
)
from vox_generated.models import Campaign
from vox_validators import Finding

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncCampaigns",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Campaign",
    "Campaigns",
    "Client",
    "ConflictError",
    "Finding",
    "InternalServerError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "VoxError",
]
