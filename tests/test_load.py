"""Generated apps under load: no failed request, no 5xx, worker memory that levels off."""

from __future__ import annotations

import pytest

from flaskstarter.smoke import run_smoke
from flaskstarter.use_cases import UseCase
from tests.served_checks import under_load

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("use_case", list(UseCase), ids=[use_case.value for use_case in UseCase])
def test_bounded_load_ends_with_no_failure_and_bounded_memory(use_case: UseCase, request) -> None:
    answers = {"database": "postgresql"} if use_case is not UseCase.PROTOTYPE else {}
    if answers:
        request.getfixturevalue("postgres_url")

    report = run_smoke(use_case, answers, while_serving=under_load())

    assert report.ok, report.summary()
