"""JSON API of the student's path (DRF). Same services and selectors as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from quizapp.quizzes import selectors, services
from quizapp.quizzes.models import Quiz


class QuizCardSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="quiz.id")
    title = serializers.CharField(source="quiz.title")
    course = serializers.CharField(source="quiz.course.code")
    opens_at = serializers.DateTimeField(source="quiz.opens_at")
    closes_at = serializers.DateTimeField(source="quiz.closes_at")
    is_open = serializers.BooleanField()
    attempt_id = serializers.IntegerField(source="attempt.id", allow_null=True, default=None)
    attempt_status = serializers.CharField(source="attempt.status", allow_null=True, default=None)


class AnswerInSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=0)
    part_key = serializers.CharField(max_length=64)
    raw = serializers.CharField(allow_blank=True, trim_whitespace=False)  # answer_save checks the length


class QuizListApi(APIView):
    @extend_schema(responses=QuizCardSerializer(many=True))
    def get(self, request):  # type: ignore[no-untyped-def]
        cards = selectors.quiz_list_for_student(user=request.user)
        return Response(QuizCardSerializer(cards, many=True).data)


class AttemptStartApi(APIView):
    @extend_schema(request=None, responses={201: dict})
    def post(self, request, quiz_id: int):  # type: ignore[no-untyped-def]
        quiz = get_object_or_404(Quiz, id=quiz_id, published=True)
        attempt = services.attempt_start(quiz=quiz, student=request.user)
        return Response(_attempt_body(attempt), status=status.HTTP_201_CREATED)


class AttemptDetailApi(APIView):
    @extend_schema(responses=dict)
    def get(self, request, attempt_id: int):  # type: ignore[no-untyped-def]
        attempt = selectors.attempt_for_student(attempt_id=attempt_id, user=request.user)
        return Response(_attempt_body(attempt))


class AnswerSaveApi(APIView):
    @extend_schema(request=AnswerInSerializer, responses={200: dict})
    def put(self, request, attempt_id: int):  # type: ignore[no-untyped-def]
        data = AnswerInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.answer_save(attempt_id=attempt_id, student=request.user, **data.validated_data)
        return Response({"part_key": answer.part_key, "saved_at": answer.updated_at})


class AttemptSubmitApi(APIView):
    @extend_schema(request=None, responses={202: dict})
    def post(self, request, attempt_id: int):  # type: ignore[no-untyped-def]
        submission = services.attempt_submit(attempt_id=attempt_id, student=request.user)
        return Response({"submission_id": submission.id, "status": submission.status}, status=status.HTTP_202_ACCEPTED)


class AttemptResultApi(APIView):
    @extend_schema(responses=dict)
    def get(self, request, attempt_id: int):  # type: ignore[no-untyped-def]
        attempt = selectors.attempt_for_student(attempt_id=attempt_id, user=request.user)
        return Response(selectors.attempt_result(attempt=attempt))


def _attempt_body(attempt):  # type: ignore[no-untyped-def]
    return {
        "id": attempt.id,
        "quiz": attempt.quiz_id,
        "status": attempt.status,
        "deadline": attempt.deadline,
        "questions": selectors.attempt_questions(attempt=attempt),
    }
