"""The assistance programs as shipped (portal/cases/data/programs.json), loaded through ``manage.py load_programs``,
so that tests run against the configuration production runs: names, processes, forms, payment and household rules."""

from __future__ import annotations

import io

from django.core.management import call_command

from portal.cases.models import Program


def load_programs() -> dict[str, Program]:
    """Load (or reset to the file) every shipped program; return the programs by code."""
    call_command("load_programs", stdout=io.StringIO())
    return {program.code: program for program in Program.objects.all()}


def shipped_program(code: str) -> Program:
    """The shipped program ``code``, loading the programs the first time; a program already loaded is kept as is."""
    program = Program.objects.filter(code=code).first()
    return program or load_programs()[code]
