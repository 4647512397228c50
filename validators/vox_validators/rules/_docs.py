"""Where the built-in rules come from: the vendor's public docs pages, by their public URL."""

from __future__ import annotations

GET_PAGE = "https://docs.tryvox.co/api-reference/v3/campaigns/캠페인-조회 (GET /v3/campaigns/{campaign_id})"
CREATE_PAGE = "https://docs.tryvox.co/api-reference/v3/campaigns/캠페인-생성 (POST /v3/campaigns)"
UPDATE_PAGE = (
    "https://docs.tryvox.co/api-reference/v3/campaigns/캠페인-수정 "
    "(PATCH /v3/campaigns/{campaign_id})"
)
CONTRACT = (
    "https://docs.tryvox.co/api-reference/v3/models/음성-모델-생성.md "
    "(v3 공개 계약 규칙, the API-wide v3 contract rules)"
)
