"""The REST API root: django-ninja, OpenAPI docs at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from anxin.core.tokens import user_for_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for systems (uploaders, bidding platforms)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


token_auth = TokenAuth()

api = NinjaAPI(
    title="安薪 API",
    version="1",
    description="数据报送与查询接口。报送系统使用令牌认证（Authorization: Bearer <token>）。",
    auth=[token_auth, django_auth],
    urls_namespace="api",
)

from anxin.evaluation.api import router as evaluation_router  # noqa: E402
from anxin.lake.api import router as lake_router  # noqa: E402
from anxin.leads.api import router as leads_router  # noqa: E402
from anxin.registry.api import router as registry_router  # noqa: E402
from anxin.warnings.api import router as warnings_router  # noqa: E402

api.add_router("/feeds", lake_router)
api.add_router("/", registry_router)
api.add_router("/leads", leads_router)
api.add_router("/evaluations", evaluation_router)
api.add_router("/warnings", warnings_router)
