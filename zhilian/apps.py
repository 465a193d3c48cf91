from django.apps import AppConfig


class ZhilianConfig(AppConfig):
    name = "zhilian"
    verbose_name = "Zhilian OS"
