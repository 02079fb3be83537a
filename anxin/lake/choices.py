from django.db import models


class BatchSource(models.TextChoices):
    CLI = "cli", "命令行导入"
    API = "api", "接口报送"
    WEB = "web", "网页上传"


class BatchStatus(models.TextChoices):
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
