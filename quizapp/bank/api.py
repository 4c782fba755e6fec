"""Question-bank API for TAs and instructors (students get 403)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from questions import TemplateError, load_template, validate_template
from quizapp.bank import selectors
from quizapp.bank.forms import MAX_SOURCE_CHARS
from quizapp.courses.models import Membership
from quizapp.courses.selectors import STAFF_ROLES


class IsCourseStaff(BasePermission):
    message = "Only teaching assistants and instructors can use the question bank."

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user and request.user.is_authenticated
                    and Membership.objects.filter(user=request.user, role__in=STAFF_ROLES).exists())


class TemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    course = serializers.CharField(source="course.code")
    topics = serializers.ListField(child=serializers.CharField())
    difficulty = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=MAX_SOURCE_CHARS, trim_whitespace=False)
    variants = serializers.IntegerField(min_value=1, max_value=500, default=20)


class TemplateListApi(APIView):
    permission_classes = [IsCourseStaff]

    @extend_schema(responses=TemplateSerializer(many=True))
    def get(self, request):  # type: ignore[no-untyped-def]
        templates = selectors.templates_for_staff(user=request.user, topic=request.query_params.get("topic"),
                                                  query=request.query_params.get("q"))
        return Response(TemplateSerializer(templates, many=True).data)


class TemplateCheckApi(APIView):
    """Validate a template document without saving it (the editor's "check" button)."""

    permission_classes = [IsCourseStaff]

    @extend_schema(request=SourceSerializer, responses=dict)
    def post(self, request):  # type: ignore[no-untyped-def]
        data = SourceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            spec = load_template(data.validated_data["source"], source="editor")
        except TemplateError as exc:
            return Response({"ok": False, "errors": [_error(exc)]})
        problems = validate_template(spec, n_variants=data.validated_data["variants"])
        return Response({"ok": not problems, "errors": [{"message": p, "line": None, "field": None} for p in problems]})


def _error(exc: TemplateError) -> dict:  # type: ignore[type-arg]
    return {"message": str(exc), "line": getattr(exc, "line", None), "field": getattr(exc, "path", None)}
