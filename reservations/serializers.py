from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from reservations import services
from reservations.models import Reservation
from stores.models import Table
from zhilian.api.fields import DayField
from zhilian.api.serializers import BaseModelSerializer, ModelSerializer


class ReservedTableSerializer(ModelSerializer):
    class Meta:
        model = Table
        fields = ["id", "number", "capacity", "kind", "room_name"]
        read_only_fields = fields


class ReservedTableField(serializers.PrimaryKeyRelatedField):
    """Written as a table id; read back as the table's number, capacity, kind and room."""

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        # ReservedTableSerializer's output, built directly: a serializer instance per table (its
        # fields rebuilt each time) was most of a reservation list's time. The equality is held by
        # zhilian/tests/test_performance_guards.py.
        return {
            "id": str(value.id),
            "number": value.number,
            "capacity": value.capacity,
            "kind": value.kind,
            "room_name": value.room_name,
        }

    def get_choices(self, cutoff=None):
        # RelatedField keys the choices by to_representation(), which is the value the field
        # reads back as. Here that is a dict (unhashable: the browsable API's form answered 500),
        # while a choice is what the field is written as: the table id.
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {str(table.pk): self.display_value(table) for table in queryset}


class ReservedTableFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "reservations.serializers.ReservedTableField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.UUID)
        return auto_schema.resolve_serializer(ReservedTableSerializer, direction).ref


class ReservationSerializer(BaseModelSerializer):
    tables = ReservedTableField(
        many=True,
        queryset=Table.objects.all(),
        required=False,
        help_text=_("Table ids; leave out (or send []) to let the server pick the best free fit."),
    )

    class Meta:
        model = Reservation
        fields = [
            "id",
            "store",
            "tables",
            "customer_name",
            "customer_phone",
            "customer_email",
            "reservation_type",
            "reservation_date",
            "reservation_time",
            "duration_minutes",
            "party_size",
            "room_name",
            "status",
            "special_requests",
            "dietary_restrictions",
            "banquet_details",
            "estimated_budget_cents",
            "deposit_cents",
            "notes",
            "starts_at",
            "ends_at",
            "confirmed_at",
            "arrival_time",
            "seated_at",
            "completed_at",
            "cancelled_at",
            "no_show_at",
            "cancel_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = Reservation.SERVER_OWNED_FIELDS
        extra_kwargs = {
            "estimated_budget_cents": {"min_value": 0},
            "deposit_cents": {"min_value": 0},
        }

    def validate(self, attrs):
        attrs = super().validate(attrs)
        store = attrs.get("store") or (self.instance.store if self.instance else None)
        foreign = [t.number for t in attrs.get("tables") or () if store is not None and t.store_id != store.pk]
        if foreign:
            raise serializers.ValidationError(
                {"tables": [_("Tables %(tables)s belong to another store.") % {"tables": ", ".join(foreign)}]}
            )
        return attrs

    def create(self, validated_data):
        tables = validated_data.pop("tables", None)
        store = validated_data.pop("store")
        return services.reservation_create(store=store, tables=tables or None, user=self._user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("store", None)
        tables = validated_data.pop("tables", None)
        return services.reservation_update(reservation=instance, tables=tables, user=self._user, **validated_data)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Reservation.Status.choices)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class AvailabilityQuerySerializer(serializers.Serializer):
    store = serializers.CharField(
        max_length=50, required=False, help_text=_("Store id; defaults to your own store (required for admins).")
    )
    date = DayField()
    time = serializers.TimeField()
    party_size = serializers.IntegerField(min_value=1, max_value=500)
    duration = serializers.IntegerField(min_value=15, max_value=720, default=120, required=False)
    kind = serializers.ChoiceField(choices=Table.Kind.choices, required=False, help_text=_("Only tables of this kind."))


class AvailabilitySerializer(serializers.Serializer):
    store = serializers.CharField()
    date = DayField()
    time = serializers.TimeField()
    party_size = serializers.IntegerField()
    duration = serializers.IntegerField()
    bookable = serializers.BooleanField(help_text=_("False when the slot is in the past or outside business hours."))
    problems = serializers.ListField(child=serializers.CharField())
    tables = ReservedTableSerializer(many=True, help_text=_("Free tables that seat the party alone, smallest first."))
    combinations = serializers.ListField(
        child=ReservedTableSerializer(many=True),
        help_text=_("Free tables of one area that seat the party when joined, fewest tables first."),
    )


# --- the floor (schema only: reservations.selectors.floor_state builds the body) ------------------


class FloorOrderSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    guest_count = serializers.IntegerField()
    order_time = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class FloorReservationSerializer(serializers.Serializer):
    id = serializers.CharField()
    customer_name = serializers.CharField()
    party_size = serializers.IntegerField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    minutes_to_start = serializers.IntegerField(help_text="0 once the booking has started.")


class FloorTableSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()
    capacity = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Table.Kind.choices)
    room_name = serializers.CharField()
    state = serializers.ChoiceField(choices=["free", "soon", "seated", "clearing"])
    order = FloorOrderSerializer(allow_null=True, help_text="The open order, else one completed a moment ago.")
    reservation = FloorReservationSerializer(
        allow_null=True, help_text="The seated booking, else the next one (starting soon), else one just completed."
    )


class FloorSerializer(serializers.Serializer):
    store = serializers.CharField()
    at = serializers.DateTimeField()
    soon_minutes = serializers.IntegerField()
    clear_minutes = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Tables per state.")
    tables = FloorTableSerializer(many=True)
