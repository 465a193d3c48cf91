from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from waitlist.models import MAX_PARTY_SIZE, WaitlistTicket
from zhilian.api.fields import DayField
from zhilian.api.serializers import ModelSerializer


class WaitlistTicketSerializer(ModelSerializer):
    """A ticket as staff see it (the kiosk prints `token` as the guest's "where am I" link)."""

    code = serializers.CharField(read_only=True)
    table_number = serializers.CharField(source="table.number", read_only=True, default=None, allow_null=True)

    class Meta:
        model = WaitlistTicket
        fields = [
            "id",
            "code",
            "token",
            "store",
            "business_date",
            "band",
            "number",
            "party_size",
            "phone",
            "status",
            "quoted_wait_minutes",
            "issued_at",
            "called_at",
            "call_count",
            "seated_at",
            "skipped_at",
            "cancelled_at",
            "table",
            "table_number",
            "reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class IssueSerializer(serializers.Serializer):
    store = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text=_("Admins name the store.")
    )
    party_size = serializers.IntegerField(min_value=1, max_value=MAX_PARTY_SIZE)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")


class MoveSerializer(serializers.Serializer):
    """The body of call, seat, skip and cancel: a table only when seating (its id or its number)."""

    table = serializers.UUIDField(required=False, allow_null=True, default=None)
    table_number = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class BoardQuerySerializer(serializers.Serializer):
    store = serializers.CharField(required=False, allow_blank=True, max_length=50)
    date = DayField(required=False)


class PositionSerializer(serializers.Serializer):
    code = serializers.CharField()
    store = serializers.CharField()
    store_name = serializers.CharField()
    band = serializers.CharField()
    party_size = serializers.IntegerField()
    status = serializers.ChoiceField(choices=WaitlistTicket.Status.choices)
    position = serializers.IntegerField(allow_null=True, help_text=_("1 = next; null once out of the queue."))
    ahead = serializers.IntegerField(allow_null=True)
    quoted_wait_minutes = serializers.IntegerField(allow_null=True)
    estimated_wait_minutes = serializers.IntegerField(allow_null=True)
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)


class IssuedSerializer(WaitlistTicketSerializer):
    """A number just taken, with its place in the queue."""

    position = serializers.SerializerMethodField()

    class Meta(WaitlistTicketSerializer.Meta):
        fields = [*WaitlistTicketSerializer.Meta.fields, "position"]
        read_only_fields = fields

    def get_position(self, obj) -> PositionSerializer:
        return PositionSerializer(self.context["position"]).data


class BoardTicketSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    party_size = serializers.IntegerField()
    issued_at = serializers.DateTimeField(required=False)
    called_at = serializers.DateTimeField(required=False, allow_null=True)
    call_count = serializers.IntegerField(required=False)


class BoardBandSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    min_party = serializers.IntegerField()
    max_party = serializers.IntegerField(allow_null=True)
    waiting = serializers.IntegerField()
    called = BoardTicketSerializer(many=True)
    next = BoardTicketSerializer(many=True)
    quoted_wait_minutes = serializers.IntegerField(allow_null=True)
    issued = serializers.IntegerField()
    seated = serializers.IntegerField()
    abandoned = serializers.IntegerField()


class BoardSerializer(serializers.Serializer):
    store = serializers.CharField()
    date = serializers.DateField()
    bands = BoardBandSerializer(many=True)
