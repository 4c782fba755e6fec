"""JSON API of course staff: grading monitor, item statistics, regrading. Same selectors and services as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from quizapp.quizzes.instructor import access
from quizapp.quizzes.instructor.monitor import grading_monitor


class MonitorRowSerializer(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    username = serializers.CharField()
    attempt_number = serializers.IntegerField()
    attempt_status = serializers.CharField()
    submission_id = serializers.IntegerField(allow_null=True)
    submission_status = serializers.CharField(allow_null=True)
    score = serializers.DecimalField(max_digits=8, decimal_places=3, allow_null=True, coerce_to_string=False)
    max_score = serializers.DecimalField(max_digits=8, decimal_places=3, allow_null=True, coerce_to_string=False)
    grades = serializers.IntegerField(help_text="How many times this submission was graded.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


class MonitorSerializer(serializers.Serializer):
    quiz = serializers.IntegerField(source="quiz.id")
    busy = serializers.BooleanField()
    attempts = serializers.DictField(child=serializers.IntegerField())
    submissions = serializers.DictField(child=serializers.IntegerField())
    rows = MonitorRowSerializer(many=True)


class QuizMonitorApi(APIView):
    @extend_schema(responses=MonitorSerializer)
    def get(self, request, quiz_id: int):  # type: ignore[no-untyped-def]
        quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
        return Response(MonitorSerializer(grading_monitor(quiz=quiz)).data)
