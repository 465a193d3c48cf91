from rest_framework import serializers

from notifications.models import Notification
from zhilian.api.serializers import ModelSerializer


class NotificationSerializer(ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    is_read = serializers.BooleanField(read_only=True)
    # In the reader's language (notifications.texts); the stored columns hold the English.
    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "title",
            "body",
            "data",
            "store",
            "is_read",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class UpdatedCountSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
