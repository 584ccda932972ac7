"""The proxy in front of every served kind: one nginx conf, written once, that nginx accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.nginx_proxy import CONF_TEMPLATE, check_conf

SHARED_CONF = REPO_ROOT / "templates" / "_shared" / "nginx.conf.template.jinja"
# The prototype has no production recipe (no Dockerfile, no compose.yaml): nothing to put in front.
SERVED_KINDS = ("website", "rest_api", "microservice")


@pytest.mark.parametrize("kind", SERVED_KINDS)
def test_every_served_kind_ships_the_shared_proxy_conf_and_nginx_accepts_it(
    copie: Any, nginx: str, tmp_path: Path, kind: str
) -> None:
    result = copie.copy(extra_answers={"use_case": kind}, vcs_ref="HEAD")
    assert result.exit_code == 0, result.exception
    conf = result.project_dir / CONF_TEMPLATE

    assert conf.read_text() == SHARED_CONF.read_text()
    checked = check_conf(nginx, conf, tmp_path / "nginx")
    assert checked.returncode == 0, checked.stderr
