"""The signed-in user's digest subscription: GET it, PUT {frequency, language}."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from digests import services
from digests.models import DigestSubscription
from digests.serializers import DigestSubscriptionSerializer


class MyDigestSubscriptionView(APIView):
    resource = "digests.digestsubscription"

    @extend_schema(
        summary="My digest subscription",
        description="daily (yesterday's figures at 07:00), weekly (last week's, Mondays) or off (the default), "
        "and the language of the e-mail. Covers the stores the user sees.",
        responses=DigestSubscriptionSerializer,
    )
    def get(self, request):
        subscription = DigestSubscription.objects.filter(user=request.user).first() or DigestSubscription(
            user=request.user
        )
        return Response(DigestSubscriptionSerializer(subscription).data)

    @extend_schema(
        summary="Subscribe to the digest (or stop it)",
        request=DigestSubscriptionSerializer,
        responses=DigestSubscriptionSerializer,
    )
    def put(self, request):
        body = DigestSubscriptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = services.digest_subscription_set(
            actor=request.user,
            user=request.user,
            frequency=body.validated_data["frequency"],
            language=body.validated_data.get("language"),
        )
        return Response(DigestSubscriptionSerializer(subscription).data)
