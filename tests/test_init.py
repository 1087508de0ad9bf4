"""`cxpolicy init`: a starter repository that checks clean at once and never overwrites a file."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys

from cxpolicy import engine

from .conftest import POLICIES, write_repo


def test_an_initialised_repository_checks_clean_and_its_rule_tests_pass(run, tmp_path):
    folder = tmp_path / "cx"
    result = run("init", str(folder))
    assert result.exit_code == 0 and "Next: cxpolicy check" in result.output
    checked = engine.run(str(folder), engine.Options(verbose=True))
    assert checked.outcome.findings == [] and checked.outcome.files == 10
    kinds = {entity.kind for kind in checked.policy.entities.values() for entity in kind.values()}
    assert kinds == {"Team", "Segment", "Channel", "Touchpoint", "Journey", "ServiceStandard", "KPI",
                     "ListeningPost", "Rule", "RuleTest"}
    assert checked.policy.project_entity is not None
    tested = run("test", str(folder))
    assert tested.exit_code == 0 and "2 passed, 0 failed" in tested.output


def test_init_never_overwrites_without_force(run, tmp_path):
    folder = write_repo(tmp_path / "cx", {"teams/teams.yaml": "# mine\n", "notes.txt": "keep\n"})
    refused = run("init", str(folder))
    assert refused.exit_code == 2 and "already has teams/teams.yaml" in refused.stderr
    assert (folder / "teams" / "teams.yaml").read_text() == "# mine\n" and not (folder / "cxpolicy.yaml").exists()
    assert run("init", "--force", str(folder)).exit_code == 0
    assert "kind: Team" in (folder / "teams" / "teams.yaml").read_text()
    assert (folder / "notes.txt").read_text() == "keep\n"  # what is not a starter file is left alone


def test_the_editor_settings_map_every_schema_written(run, tmp_path):
    folder = tmp_path / "cx"
    run("init", str(folder))
    settings = json.loads((folder / ".vscode" / "settings.json").read_text())
    ((schema_path, globs),) = settings["yaml.schemas"].items()
    assert schema_path == "./schemas/cxpolicy.schema.json" and (folder / schema_path).is_file()
    written = {path.relative_to(folder).as_posix() for path in folder.rglob("*.yaml")} - {".pre-commit-config.yaml"}
    assert all(any(fnmatch.fnmatch(path, glob.replace("**/", "")) or path == glob for glob in globs)
               for path in written), written  # every policy file the starter writes gets the schema
    assert settings["glspc.server.command"] == "cxpolicy" and settings["glspc.server.commandArguments"] == ["lsp"]
    assert json.loads((folder / ".vscode" / "extensions.json").read_text()) == {
        "recommendations": ["redhat.vscode-yaml", "zsol.vscode-glspc"]}


def test_the_starter_workflow_is_valid_for_github(run, tmp_path):
    folder = tmp_path / "cx"
    run("init", str(folder))
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(folder / ".github" / "workflows" / "cxpolicy.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_init_on_a_file_is_a_usage_error(run, tmp_path):
    (tmp_path / "f").write_text("x")
    result = run("init", str(tmp_path / "f"))
    assert result.exit_code == 2 and "is not a folder" in result.stderr


def test_init_example_retail_writes_the_example_set_with_the_starter_scaffolding(run, tmp_path):
    folder = tmp_path / "northwind"
    result = run("init", "--example", "retail", str(folder))
    assert result.exit_code == 0, result.stderr
    example = {path.relative_to(POLICIES).as_posix(): path.read_text() for path in POLICIES.rglob("*.yaml")}
    written = {path.relative_to(folder).as_posix(): path.read_text() for path in folder.rglob("*.yaml")
               if not path.name.startswith(".")}
    assert written == example  # the whole example, byte for byte, and no other policy file
    assert (folder / "schemas" / "cxpolicy.schema.json").is_file() and (folder / ".vscode" / "settings.json").is_file()
    assert run("check", str(folder)).exit_code == 0
    assert run("init", "--example", "retail", str(folder)).exit_code == 2  # never over what exists
