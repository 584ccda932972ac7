"""Months later: plain `copier update` (and `flaskstarter update`) take a newer template version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_cli, snapshot
from tests.template_repo import TemplateRepo, git
from tests.upgrade_project import refuse_commas_in_descriptions

COPIER = str(Path(sys.executable).parent / "copier")
USER_ROUTE = """

    @app.get("/hello")
    def hello() -> str:
        return "hello from the team"
"""


@pytest.fixture
def project(tmp_path: Path, template_repo: TemplateRepo, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A prototype the CLI generated from the throw-away repo's v0.1.0, with user edits."""
    monkeypatch.setenv("FLASKSTARTER_TEMPLATE_URL", template_repo.url)
    destination = tmp_path / "demo"
    code, _, err = run_cli("new", str(destination), "-k", "prototype", "-y")
    assert code == 0, err
    module = destination / "demo" / "__init__.py"
    module.write_text(module.read_text() + USER_ROUTE)
    readme = destination / "README.md"
    readme.write_text(
        readme.read_text().replace(
            "A prototype: the fewest files", "OUR TEAM's prototype: the fewest files"
        )
    )
    git(destination, "commit", "--quiet", "-am", "Our edits")
    return destination


def _move_template_forward(repo: TemplateRepo) -> None:
    repo.edit(
        "prototype", "{{package_name}}/static/style.css", "--accent: #2f6fde;", "--accent: #7c3aed;"
    )
    repo.edit(
        "prototype",
        "README.md.jinja",
        "A prototype: the fewest files",
        "A PROTOTYPE v2: the fewest files",
    )
    (repo.template_file("prototype", "CHANGELOG.md")).write_text("# Changelog\n\n- v0.2.0\n")
    repo.commit_and_tag("0.2.0")


