"""A fixed-window rate limiter on Django's cache (locmem by default, Redis when configured)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/m"`` → (30, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), _UNITS[(unit or "m").strip()[0]]


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(key: str, rate: str) -> bool:
    """Count one request for ``key``; False once the rate is exceeded in the current window."""
    limit, window = parse_rate(rate)
    bucket = f"doudi-rl:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window + 1)
        count = 1
    return count <= limit


def rate_limited(scope: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not hit(f"{scope}:{client_address(request)}", settings.RECORDS_VERIFY_RATE):
                response = render(request, "records/rate_limited.html", status=429)
                response["Retry-After"] = str(parse_rate(settings.RECORDS_VERIFY_RATE)[1])
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
