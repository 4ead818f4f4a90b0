"""Benchmark: the demo approval case in raw SpiffWorkflow (in memory) vs. through the engine (with the database).

Usage::

    python -m bench.engine [--cases N] [--warmup K] [--profile]

Both paths run ``workflows/demo/demo_assistance.bpmn`` along its approve path (apply → home visit →
democratic review → script + 7-day notice timer → township review → county approval → end) in the same
process, under one ``freezegun`` clock that ticks in real time; each case starts at the same simulated
Monday and jumps 8 days ahead to let the notice timer fire.

* raw: the diagram parsed once with ``SpiffBpmnParser``; per case a ``BpmnWorkflow`` is created and
  driven in memory (``task.data.update`` → ``task.run`` → ``do_engine_steps``; ``refresh_timers`` after
  the jump). Measured with the engine's sandboxed script engine (the baseline of the ratio) and, for
  context, with SpiffWorkflow's own ``PythonScriptEngine`` (``eval``/``exec`` with the engine's helper
  functions made available, since the diagram calls ``working_days`` and friends).
* engine: ``runtime.start_process``, then per open task a worklist query and
  ``runtime.complete_task`` (each its own transaction), and ``runtime.fire_instance_timers`` after the
  jump — what the portal does.

The database is the one ``DATABASE_URL`` names (unset: a temporary SQLite file), but the benchmark
always works in a throwaway copy made with Django's test-database machinery (SQLite: a file in a
temporary directory; other vendors: ``<name>_bench``), migrated, deployed, and dropped at the end.
Celery is forced to the in-process worker so no timer message ever reaches a real broker.

The last line printed is ``engine_overhead_ratio <engine s/case ÷ raw (sandboxed) s/case>`` where the
engine's s/case is the time spent inside its actions (start, complete, fire timers), and the raw s/case is
total time ÷ cases. The portal loop's ratio, which adds a worklist read before every task, is printed too.
"""

from __future__ import annotations

import argparse
import builtins
import cProfile
import io
import math
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# freezegun swaps every module-level reference to time.perf_counter for its fake clock while a freeze is
# active (and the fake moves with the simulated date); a reference inside a tuple is left alone.
_REAL_CLOCK = (time.perf_counter, time.process_time)

PROCESS_KEY = "demo_assistance"
DIAGRAM = Path("demo") / "demo_assistance.bpmn"
VILLAGE = "522601101201"  # a 12-digit village code; the roles' offices are its prefixes
# Monday 2026-03-02 09:00 China time: a plain working week, no holiday in the next 3 weeks.
BASE_TIME = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
TIME_JUMP = timedelta(days=8)  # past the 7-day notice timer, well before the county deadline
DEFAULT_CASES = 300
DEFAULT_WARMUP = 3
PROFILE_TOP = 25

FORM_DATA: dict[str, dict[str, Any]] = {
    "Task_apply": {"applicant_name": "张三", "household_size": 3, "requested_amount": 1200.456},
    "Task_home_visit": {"visited_on": "2026-03-03", "investigators": ["李四", "王五"], "findings": "家庭困难属实"},
    "Task_democratic_review": {"decision": "approve", "opinion": "评议通过"},
    "Task_township_review": {"decision": "approve", "opinion": "同意"},
    "Task_county_approval": {"decision": "approve", "opinion": "批准"},
}
USER_TASKS_PER_CASE = len(FORM_DATA)


def _now() -> float:
    return _REAL_CLOCK[0]()


def _cpu() -> float:
    return _REAL_CLOCK[1]()


class BenchError(RuntimeError):
    """A case did not run the way the approve path should."""


# --- environment -------------------------------------------------------------------------------------


