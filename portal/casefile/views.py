"""The case list and the case page. A case is found only through ``visible_cases(user)``: another
office's case does not exist for the user (404), and neither do its diagram and documents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from engine import bpmn_layout, runtime, worklist
from engine.models import ProcessDefinition
from portal.cases.models import Case, Member, Program
from portal.cases.permissions import visible_cases
from portal.records.models import Record

from . import diagram_language, page, progress, timeline, viewlog

PAGE_SIZE = 25


def _with_head_name(cases: QuerySet[Case]) -> QuerySet[Case]:
    heads = Member.objects.filter(household=OuterRef("household"), relation=Member.Relation.HEAD)
    return cases.annotate(head_name=Subquery(heads.values("name")[:1]))


def _case(request: HttpRequest, pk: int) -> Case:
    case = (visible_cases(request.user).filter(pk=pk)
            .select_related("program", "household__village", "instance__definition").first())
    if case is None:
        raise Http404
    return case


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "program": request.GET.get("program", ""),
        "status": request.GET.get("status", ""),
        "village": request.GET.get("village", "").strip(),
        "q": request.GET.get("q", "").strip(),
    }
    cases = _with_head_name(visible_cases(request.user)).select_related("program", "household__village")
    if filters["program"]:
        cases = cases.filter(program_id=filters["program"])
    if filters["status"] in Case.Status.values:
        cases = cases.filter(status=filters["status"])
    if filters["village"].isdigit():
        cases = cases.filter(household__village__code__startswith=filters["village"])
    if filters["q"]:
        cases = cases.filter(Q(business_key__icontains=filters["q"]) | Q(head_name__icontains=filters["q"]))
    page_obj = Paginator(cases.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casefile/case_list.html", {
        "page": page_obj, "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "programs": Program.objects.order_by("code"), "statuses": Case.Status.choices,
    })


def _diagram_data(case: Case) -> list[dict]:
    if case.instance is None:
        return []
    base = reverse("casefile:diagram", args=[case.pk])
    data = []
    for diagram in progress.instance_progress(case.instance):
        entry = diagram.as_json()
        if diagram.definition_id is None:
            entry["url"] = ""
        elif diagram.ref == progress.MAIN:
            entry["url"] = base
        else:
            entry["url"] = f"{base}?{urlencode({'process': diagram.process})}"
        data.append(entry)
    return data


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    viewlog.record_view(case, request.user)
    instance = case.instance
    context = {
        "case": case,
        "village_path": page.village_path(case.household.village_id),
        "conflicts": list(case.conflicts.order_by("registered_at")) if case.separately_registered else [],
        "members": page.member_rows(case),
        "deadlines": page.deadlines(instance) if instance else [],
        "diagrams": _diagram_data(case),
        "timeline": timeline.entries(runtime.history(instance.pk) if instance
                                     else runtime.system_history(case.business_key)),
        "documents": page.documents(instance) if instance else [],
        "my_tasks": list(worklist.actionable_tasks(request.user).filter(instance=instance)) if instance else [],
    }
    return render(request, "casefile/case_detail.html", context)


@login_required
def diagram_xml(request: HttpRequest, pk: int) -> HttpResponse:
    """The BPMN file of the case's process (or of a process it calls), drawn if it has no drawing."""
    case = _case(request, pk)
    if case.instance is None:
        raise Http404
    definition = case.instance.definition
    process = request.GET.get("process", "") or definition.key
    definition_id = progress.called_definition_id(definition, process)
    if definition_id != definition.pk:
        definition = ProcessDefinition.objects.filter(pk=definition_id).first() if definition_id else None
    if definition is None:
        raise Http404
    source = definition.source
    if not bpmn_layout.has_diagram(source):
        source = bpmn_layout.layout_text(source)
    return HttpResponse(diagram_language.in_reader_language(source), content_type="application/xml; charset=utf-8")


@login_required
def record_download(request: HttpRequest, pk: int, record_pk: int) -> FileResponse:
    case = _case(request, pk)
    record = Record.objects.filter(pk=record_pk, instance_id=case.instance_id).exclude(instance=None).first()
    if record is None or not record.file:
        raise Http404
    try:
        handle = record.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = f"{case.business_key}-{record.kind}-{record.pk}.pdf"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
