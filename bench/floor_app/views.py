"""The floor's one endpoint: a plain ListCreateAPIView. The list hands DRF the rows of
`.values()` as they are (no serializer per row); a create validates with a plain
ModelSerializer and inserts, with no lock."""

from django.db.models import F
from rest_framework import generics, pagination, serializers

from .models import Annotation, Label

# The product list's columns (selectors.ANNOTATION_VALUES), label and author by name.
COLUMNS = (
    "id",
    "article_id",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "note",
    "priority",
    "due_at",
    "status",
    "anchor_state",
    "version",
    "created_at",
    "updated_at",
)


class Pages(pagination.PageNumberPagination):
    page_size = 50  # the product's page size and limit (annotations/api/pagination.py)
    page_size_query_param = "page_size"
    max_page_size = 1000


class AnnotationCreate(serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id")
    label = serializers.SlugRelatedField(slug_field="slug", queryset=Label.objects.all())

    class Meta:
        model = Annotation
        fields = ["id", "article", "start", "end", "exact", "label", "note"]


class Annotations(generics.ListCreateAPIView):
    pagination_class = Pages
    serializer_class = AnnotationCreate

    def get_queryset(self):
        rows = Annotation.objects.filter(article_id=self.request.query_params.get("article"))
        return rows.order_by("start", "end", "id").values(
            *COLUMNS, label_slug=F("label__slug"), author=F("created_by__username")
        )

    def list(self, request, *args, **kwargs):
        return self.get_paginated_response(self.paginate_queryset(self.get_queryset()))

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)
