"""The Sources page: every capture source's health, last sync and problems; sync now."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.capture import selectors as capture_selectors
from accord.capture.services.sources import sync_source
from accord.platform.errors import AccordError
from accord.web.views.errors import HtmxHttpRequest, page


@page
def source_list(request: HtmxHttpRequest) -> HttpResponse:
    actor = request.user
    sources = capture_selectors.list_sources(actor)
    rows = [(s, capture_selectors.recent_problems(actor, s.pk, limit=5)) for s in sources]
    return render(request, "web/sources/list.html",
                  {"rows": rows, "flash": request.session.pop("sources_flash", ""),
                   "file_problems": capture_selectors.recent_problems(actor, None)})


@page
@require_POST
def source_sync(request: HtmxHttpRequest, name: str) -> HttpResponse:
    """Sync one source now; the page shows the outcome (a failure is on the source too)."""
    source = capture_selectors.source_by_name(request.user, name)
    try:
        report = sync_source(actor=request.user, source_id=source.pk)
        request.session["sources_flash"] = (
            f"{source.name}: {report.captured} captured, {report.present} already present, "
            f"{report.skipped} skipped, {len(report.rejected)} rejected.")
    except AccordError as exc:
        request.session["sources_flash"] = f"{source.name}: sync failed: {exc.message}"
    return redirect("web:sources")
