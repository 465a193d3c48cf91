"""Base serializers: the project's bounded fields, store-scoped relations and the model's own
validation (full_clean)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from zhilian import roles
from zhilian.api.fields import JSONValueField, MomentField, RecordDateField


def _error_dict(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


class ModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose JSON, date and date-time fields carry the project's input bounds
    (zhilian.jsonvalues, zhilian.dates): hostile values are a 400 naming the field."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.JSONField: JSONValueField,
        models.DateField: RecordDateField,
        models.DateTimeField: MomentField,
    }


class BaseModelSerializer(ModelSerializer):
    """ModelSerializer that

    - limits every related field to what the requesting user may see (``for_user``), so a
      reference to another store's object is a 400 naming the field;
    - fills ``store`` with the user's own store when a non-admin leaves it out, and refuses to
      move an existing object into another store;
    - runs the model's ``full_clean`` (field validators, ``clean``, check constraints) so the
      API and the admin enforce the same rules.
    """

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            relation = field.child_relation if isinstance(field, ManyRelatedField) else field
            if isinstance(relation, RelatedField) and not relation.read_only and hasattr(relation.queryset, "for_user"):
                relation.queryset = relation.queryset.for_user(user)
        return fields

    @property
    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def to_internal_value(self, data):
        user = self._user
        if (
            self.instance is None
            and "store" in self.fields
            and not self.fields["store"].read_only
            and isinstance(data, dict)
            and "store" not in data
            and user is not None
            and user.is_authenticated
            and not roles.is_admin(user)
            and user.store_id
        ):
            data = {**data, "store": user.store_id}
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        new_store = attrs.get("store")
        if self.instance is not None and new_store is not None and new_store.pk != self.instance.store_id:
            raise serializers.ValidationError({"store": ["An existing record cannot move to another store."]})
        self.run_model_validation(attrs)
        return attrs

    def model_validation_exclude(self) -> set[str]:
        """Fields full_clean skips: those this serializer does not write."""
        writable = {
            name if not isinstance(f, RelatedField | ManyRelatedField) else (f.source or name)
            for name, f in self.fields.items()
            if not f.read_only
        }
        model = self.Meta.model
        names = {f.name for f in model._meta.get_fields() if isinstance(f, models.Field) and f.concrete}
        return names - writable

    def run_model_validation(self, attrs):
        model = self.Meta.model
        concrete = {f.name for f in model._meta.concrete_fields}
        values = {k: v for k, v in attrs.items() if k in concrete}
        if self.instance is not None:
            instance = model.__new__(model)
            instance.__dict__ = dict(self.instance.__dict__)
            instance._state = self.instance._state
        else:
            instance = model()
        for key, value in values.items():
            setattr(instance, key, value)
        try:
            instance.full_clean(exclude=self.model_validation_exclude(), validate_unique=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_error_dict(exc)) from exc
