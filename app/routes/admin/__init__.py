"""The admin audience: one router over the overview, sign-in, weights, prices and assessments."""

from fastapi import APIRouter

from app.routes.admin import assessments, auth, overview, prices, weights

router = APIRouter(include_in_schema=False)
for _module in (overview, auth, weights, prices, assessments):
    router.include_router(_module.router)
