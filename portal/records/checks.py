"""System checks of the signing configuration (``manage.py check``): every department named is known, and a county
that hands a department's lanes to another role (ENGINE_ROLE_OVERRIDES) does not keep sealing with that department."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from . import organisations


@checks.register()
def signing_departments(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    county_digits = settings.ENGINE_LEVEL_DIGITS["county"]
    configured = settings.RECORDS_SIGNING_DEPARTMENTS
    for scope, programs in configured.items():
        if scope != "default" and not (scope.isdigit() and len(scope) == county_digits):
            found.append(checks.Error(f"RECORDS_SIGNING_DEPARTMENTS: '{scope}' is neither 'default' nor a county code",
                                      id="records.E001"))
        for program, department in (programs or {}).items():
            if department not in settings.RECORDS_DEPARTMENTS:
                found.append(checks.Error(
                    f"RECORDS_SIGNING_DEPARTMENTS['{scope}']['{program}']: unknown department '{department}'",
                    hint=f"one of {', '.join(settings.RECORDS_DEPARTMENTS)}", id="records.E002"))
    if found:
        return found
    programs = {program for scoped in configured.values() for program in (scoped or {})}
    for county, overrides in settings.ENGINE_ROLE_OVERRIDES.items():
        for program in sorted(programs):
            department = organisations.signing_department(program, county)
            if department in settings.ENGINE_ROLES and department in overrides:
                found.append(checks.Warning(
                    f"county {county} hands the {department} lanes to {overrides[department]} "
                    f"(ENGINE_ROLE_OVERRIDES), but its {program} records are still sealed by {department}",
                    hint=f"set RECORDS_SIGNING_DEPARTMENTS['{county}']['{program}'] to the department that decides "
                         f"there", id="records.W001"))
    return found
