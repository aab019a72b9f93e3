"""(being written)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
api_router = APIRouter(tags=["innovations"])
