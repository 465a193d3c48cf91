from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from digests.models import DigestSubscription, Frequency


class DigestSubscriptionSerializer(serializers.ModelSerializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)

    class Meta:
        model = DigestSubscription
        fields = ["frequency", "language", "updated_at"]
        read_only_fields = ["updated_at"]
