"""The admin audience: one router over the overview, sign-in, weights, prices and assessments."""

from fastapi import APIRouter

from app.routes.admin import assessments, auth, insights, oidc, overview, prices, webhooks, weights

router = APIRouter(include_in_schema=False)
for _module in (overview, auth, oidc, weights, prices, assessments, insights, webhooks):
    router.include_router(_module.router)