def _prepare_environment(tmpdir: Path) -> None:
    """Settings choices made before Django reads the settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Never enqueue timer messages to a real broker: a worker there would act on the real database.
    os.environ.pop("CELERY_BROKER_URL", None)
    if not os.environ.get("DATABASE_URL"):
        # Never touch the developer's var/doudi.sqlite3.
        os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir / 'doudi_bench_main.sqlite3'}"


@dataclass
class Database:
    vendor: str
    version: str
    name: str
    old_name: str


def _create_database(tmpdir: Path) -> Database:
    from django.db import connection

    settings_dict = connection.settings_dict
    test = settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test["NAME"] = str(tmpdir / "doudi_bench.sqlite3")
    else:
        test["NAME"] = f"{settings_dict['NAME']}_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
        else:
            version = "?"
    return Database(connection.vendor, version, settings_dict["NAME"], old_name)


def _destroy_database(db: Database) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(db.old_name, verbosity=0, keepdb=False)


def _deploy_and_make_actor() -> tuple[Any, Any]:
    from django.conf import settings
    from django.contrib.auth.models import Group, User

    from engine.actors import candidate_group, task_jurisdiction
    from engine.deploy import deploy_directory

    outcomes = deploy_directory(settings.WORKFLOWS_DIR)
    problems = [str(p) for o in outcomes for p in o.problems]
    if problems:
        raise BenchError("deploying workflows failed: " + "; ".join(problems))
    definition = next((o.definition for o in outcomes if o.definition and o.definition.key == PROCESS_KEY), None)
    if definition is None:
        raise BenchError(f"{PROCESS_KEY} was not deployed from {settings.WORKFLOWS_DIR}")
    roles = sorted({role for lanes in definition.lane_roles.values() for role in lanes.values()})
    actor = User(username="bench")
    actor.set_unusable_password()
    actor.save()
    actor.groups.add(*[
        Group.objects.get_or_create(name=candidate_group(role, task_jurisdiction(role, VILLAGE)))[0] for role in roles
    ])
    return definition, actor


# --- the two paths -----------------------------------------------------------------------------------


@dataclass
class Timings:
    cases: list[float] = field(default_factory=list)
    # Engine path only: the time inside the engine's actions, without the portal's worklist reads.
    action_cases: list[float] = field(default_factory=list)
    actions: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    queries: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    case_queries: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


class RawRunner:
    """SpiffWorkflow alone: one parsed spec, one in-memory BpmnWorkflow per case."""

    def __init__(self, diagram: Path, script_engine: Any) -> None:
        from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(diagram))
        self.spec = parser.get_spec(PROCESS_KEY)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS_KEY)
        self.script_engine = script_engine

    def case(self, clock: Any, timings: Timings | None) -> None:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        clock.move_to(BASE_TIME)
        started = _now()
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.do_engine_steps()
        completed, jumped = 0, False
        while not workflow.completed:
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if ready:
                task = ready[0]
                task.data.update(FORM_DATA[task.task_spec.bpmn_id])
                task.run()
                workflow.do_engine_steps()
                completed += 1
            elif not jumped:
                clock.tick(TIME_JUMP)
                workflow.refresh_timers()
                workflow.do_engine_steps()
                jumped = True
            else:
                raise BenchError("raw workflow stopped with nothing ready and the timer already fired")
        elapsed = _now() - started
        if completed != USER_TASKS_PER_CASE or not jumped or workflow.data.get("decision") != "approve":
            raise BenchError(f"raw workflow took an unexpected path ({completed} user tasks, timer fired: {jumped})")
        if timings is not None:
            timings.cases.append(elapsed)


class QueryCounter:
    """Counts SQL statements sent through Django (BEGIN/COMMIT of a transaction are not statements)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class EngineRunner:
    """The engine's public API against the database, one transaction per action, as the portal calls it."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.counter = QueryCounter()
        self.sequence = 0

    def _fresh_request_user(self) -> None:
        # Each portal request loads its user anew, so the group lookup is not cached across actions.
        self.actor.__dict__.pop("_engine_groups", None)

    def case(self, clock: Any, timings: Timings | None) -> None:
        from django.db import connection

        from engine import runtime, worklist
        from engine.models import ProcessInstance

        counter = self.counter
        actions: list[tuple[str, float, int]] = []

        def act(name: str, call: Callable[[], Any]) -> Any:
            before_q, before_t = counter.count, _now()
            result = call()
            actions.append((name, _now() - before_t, counter.count - before_q))
            return result

        self.sequence += 1
        business_key = f"BENCH-{self.sequence:06d}"
        clock.move_to(BASE_TIME)
        with connection.execute_wrapper(counter):
            case_q, started, cpu_started = counter.count, _now(), _cpu()
            instance = act("start_process", lambda: runtime.start_process(
                PROCESS_KEY, jurisdiction=VILLAGE, actor=self.actor, business_key=business_key))
            completed, jumped = 0, False
            while True:
                self._fresh_request_user()
                rows = act("worklist", lambda: list(
                    worklist.actionable_tasks(self.actor).filter(instance_id=instance.pk)[:10]))
                if rows:
                    row = rows[0]
                    self._fresh_request_user()
                    act("complete_task", lambda row=row: runtime.complete_task(row.pk, self.actor,
                                                                                FORM_DATA[row.spec_id]))
                    completed += 1
                elif not jumped:
                    clock.tick(TIME_JUMP)
                    fired = act("fire_instance_timers", lambda: runtime.fire_instance_timers(instance.pk))
                    if not fired:
                        raise BenchError("no timer was due after the jump of 8 days")
                    jumped = True
                else:
                    break
            elapsed, cpu, case_queries = _now() - started, _cpu() - cpu_started, counter.count - case_q
        status = ProcessInstance.objects.filter(pk=instance.pk).values_list("status", flat=True).get()
        if status != ProcessInstance.Status.COMPLETED or completed != USER_TASKS_PER_CASE:
            raise BenchError(f"engine case {business_key} ended {status} after {completed} user tasks")
        if timings is not None:
            timings.cases.append(elapsed)
            timings.action_cases.append(sum(s for name, s, _ in actions if name != "worklist"))
            timings.case_queries.append(case_queries)
            timings.cpu.append(cpu)
            for name, seconds, queries in actions:
                timings.actions[name].append(seconds)
                timings.queries[name].append(queries)


def _run(runner: Any, clock: Any, cases: int, warmup: int) -> Timings:
    for _ in range(warmup):
        runner.case(clock, None)
    timings = Timings()
    for _ in range(cases):
        runner.case(clock, timings)
    return timings


# --- figures -----------------------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _per_case(timings: Timings) -> float:
    return sum(timings.cases) / len(timings.cases)


def _path_line(label: str, timings: Timings, cases: list[float] | None = None) -> str:
    cases = timings.cases if cases is None else cases
    median = statistics.median(cases) * 1000
    p95 = _p95(cases) * 1000
    rate = len(cases) / sum(cases)
    return f"{label:<38} median {median:9.2f} ms   p95 {p95:9.2f} ms   {rate:9.1f} cases/s"


# Where an engine action's time goes: (label, path suffix of the file, function name). Cumulative times
# overlap (an audit append contains SQL); each line is a share of the whole profiled run.
_BREAKDOWN = [
    ("SQL statements: Django cursor execute, incl. driver + server", "django/db/backends/utils.py", "_execute"),
    ("psycopg waiting on the server (statements and commits)", "psycopg/connection.py", "wait"),
    ("COMMIT (transaction end)", "django/db/backends/base/base.py", "_commit"),
    ("ORM: compiling queries (SQLCompiler.as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("ORM: building filters (Query.build_filter)", "django/db/models/sql/query.py", "build_filter"),
    ("state.loads: JSON → workflow (deserialize)", "engine/state.py", "loads"),
    ("state.dumps: workflow → JSON (serialize)", "engine/state.py", "dumps"),
    ("specs.load: parsed spec (cached)", "engine/specs.py", "load"),
    ("SpiffWorkflow do_engine_steps", "SpiffWorkflow/bpmn/workflow.py", "do_engine_steps"),
    ("SpiffWorkflow task.run (user task)", "SpiffWorkflow/task.py", "run"),
    ("sandboxed expressions: evaluate", "engine/expressions/interpreter.py", "evaluate"),
    ("sandboxed expressions: execute (scripts)", "engine/expressions/interpreter.py", "execute"),
    ("task_sync.apply: HumanTask/TimerEvent rows", "engine/task_sync.py", "apply"),
    ("  of which dueIn → HumanTask rows", "engine/task_sync.py", "_human_task_row"),
    ("runtime._schedule_next_timer", "engine/runtime.py", "_schedule_next_timer"),
    ("audit.append (link + insert)", "engine/audit.py", "append"),
    ("  of which compute_hash (sha256 of canonical JSON)", "engine/audit.py", "compute_hash"),
    ("  of which to_json_data (payload normalisation)", "engine/audit.py", "to_json_data"),
    ("runtime._json_data (input check)", "engine/runtime.py", "_json_data"),
    ("actors.user_groups (per-request group lookup)", "engine/actors.py", "user_groups"),
    ("worklist.actionable_tasks (query building)", "engine/worklist.py", "actionable_tasks"),
    ("freezegun fake clock (FakeDatetime.now)", "freezegun/api.py", "now"),
]


def _breakdown(stats: pstats.Stats) -> str:
    entries = stats.stats  # type: ignore[attr-defined]  # {(file, line, func): (cc, nc, tt, ct, callers)}
    total = stats.total_tt  # type: ignore[attr-defined]
    lines = [f"--- where the time goes (cumulative, share of {total:.2f} s profiled) ---"]
    for label, suffix, func in _BREAKDOWN:
        cumulative = sum(ct for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in entries.items()
                         if name == func and filename.replace(os.sep, "/").endswith(suffix))
        calls = sum(nc for (filename, _line, name), (_cc, nc, _tt, _ct, _callers) in entries.items()
                    if name == func and filename.replace(os.sep, "/").endswith(suffix))
        if calls:
            lines.append(f"{label:<62} {cumulative:7.3f} s {100 * cumulative / total:5.1f} %  {calls:7d} calls")
    return "\n".join(lines) + "\n"


def _profile_report(profile: cProfile.Profile) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    out.write(_breakdown(stats))
    stats.strip_dirs().sort_stats("cumulative").print_stats(PROFILE_TOP)
    out.write(f"--- top {PROFILE_TOP // 2} by own time ---\n")
    stats.sort_stats("tottime").print_stats(PROFILE_TOP // 2)
    return out.getvalue()


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help=f"measured cases per path ({DEFAULT_CASES})")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP,
                        help=f"unmeasured cases per path before measuring ({DEFAULT_WARMUP})")
    parser.add_argument("--profile", action="store_true",
                        help=f"also run the engine cases under cProfile and print the top {PROFILE_TOP} functions")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.warmup < 0:
        parser.error("--cases must be at least 1 and --warmup at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    tmpdir = Path(tempfile.mkdtemp(prefix="doudi-bench-"))
    try:
        return _main(args, tmpdir)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _main(args: argparse.Namespace, tmpdir: Path) -> int:
    _prepare_environment(tmpdir)
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment, teardown_test_environment
    from freezegun import freeze_time
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

    from engine import specs
    from engine.expressions import HELPERS
    from engine.script_engine import SANDBOX

    setup_test_environment(debug=False)  # DEBUG off, as deployed: no per-query logging
    db = _create_database(tmpdir)
    try:
        setup_started = _now()
        _definition, actor = _deploy_and_make_actor()
        specs.clear_cache()
        diagram = Path(settings.WORKFLOWS_DIR) / DIAGRAM
        # SpiffWorkflow's own engine: eval/exec; the diagram's helpers that are not builtins made available.
        python_engine = PythonScriptEngine(environment=TaskDataEnvironment(
            {name: fn for name, fn in HELPERS.items() if not hasattr(builtins, name)}))
        raw_sandbox = RawRunner(diagram, SANDBOX)
        raw_python = RawRunner(diagram, python_engine)
        engine_runner = EngineRunner(actor)
        setup_seconds = _now() - setup_started

        profile_text = ""
        with freeze_time(BASE_TIME, tick=True) as clock:
            raw = _run(raw_sandbox, clock, args.cases, args.warmup)
            raw_py = _run(raw_python, clock, args.cases, args.warmup)
            eng = _run(engine_runner, clock, args.cases, args.warmup)
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                _run(engine_runner, clock, args.cases, 0)
                profile.disable()
                profile_text = _profile_report(profile)
    finally:
        _destroy_database(db)
        teardown_test_environment()

    if profile_text:
        print(f"=== cProfile of {args.cases} engine cases (top {PROFILE_TOP} by cumulative time) ===")
        print(profile_text.rstrip())
        print()
    print(f"doudi engine benchmark: {PROCESS_KEY} ({DIAGRAM.as_posix()}), approve path, "
          f"{USER_TASKS_PER_CASE} user tasks + 1 timer per case")
    print(f"database: {db.vendor} {db.version} (throwaway database {db.name})")
    print(f"python {sys.version.split()[0]}; cases {args.cases} per path, warmup {args.warmup}; "
          f"setup (deploy, parse) {setup_seconds:.2f} s")
    print(_path_line("raw SpiffWorkflow, sandbox", raw))
    print(_path_line("raw SpiffWorkflow, PythonScriptEngine", raw_py))
    print(_path_line("engine + database, portal loop", eng))
    print(_path_line("engine + database, engine actions", eng, eng.action_cases))
    parts = []
    for name in ("start_process", "worklist", "complete_task", "fire_instance_timers"):
        values = eng.actions.get(name)
        if values:
            parts.append(f"{name} {statistics.median(values) * 1000:.2f} ms / "
                         f"{statistics.median(eng.queries[name]):g} SQL")
    print("engine per action (median): " + "; ".join(parts))
    print(f"engine SQL statements per case: {statistics.median(eng.case_queries):g}; "
          f"CPU time of this process per case (median): {statistics.median(eng.cpu) * 1000:.2f} ms "
          f"(the rest is waiting: database server, disk sync)")
    loop_ratio = _per_case(eng) / _per_case(raw)
    print(f"portal loop (engine actions + a worklist read before each task) / raw: {loop_ratio:.2f}")
    ratio = (sum(eng.action_cases) / len(eng.action_cases)) / _per_case(raw)
    print(f"engine_overhead_ratio {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
