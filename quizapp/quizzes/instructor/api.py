"""JSON API of course staff: grading monitor, item statistics, regrading. Same selectors and services as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from quizapp.quizzes.instructor import access, regrade
from quizapp.quizzes.instructor.item_stats import item_statistics
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


class RegradeOutSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Submissions queued for grading again.")


class VariantUpdateOutSerializer(serializers.Serializer):
    variants = serializers.IntegerField(help_text="Variants regenerated from the latest published version.")
    submissions = serializers.IntegerField(help_text="Submissions queued for grading again.")
    busy = serializers.IntegerField(help_text="Submissions being graded right now (regrade them once they finish).")


class QuizRegradeApi(APIView):
    """Regrade every graded or failed submission of the quiz (instructors)."""

    @extend_schema(request=None, responses={202: RegradeOutSerializer})
    def post(self, request, quiz_id: int):  # type: ignore[no-untyped-def]
        quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
        count = regrade.quiz_regrade_all(quiz=quiz, user=request.user)
        return Response({"queued": count}, status=status.HTTP_202_ACCEPTED)


class SubmissionRegradeApi(APIView):
    """Regrade one submission of the quiz (instructors)."""

    @extend_schema(request=None, responses={202: RegradeOutSerializer})
    def post(self, request, quiz_id: int, submission_id: int):  # type: ignore[no-untyped-def]
        quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
        regrade.submission_regrade_for_quiz(quiz=quiz, submission_id=submission_id, user=request.user)
        return Response({"queued": 1}, status=status.HTTP_202_ACCEPTED)


class VariantUpdateApi(APIView):
    """Move variants of fixed templates to the latest published version and regrade them (instructors)."""

    @extend_schema(request=None, responses={202: VariantUpdateOutSerializer})
    def post(self, request, quiz_id: int):  # type: ignore[no-untyped-def]
        quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
        report = regrade.variants_update_and_regrade(quiz=quiz, user=request.user)
        return Response(VariantUpdateOutSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class ItemStatsSerializer(serializers.Serializer):
    label = serializers.CharField()
    answers = serializers.IntegerField(help_text="Graded answers (current grade of each graded submission).")
    difficulty = serializers.FloatField(allow_null=True, help_text="Mean score fraction, 0 to 1.")
    discrimination = serializers.FloatField(
        allow_null=True, help_text="Point-biserial correlation with the rest of the quiz; null when undefined.")
    unanswered = serializers.FloatField(allow_null=True, help_text="Share of answer parts left blank.")
    unreadable = serializers.FloatField(allow_null=True, help_text="Share of answer parts with a format error.")


class SlotStatsSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    points = serializers.FloatField()
    overall = ItemStatsSerializer()
    versions = ItemStatsSerializer(many=True)


class ItemStatisticsApi(APIView):
    @extend_schema(responses=SlotStatsSerializer(many=True))
    def get(self, request, quiz_id: int):  # type: ignore[no-untyped-def]
        quiz = access.quiz_for_staff(quiz_id=quiz_id, user=request.user)
        return Response(SlotStatsSerializer(item_statistics(quiz=quiz), many=True).data)
