"""Choices shared across anxin: readable values, Chinese labels."""

from django.db import models


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（市、区）"


class Role(models.TextChoices):
    PROVINCE_OFFICER = "province_officer", "省级工作人员"
    CITY_OFFICER = "city_officer", "市级工作人员"
    COUNTY_OFFICER = "county_officer", "县级工作人员"
    MEDIATOR = "mediator", "调解员"
    ENTERPRISE = "enterprise", "企业用户"
    AUDITOR = "auditor", "审计员"
    ADMINISTRATOR = "administrator", "系统管理员"


#: Roles that act for a government office and so see a jurisdiction.
OFFICER_ROLES = {Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.MEDIATOR}
#: Roles that may unmask personal data (with a reason, logged).
UNMASK_ROLES = {Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.ADMINISTRATOR}


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    UNMASK = "unmask", "查看完整个人信息"
    INGEST = "ingest", "数据导入"
    EXPORT = "export", "数据导出"
    DOWNLOAD = "download", "下载"
    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    CALENDAR = "calendar", "修改工作日历"