def test_plain_copier_update_keeps_edits_applies_changes_marks_conflicts(
    project: Path, template_repo: TemplateRepo
) -> None:
    env_before = (project / ".env").read_bytes()
    _move_template_forward(template_repo)

    result = subprocess.run(
        [COPIER, "update", "--defaults", "--conflict", "inline"],
        cwd=project,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "hello from the team" in (project / "demo" / "__init__.py").read_text()
    assert "--accent: #7c3aed;" in (project / "demo" / "static" / "style.css").read_text()
    assert (project / "CHANGELOG.md").exists()
    readme = (project / "README.md").read_text()
    assert "<<<<<<< before updating" in readme and ">>>>>>> after updating" in readme
    assert "OUR TEAM's prototype" in readme and "A PROTOTYPE v2" in readme
    assert "_commit: v0.2.0" in (project / ".copier-answers.yml").read_text()
    assert (project / ".env").read_bytes() == env_before


def test_flaskstarter_update_lists_conflicts_and_fails(
    project: Path, template_repo: TemplateRepo
) -> None:
    _move_template_forward(template_repo)

    code, out, _ = run_cli("update", str(project))

    assert code == 1
    assert "v0.1.0 -> v0.2.0" in out
    assert "README.md (conflict)" in out
    assert "1 file(s) have conflict markers" in out


def test_flaskstarter_update_without_conflicts_succeeds(
    project: Path, template_repo: TemplateRepo
) -> None:
    template_repo.edit(
        "prototype", "{{package_name}}/static/style.css", "--accent: #2f6fde;", "--accent: #0f766e;"
    )
    template_repo.commit_and_tag("0.2.0")

    code, out, err = run_cli("update", str(project))

    assert code == 0, err + out
    assert "demo/static/style.css" in out
    assert "--accent: #0f766e;" in (project / "demo" / "static" / "style.css").read_text()


def test_update_pretend_changes_nothing(project: Path, template_repo: TemplateRepo) -> None:
    _move_template_forward(template_repo)
    before = snapshot(project)

    code, _, err = run_cli("update", str(project), "--pretend")

    assert code == 0, err
    assert snapshot(project) == before


def _dirty(project: Path) -> Path:
    (project / "scratch.txt").write_text("uncommitted")
    return project


def _no_answers(project: Path) -> Path:
    git(project, "rm", "--quiet", ".copier-answers.yml")
    git(project, "commit", "--quiet", "-m", "drop answers")
    return project


def _corrupted_answers(project: Path) -> Path:
    (project / ".copier-answers.yml").write_text("_src_path: [unclosed\n")
    git(project, "commit", "--quiet", "-am", "corrupt answers")
    return project


def _not_git(project: Path) -> Path:
    import shutil

    shutil.rmtree(project / ".git")
    return project


def _unreachable(project: Path) -> Path:
    answers = project / ".copier-answers.yml"
    text = answers.read_text()
    start = text.index("_src_path:")
    end = text.index("\n", start)
    answers.write_text(text[:start] + "_src_path: /nonexistent/flaskstarter-templates" + text[end:])
    git(project, "commit", "--quiet", "-am", "point elsewhere")
    return project


UPDATE_CASES = [
    ("dirty-tree", _dirty, "uncommitted changes"),
    ("no-answers-file", _no_answers, "has no .copier-answers.yml"),
    ("corrupted-answers-file", _corrupted_answers, "not valid YAML"),
    ("not-a-git-repo", _not_git, "not a git repository"),
    ("unreachable-source", _unreachable, "template"),
]


@pytest.mark.parametrize(
    ("spoil", "expected"), [c[1:] for c in UPDATE_CASES], ids=[c[0] for c in UPDATE_CASES]
)
def test_update_refuses_clearly(project: Path, spoil, expected: str) -> None:
    spoil(project)
    before = snapshot(project)

    code, out, err = run_cli("update", str(project))

    message = (err or out).strip()
    assert code != 0
    assert "Traceback" not in out + err
    assert len(message.splitlines()) == 1, message
    assert expected in message
    assert snapshot(project) == before


def test_update_outside_any_project(tmp_path: Path) -> None:
    code, _, err = run_cli("update", str(tmp_path))
    assert code == 1
    assert "has no .copier-answers.yml" in err


# --- Updates say what they do (issue 14, item 6)


def test_pretend_names_the_target_version_and_lists_what_would_change(
    project: Path, template_repo: TemplateRepo
) -> None:
    _move_template_forward(template_repo)
    before = snapshot(project)
    head_before = git(project, "rev-parse", "HEAD")

    code, out, err = run_cli("update", str(project), "--pretend")

    assert code == 0, err
    assert "Would update" in out and "v0.1.0 -> v0.2.0" in out
    assert "CHANGELOG.md" in out
    assert "README.md (would conflict)" in out
    assert "demo/static/style.css" in out
    assert "Nothing was changed" in " ".join(out.split())
    assert snapshot(project) == before
    assert git(project, "rev-parse", "HEAD") == head_before
    assert git(project, "status", "--porcelain") == ""


def test_pretend_with_vcs_ref_names_that_version(
    project: Path, template_repo: TemplateRepo
) -> None:
    _move_template_forward(template_repo)
    template_repo.edit(
        "prototype", "{{package_name}}/static/style.css", "--accent: #7c3aed;", "--accent: #000;"
    )
    template_repo.commit_and_tag("0.3.0")

    code, out, err = run_cli("update", str(project), "--pretend", "--vcs-ref", "v0.2.0")

    assert code == 0, err
    assert "v0.1.0 -> v0.2.0" in out and "v0.3.0" not in out


@pytest.mark.parametrize("options", [[], ["--pretend"], ["--vcs-ref", "v0.1.0"]])
def test_with_nothing_newer_update_says_so_and_changes_nothing(
    project: Path, options: list[str]
) -> None:
    before = snapshot(project)
    head_before = git(project, "rev-parse", "HEAD")

    code, out, err = run_cli("update", str(project), *options)

    assert code == 0, err
    assert "already at the newest template version (v0.1.0)" in " ".join(out.split())
    assert "->" not in out and "Updated" not in out
    assert snapshot(project) == before
    assert git(project, "rev-parse", "HEAD") == head_before


def test_changed_file_names_are_printed_escaped(project: Path, template_repo: TemplateRepo) -> None:
    (template_repo.template_file("prototype", "new\x1b]0;pwned\x07.txt")).write_text("x\n")
    template_repo.commit_and_tag("0.2.0")

    code, out, err = run_cli("update", str(project))

    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "new\\x1b]0;pwned\\x07.txt" in out
    assert (project / "new\x1b]0;pwned\x07.txt").exists()


# --- What an update will do, file by file (issue 17, item 6)


def _move_template_forward_every_way(repo: TemplateRepo) -> None:
    """v0.2.0 adds, changes and deletes a file, and changes a line the team changed too."""
    (repo.template_file("prototype", ".pre-commit-config.yaml.jinja")).unlink()
    _move_template_forward(repo)  # adds CHANGELOG.md, changes style.css and README.md


@pytest.mark.parametrize("pretend", [True, False], ids=["pretend", "update"])
def test_each_file_is_listed_as_added_changed_deleted_or_conflicting(
    project: Path, template_repo: TemplateRepo, pretend: bool
) -> None:
    _move_template_forward_every_way(template_repo)

    code, out, _ = run_cli("update", str(project), *(["--pretend"] if pretend else []))

    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert code == (0 if pretend else 1)
    assert f"{'Would update' if pretend else 'Updated'} {project}: v0.1.0 -> v0.2.0" in lines
    assert "CHANGELOG.md (added)" in lines
    assert "demo/static/style.css (changed)" in lines
    assert ".pre-commit-config.yaml (deleted)" in lines
    assert f"README.md ({'would conflict' if pretend else 'conflict'})" in lines
    assert "demo/__init__.py (changed)" not in lines  # the team's edit alone: nothing to do


def _template_removes_a_file_the_team_edited(project: Path, repo: TemplateRepo) -> None:
    """The team edits static/app.js; the next version no longer has that file."""
    script = project / "demo" / "static" / "app.js"
    script.write_text(script.read_text() + "// The team's own addition.\n")
    git(project, "commit", "--quiet", "-am", "Team edits the script")
    (repo.template_file("prototype", "{{package_name}}/static/app.js")).unlink()
    (repo.template_file("prototype", "{{package_name}}/static/style.css")).unlink()
    repo.commit_and_tag("0.2.0")


def test_a_file_the_new_version_removes_is_kept_when_the_team_edited_it(
    project: Path, template_repo: TemplateRepo
) -> None:
    _template_removes_a_file_the_team_edited(project, template_repo)
    committed = git(project, "show", "HEAD:demo/static/app.js")

    code, out, _ = run_cli("update", str(project))

    text = " ".join(out.split())
    assert code == 1
    assert "demo/static/app.js (removed by the new version; your edits kept)" in text
    assert "demo/static/style.css (deleted)" in text  # unedited: removed as the template says
    assert "1 file(s) the new version removes hold your edits" in text
    assert (project / "demo" / "static" / "app.js").read_text() == committed
    assert not (project / "demo" / "static" / "style.css").exists()
    assert "demo/static/app.js" not in git(project, "status", "--porcelain")


def test_plain_copier_update_deletes_an_edited_file_the_new_version_removes(
    project: Path, template_repo: TemplateRepo
) -> None:
    """Copier's own behaviour, which flaskstarter update corrects (README: Upgrades)."""
    _template_removes_a_file_the_team_edited(project, template_repo)

    result = subprocess.run(
        [COPIER, "update", "--defaults", "--conflict", "inline"],
        cwd=project,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert not (project / "demo" / "static" / "app.js").exists()
    # Still in the last commit: `git checkout HEAD -- demo/static/app.js` brings it back.
    assert "The team's own addition" in git(project, "show", "HEAD:demo/static/app.js")


def test_update_to_any_tag_goes_to_that_version(project: Path, template_repo: TemplateRepo) -> None:
    _move_template_forward(template_repo)
    template_repo.edit(
        "prototype", "{{package_name}}/static/style.css", "--accent: #7c3aed;", "--accent: #000;"
    )
    template_repo.commit_and_tag("0.3.0")

    code, out, _ = run_cli("update", str(project), "--vcs-ref", "v0.2.0")

    assert code == 1  # README.md conflicts, as in v0.2.0
    assert "v0.1.0 -> v0.2.0" in out
    assert "_commit: v0.2.0" in (project / ".copier-answers.yml").read_text()
    assert "--accent: #7c3aed;" in (project / "demo" / "static" / "style.css").read_text()


@pytest.mark.parametrize(
    ("ref", "expected"),
    [("v9.9.9", "v9.9.9"), ("no-such-branch", "no-such-branch")],
    ids=["unknown-tag", "unknown-ref"],
)
def test_an_unknown_version_is_refused_on_one_line(
    project: Path, template_repo: TemplateRepo, ref: str, expected: str
) -> None:
    _move_template_forward(template_repo)
    before = snapshot(project)

    code, out, err = run_cli("update", str(project), "--vcs-ref", ref)

    assert code == 1
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err
    assert snapshot(project) == before


def test_an_older_version_is_refused(project: Path, template_repo: TemplateRepo) -> None:
    template_repo.edit(
        "prototype", "{{package_name}}/static/style.css", "--accent: #2f6fde;", "--accent: #000;"
    )
    template_repo.commit_and_tag("0.2.0")
    assert run_cli("update", str(project))[0] == 0
    git(project, "commit", "--quiet", "-am", "Take v0.2.0")
    before = snapshot(project)

    code, out, err = run_cli("update", str(project), "--vcs-ref", "v0.1.0")

    assert code == 1
    assert "Traceback" not in out + err
    assert "downgrade" in err.lower()
    assert snapshot(project) == before


# --- Switching answers on an update (issue 17, item 4): what is refused, before Copier runs


@pytest.fixture
def rest_api(tmp_path: Path, template_repo: TemplateRepo, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLASKSTARTER_TEMPLATE_URL", template_repo.url)
    destination = tmp_path / "shop"
    code, _, err = run_cli("new", str(destination), "-k", "rest_api", "-y")
    assert code == 0, err
    return destination


REFUSED_SWITCHES = [
    ("use_case=website", "cannot change use_case from 'rest_api' to 'website'"),
    ("package_name=other", "cannot change package_name from 'shop' to 'other'"),
    ("api_framework=flask-restful", "cannot change api_framework"),
    ("database=postgresql", "cannot change database from 'sqlite' to 'postgresql'"),
    ("resource_name=books", "cannot change resource_name"),
    ("api_auth=api_key", "the supported switches are: rate_limit False -> True"),
    ("cache=redis", "cannot change cache from None to 'redis' in a rest_api project"),
    ("no_such_question=1", "Unknown question 'no_such_question'"),
    ("cors=maybe", "cors"),
]


@pytest.mark.parametrize(
    ("option", "expected"), REFUSED_SWITCHES, ids=[case[0] for case in REFUSED_SWITCHES]
)
def test_an_unsupported_switch_is_refused_on_one_line_touching_nothing(
    rest_api: Path, template_repo: TemplateRepo, option: str, expected: str
) -> None:
    template_repo.commit_and_tag("0.2.0")
    before = snapshot(rest_api)
    head_before = git(rest_api, "rev-parse", "HEAD")

    code, out, err = run_cli("update", str(rest_api), "-d", option)

    message = " ".join(err.split())
    assert code != 0
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1, err
    assert expected in message
    assert snapshot(rest_api) == before
    assert git(rest_api, "rev-parse", "HEAD") == head_before


def test_a_data_file_is_read_as_data_options_are(rest_api: Path, tmp_path: Path) -> None:
    answers = tmp_path / "switch.yml"
    answers.write_text("database: postgresql\n")

    code, _, err = run_cli("update", str(rest_api), "--data-file", str(answers))

    assert code == 1
    assert "cannot change database from 'sqlite' to 'postgresql'" in " ".join(err.split())


def test_free_text_answers_change_on_an_update(rest_api: Path) -> None:
    code, out, err = run_cli(
        "update", str(rest_api), "--pretend", "-d", "description=The team's own API."
    )

    assert code == 0, err
    text = " ".join(out.split())
    assert "answer description: 'A Flask project generated by flaskstarter.' -> " in text
    assert "README.md (changed)" in text and "pyproject.toml (changed)" in text


# --- An answer the new version refuses (issue 17, item 3)


@pytest.fixture
def described(tmp_path: Path, template_repo: TemplateRepo, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A prototype whose description v0.2.0 refuses (it forbids commas)."""
    monkeypatch.setenv("FLASKSTARTER_TEMPLATE_URL", template_repo.url)
    destination = tmp_path / "demo"
    code, _, err = run_cli(
        "new", str(destination), "-k", "prototype", "-y", "-d", "description=Ours, alas."
    )
    assert code == 0, err
    refuse_commas_in_descriptions(template_repo)
    template_repo.commit_and_tag("0.2.0")
    return destination


@pytest.mark.parametrize("options", [[], ["--pretend"]], ids=["update", "pretend"])
def test_an_answer_the_new_version_refuses_stops_the_update_touching_nothing(
    described: Path, options: list[str]
) -> None:
    before = snapshot(described)
    head_before = git(described, "rev-parse", "HEAD")

    code, _, err = run_cli("update", str(described), *options)

    message = " ".join(err.split())
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert "Version v0.2.0 no longer accepts description='Ours, alas.'" in message
    assert "give another with -d description=..." in message
    assert snapshot(described) == before
    assert git(described, "rev-parse", "HEAD") == head_before
    assert git(described, "status", "--porcelain") == ""


def test_a_new_answer_given_with_data_lets_the_update_through(described: Path) -> None:
    code, out, err = run_cli("update", str(described), "-d", "description=Ours and only ours.")

    assert code == 0, err
    assert "answer description: 'Ours, alas.' -> 'Ours and only ours.'" in " ".join(out.split())
    assert "description: Ours and only ours." in (described / ".copier-answers.yml").read_text()


def test_plain_copier_update_replaces_a_refused_answer_by_its_default(described: Path) -> None:
    """Copier's own behaviour with --defaults, which flaskstarter update refuses (README)."""
    result = subprocess.run(
        [COPIER, "update", "--defaults", "--conflict", "inline"],
        cwd=described,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    answers = (described / ".copier-answers.yml").read_text()
    assert "Ours, alas." not in answers
    assert "description: A Flask project generated by flaskstarter." in answers
