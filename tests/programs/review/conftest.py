"""The workflow fixtures (jurisdictions, staff per role, the test PKI) and the review's own."""

from tests.workflows.conftest import (  # noqa: F401 - fixtures
    delegated_people,
    jurisdictions,
    people,
    records_settings,
    workflow_pki,
)

from .support import review_programs  # noqa: F401 - a fixture
