"""Jurisdiction: the one mechanism that cuts every queryset an official sees.

A model that officials list declares a ``scope`` (a ``Scope``) naming the field that
holds its county code, and optionally the fields naming enterprises (for enterprise
users) and an extra rule. Views, the API and exports obtain rows only through
``visible(queryset, user)`` (or ``Model.objects.visible_to(user)``); a model without a
scope cannot be listed at all, so a new view cannot forget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q

from anxin.core.choices import DivisionLevel, Role

if TYPE_CHECKING:
    from anxin.core.models import User


@dataclass(frozen=True)
class Jurisdiction:
    """What a user may see: all, a set of counties, one enterprise, or nothing."""

    everything: bool = False
    county_codes: frozenset[str] = frozenset()
    enterprise_uscc: str = ""
    label: str = ""

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.county_codes and not self.enterprise_uscc

    def covers_county(self, code: str | None) -> bool:
        return self.everything or (code is not None and code in self.county_codes)


@dataclass(frozen=True)
class Scope:
    #: The field holding a county code; None when only ``extra`` grants rows.
    region_field: str | None
    enterprise_fields: tuple[str, ...] = ()
    #: Extra visibility: given the county codes, a Q that also grants rows.
    extra: Callable[[frozenset[str]], Q] | None = field(default=None)


@lru_cache(maxsize=64)
def counties_of(level: str, code: str) -> frozenset[str]:
    """County codes under a division, as a jurisdiction (平潭 counts as its own city)."""
    from anxin.core.models import Division

    if level == DivisionLevel.PROVINCE:
        return frozenset(Division.objects.filter(level=DivisionLevel.COUNTY).values_list("code", flat=True))
    if level == DivisionLevel.CITY:
        return frozenset(
            Division.objects.filter(level=DivisionLevel.COUNTY, city_code=code).values_list("code", flat=True)
        )
    return frozenset({code})


def jurisdiction_of(user: User | Any) -> Jurisdiction:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Jurisdiction()
    if user.is_superuser or user.role in (Role.ADMINISTRATOR, Role.AUDITOR):
        return Jurisdiction(everything=True, label="全省")
    org = user.organisation
    if org is None:
        return Jurisdiction()
    if user.role == Role.ENTERPRISE:
        return Jurisdiction(enterprise_uscc=org.enterprise_uscc, label=org.name)
    if user.role not in (Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.MEDIATOR):
        return Jurisdiction()
    if org.level == DivisionLevel.PROVINCE:
        return Jurisdiction(everything=True, label=org.division.name)
    return Jurisdiction(county_codes=counties_of(org.level, org.division_id), label=org.division.name)


_M = TypeVar("_M", bound=models.Model)


def visible(queryset: models.QuerySet[_M], user: User | Any) -> models.QuerySet[_M]:
    """The rows of ``queryset`` that ``user`` may see."""
    scope: Scope | None = getattr(queryset.model, "scope", None)
    if scope is None:
        raise TypeError(f"{queryset.model.__name__} has no jurisdiction scope and cannot be shown to officials")
    where = jurisdiction_of(user)
    if where.everything:
        return queryset
    if where.enterprise_uscc:
        if not scope.enterprise_fields:
            return queryset.none()
        q = Q()
        for name in scope.enterprise_fields:
            q |= Q(**{name: where.enterprise_uscc})
        return queryset.filter(q)
    if where.nothing:
        return queryset.none()
    q = Q(pk__in=[])
    if scope.region_field is not None:
        q |= Q(**{f"{scope.region_field}__in": sorted(where.county_codes)})
    if scope.extra is not None:
        q |= scope.extra(where.county_codes)
    return queryset.filter(q)


class ScopedQuerySet(models.QuerySet[_M]):
    def visible_to(self, user: User | Any) -> ScopedQuerySet[_M]:
        return visible(self, user)  # type: ignore[return-value]
