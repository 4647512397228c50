"""vox_client.testing: a stateful fake of the vox.ai v3 campaigns API, for testing applications.

::

    from vox_client import Client
    from vox_client.testing import MockVox

    with MockVox.serve() as mock:                          # 127.0.0.1, a free port
        campaign = mock.add(status="ongoing", name="설문")
        with Client(api_key=mock.api_key, base_url=mock.url) as client:
            assert client.campaigns.get(campaign["id"]).status == "ongoing"

    mock = MockVox()                                       # or in-process, without a socket
    client = Client(api_key=mock.api_key, transport=mock.transport())

``MockVox`` follows the spec and the business rules (401, 404, 400, 409, 422, 405, every error in
the v3 envelope with an ``x-request-id`` header); ``add``, ``advance`` and ``progress`` drive its
state; ``fail_next``, ``delay_next``, ``drop_next``, ``malformed_next`` and ``respond_next`` queue
faults; ``requests`` lists what it received, with the key masked. ``LIFECYCLE`` is the graph of
statuses that ``advance`` follows. The pytest fixtures are in ``vox_client.testing.pytest_plugin``.
"""

from vox_client.testing._campaigns import (
    DEFAULT_WINDOW,
    LIFECYCLE,
    LifecycleError,
    example_campaigns,
)
from vox_client.testing._mock import MASK, MockVox, RecordedRequest

__all__ = [
    "DEFAULT_WINDOW",
    "LIFECYCLE",
    "MASK",
    "LifecycleError",
    "MockVox",
    "RecordedRequest",
    "example_campaigns",
]
