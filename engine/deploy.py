"""Deploying BPMN/DMN files as versioned ``ProcessDefinition`` rows.

A file whose content and resolved dependencies equal its latest version deploys nothing; otherwise
it becomes version N+1. A file with any problem is refused whole and nothing of it is written; the
running version stays as it was. Call activities and business rule tasks resolve to the latest
deployed version of the process or decision they name, and that version is pinned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from . import audit
from .errors import DeployError, Problem
from .lint import lint_file
from .models import ProcessDefinition
from .parsing import ParsedFile, read_file
from .specs import parsed_definition


@dataclass
class DeployOutcome:
    path: str
    definition: ProcessDefinition | None = None
    created: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Dependency:
    definition: ProcessDefinition
    parsed: ParsedFile


def latest(key: str) -> ProcessDefinition | None:
    return (
        ProcessDefinition.objects.filter(key=key, status=ProcessDefinition.Status.ACTIVE)
        .order_by("-version")
        .first()
    )


def _needs(parsed: ParsedFile) -> list[str]:
    return sorted(parsed.called_processes - set(parsed.provides) - {""}) + sorted(parsed.called_decisions - {""})


def _order(files: list[ParsedFile]) -> tuple[list[ParsedFile], list[Problem]]:
    """Dependencies before their users; a cycle between files is a problem."""
    by_key = {f.key: f for f in files if f.key}
    ordered: list[ParsedFile] = []
    state: dict[str, str] = {}
    problems: list[Problem] = []

    def visit(f: ParsedFile, trail: list[str]) -> None:
        mark = state.get(f.path)
        if mark == "done":
            return
        if mark == "visiting":
            problems.append(Problem(f.path, "", "call cycle: " + " -> ".join([*trail, f.key])))
            return
        state[f.path] = "visiting"
        for need in _needs(f):
            if need in by_key:
                visit(by_key[need], [*trail, f.key])
        state[f.path] = "done"
        ordered.append(f)

    for f in files:
        visit(f, [])
    return ordered, problems


def _resolve(parsed: ParsedFile, deployed: dict[str, ProcessDefinition], refused: set[str]) -> tuple[
    dict[str, Any], list[_Dependency], list[Problem]
]:
    pins: dict[str, Any] = {}
    deps: dict[int, _Dependency] = {}
    problems: list[Problem] = []
    for need in _needs(parsed):
        if need in refused:
            problems.append(Problem(parsed.path, need, f"depends on '{need}', which was refused in this deploy"))
            continue
        definition = deployed.get(need) or latest(need)
        if definition is None:
            continue  # lint names it as not deployed
        kind = "decision" if definition.kind == ProcessDefinition.Kind.DMN else "process"
        pins[f"{kind}:{need}"] = {"id": definition.pk, "key": definition.key, "version": definition.version}
        pins.update(definition.dependencies)
        deps[definition.pk] = _Dependency(definition, parsed_definition(definition))
        for sub in ProcessDefinition.objects.filter(pk__in=[d["id"] for d in definition.dependencies.values()]):
            deps.setdefault(sub.pk, _Dependency(sub, parsed_definition(sub)))
    return pins, list(deps.values()), problems


def _deploy_one(parsed: ParsedFile, pins: dict[str, Any], actor: Any) -> tuple[ProcessDefinition, bool]:
    with transaction.atomic():
        current = latest(parsed.key)
        if current is not None and current.sha256 == parsed.sha256 and current.dependencies == pins:
            return current, False
        versions = ProcessDefinition.objects.filter(key=parsed.key).order_by("-version")
        version = (versions.values_list("version", flat=True).first() or 0) + 1
        definition = ProcessDefinition.objects.create(
            key=parsed.key,
            version=version,
            kind=parsed.kind,
            name=parsed.name,
            source_path=parsed.path,
            source=parsed.source,
            sha256=parsed.sha256,
            provides=parsed.provides,
            dependencies=pins,
            lane_roles=parsed.lane_roles,
            deployed_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.append(
            "definition.deployed",
            actor=actor,
            payload={
                "key": definition.key,
                "version": version,
                "kind": definition.kind,
                "path": parsed.path,
                "sha256": definition.sha256,
                "dependencies": pins,
                "previous_version": current.version if current else None,
            },
        )
    return definition, True


def deploy_sources(sources: list[tuple[str, str | bytes]], *, actor: Any = None) -> list[DeployOutcome]:
    """Deploy a batch of (path, content) files; every file is accepted or refused on its own."""
    outcomes: dict[str, DeployOutcome] = {}
    parsed_files: list[ParsedFile] = []
    for path, content in sources:
        parsed, problems = read_file(path, content)
        outcomes[path] = DeployOutcome(path, problems=problems)
        if parsed is not None:
            if not parsed.key:
                outcomes[path].problems.append(
                    Problem(path, "", "not executable: no process has isExecutable=\"true\"" if parsed.kind == "bpmn"
                            else "no decision in this DMN file")
                )
            else:
                parsed_files.append(parsed)
    keys: dict[str, str] = {}
    for parsed in parsed_files:
        if parsed.key in keys:
            outcomes[parsed.path].problems.append(
                Problem(parsed.path, "", f"'{parsed.key}' is also defined in {keys[parsed.key]}")
            )
        keys[parsed.key] = parsed.path
    ordered, cycle_problems = _order([p for p in parsed_files if outcomes[p.path].ok])
    for problem in cycle_problems:
        outcomes[problem.file].problems.append(problem)

    deployed: dict[str, ProcessDefinition] = {}
    refused = {p.key for p in parsed_files if not outcomes[p.path].ok}
    for parsed in ordered:
        outcome = outcomes[parsed.path]
        if not outcome.ok:
            refused.add(parsed.key)
            continue
        pins, deps, problems = _resolve(parsed, deployed, refused)
        outcome.problems.extend(problems)
        outcome.problems.extend(lint_file(parsed, [d.parsed for d in deps]))
        if not outcome.ok:
            refused.add(parsed.key)
            continue
        try:
            outcome.definition, outcome.created = _deploy_one(parsed, pins, actor)
        except IntegrityError:
            message = "another deploy of this process ran at the same time; retry"
            outcome.problems.append(Problem(parsed.path, "", message))
            refused.add(parsed.key)
            continue
        deployed[parsed.key] = outcome.definition
    return [outcomes[path] for path, _ in sources]


def deploy_source(path: str, content: str | bytes, *, actor: Any = None) -> DeployOutcome:
    """Deploy one file or raise ``DeployError`` listing every problem."""
    outcome = deploy_sources([(path, content)], actor=actor)[0]
    if not outcome.ok:
        raise DeployError(outcome.problems)
    return outcome


def workflow_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in {".bpmn", ".dmn"} and p.is_file())


def deploy_directory(directory: Path, *, actor: Any = None) -> list[DeployOutcome]:
    files = workflow_files(directory)
    return deploy_sources(
        [(str(p.relative_to(directory)), p.read_bytes()) for p in files], actor=actor
    )
