from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from digests.models import DigestSubscription, Frequency


class DigestSubscriptionSerializer(serializers.ModelSerializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    # Null until the user first subscribes (GET answers the default "off").
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = DigestSubscription
        fields = ["frequency", "language", "updated_at"]
