"""core pages: login, logout, and the pieces every page shares."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from anxin.core.audit import record
from anxin.core.choices import AuditAction
from anxin.core.jurisdiction import jurisdiction_of
from anxin.core.models import User


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"

    def form_valid(self, form: Any) -> Any:
        response = super().form_valid(form)
        user = acting_user(self.request)
        record(user, AuditAction.LOGIN, object_type="core.User", object_id=str(user.pk))
        return response


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a request (views behind ``login_required``)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("login required")
    return user


def jurisdiction_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the user's jurisdiction, for the header."""
    return {"jurisdiction": jurisdiction_of(getattr(request, "user", None))}


def paginate(request: HttpRequest, queryset: Any, per_page: int | None = None) -> Page:
    from django.conf import settings

    paginator = Paginator(queryset, per_page or settings.ANXIN_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
