from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "quizapp.bank"
    label = "bank"
    verbose_name = "Question bank"
