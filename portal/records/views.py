"""The public verification pages: no login, rate-limited per client address."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import service
from .forms import UploadForm
from .models import Record
from .ratelimit import rate_limited
from .verify import verify_bytes


@never_cache
@require_http_methods(["GET"])
@rate_limited("records-verify")
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """Reached from the QR code: verifies the stored record that the token names."""
    record = Record.objects.filter(token=token).first()
    if record is None or not record.file:
        raise Http404
    report = verify_bytes(service.read(record))
    return render(request, "records/verify.html", {"record": record, "report": report, "form": UploadForm()})


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("records-verify")
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Upload a copy of a record: its signatures and whether it matches the audit chain."""
    report = record = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            report = verify_bytes(form.cleaned_data["file"].read())
            if report.audit is not None and report.audit.record_id:
                record = Record.objects.filter(pk=report.audit.record_id).first()
    else:
        form = UploadForm()
    status = 200 if request.method == "GET" or report is not None else 400
    return render(request, "records/verify.html", {"record": record, "report": report, "form": form}, status=status)
