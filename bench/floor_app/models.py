"""The product's tables as unmanaged models: the floor owns no schema."""

from django.conf import settings
from django.db import models


class Label(models.Model):
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        managed = False
        db_table = "annotations_label"

    def __str__(self) -> str:
        return self.slug


class Annotation(models.Model):
    article_id = models.BigIntegerField()
    label = models.ForeignKey(Label, on_delete=models.PROTECT, db_constraint=False)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True, default="")
    suffix = models.CharField(max_length=64, blank=True, default="")
    note = models.TextField(blank=True, default="")
    priority = models.PositiveSmallIntegerField(default=2)
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, default="open")
    anchor_state = models.CharField(max_length=20, default="anchored")
    checkworthiness = models.FloatField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        managed = False
        db_table = "annotations_annotation"

    def __str__(self) -> str:
        return self.exact
