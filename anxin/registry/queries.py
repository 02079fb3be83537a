"""Search and filters shared by the registry's pages, API and exports (one filter, three uses)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q


def project_search(qs: Any, *, q: str = "", region: str = "", status: str = "") -> Any:
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(project_code__icontains=q) | Q(address__icontains=q))
    if region:
        if len(region) == 6 and region.endswith("00"):
            from anxin.core.models import Division

            qs = qs.filter(region_code__in=Division.objects.filter(city_code=region).values("code"))
        else:
            qs = qs.filter(region_code=region)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("project_code")


def enterprise_search(qs: Any, *, q: str = "", kind: str = "") -> Any:
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("uscc")
