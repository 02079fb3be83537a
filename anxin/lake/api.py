"""POST /api/feeds/{feed}: the same rows as files, as JSON, with idempotency keys."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from ninja import Router

from anxin.core.models import User
from anxin.lake.feeds import FEEDS
from anxin.lake.models import IdempotentRequest
from anxin.lake.services import IngestError, ingest_rows

router = Router(tags=["数据报送"])


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})


@router.post(
    "/{feed}",
    summary="报送一个数据项的若干行",
    description=(
        '请求体为 JSON：行的数组，或 {"rows": [...]}；列名用英文名或中文名（见数据接口规范）。'
        "返回与 `anxin ingest --json` 相同的汇总。可带 `Idempotency-Key` 请求头："
        "重复发送同一请求返回第一次的结果；同一个键配不同的请求内容会被拒绝（409）。"
    ),
    response={200: dict, 400: dict, 409: dict, 413: dict},
)
def post_feed(request: HttpRequest, feed: str) -> Any:
    if feed not in FEEDS:
        return _error(400, f"未知的数据项：{feed}；可用：{', '.join(FEEDS)}")
    body = request.body
    try:
        payload = json.loads(body or b"null")
    except json.JSONDecodeError:
        return _error(400, "请求体不是合法的 JSON")
    rows = payload.get("rows") if isinstance(payload, dict) else payload
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return _error(400, '请求体应为行（对象）的数组，或 {"rows": [...]}')
    if len(rows) > settings.ANXIN_INGEST_MAX_UPLOAD_ROWS:
        return _error(413, f"一次最多报送 {settings.ANXIN_INGEST_MAX_UPLOAD_ROWS} 行，请分批发送")
    key = request.headers.get("Idempotency-Key", "").strip()
    digest = hashlib.sha256(feed.encode() + b"\n" + body).hexdigest()
    user = request.user
    if not isinstance(user, User):
        return _error(401, "需要登录或令牌")
    if key:
        previous = IdempotentRequest.objects.filter(user=user, key=key).first()
        if previous is not None:
            if previous.request_hash != digest:
                return _error(409, "该 Idempotency-Key 已用于另一份不同的请求内容，请使用新的键")
            return JsonResponse(
                previous.response, status=previous.status_code, json_dumps_params={"ensure_ascii": False}
            )
    try:
        summary = ingest_rows(feed, rows, user=user)
    except IngestError as exc:
        return _error(400, str(exc))
    response = summary.contract()
    if key:
        try:
            with transaction.atomic():
                IdempotentRequest.objects.create(
                    user=user, key=key, request_hash=digest, status_code=200, response=response
                )
        except IntegrityError:
            pass  # a concurrent replay stored it first; both answers describe the same rows
    return JsonResponse(response, json_dumps_params={"ensure_ascii": False})
