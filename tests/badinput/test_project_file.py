"""Bad input, family "project file": a broken Pulumi.yaml, as a new user or an attacker writes it.

Every case runs `python -m preflight` in its own process and holds the harness contract: exit 2, one
line on stderr naming the problem (file / key path / the CLI's wording), nothing written into the
program directory, no process left alive.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional

import pytest

from tests.badinput.harness import Program, assert_contract, run_preflight, snapshot

HEAD = "name: badinput\nruntime: python\n"
BOMB = "".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]\n"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)])


def _remove(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).unlink()


def _directory(d: Path) -> None:
    (d / "Pulumi.yaml").unlink()
    (d / "Pulumi.yaml").mkdir()
    (d / "Pulumi.yaml" / "keep").write_text("")


def _loop(d: Path) -> None:
    (d / "Pulumi.yaml").unlink()
    (d / "Pulumi.yaml").symlink_to("Pulumi.yaml")


def _dangling(d: Path) -> None:
    (d / "Pulumi.yaml").unlink()
    (d / "Pulumi.yaml").symlink_to("nowhere.yaml")


def _json_project(text: str) -> Callable[[Path], None]:
    def prepare(d: Path) -> None:
        (d / "Pulumi.json").write_text(text)
    return prepare


# (id, Pulumi.yaml text or bytes, stack file, extra files, prepare(dir), phrase on the one stderr line)
CASES = [
    ("missing", HEAD, "config: {}\n", {}, _remove("Pulumi.yaml"), "no Pulumi.yaml project file found"),
    ("empty-file", "", "config: {}\n", {}, None, "expected project to be an object, was '<nil>'"),
    ("only-a-comment", "# name: badinput\n", "config: {}\n", {}, None, "expected project to be an object"),
    ("a-directory", HEAD, "config: {}\n", {}, _directory, "is a directory"),
    ("symlink-loop", HEAD, "config: {}\n", {}, _loop, "Pulumi.yaml"),
    ("dangling-symlink", HEAD, "config: {}\n", {}, _dangling, "Pulumi.yaml"),
    ("latin-1-bytes", b"name: caf\xe9\nruntime: python\n", "config: {}\n", {}, None, "invalid UTF-8"),
    ("utf16-bom-truncated", b"\xff\xfen\x00a\x00m", "config: {}\n", {}, None, "Pulumi.yaml"),
    ("bom-then-no-runtime", b"\xef\xbb\xbfname: badinput\n", "config: {}\n", {}, None,
     "project is missing a 'runtime' attribute"),
    ("invalid-yaml-flow", "name: [badinput\nruntime: python\n", "config: {}\n", {}, None, "invalid YAML"),
    ("tab-indentation", "name: badinput\nruntime:\n\tname: python\n", "config: {}\n", {}, None, "invalid YAML"),
    ("duplicate-key", "name: a\nname: b\nruntime: python\n", "config: {}\n", {}, None,
     'mapping key "name" already defined at line 1'),
    ("alias-bomb", HEAD + BOMB, "config: {}\n", {}, None, "excessive aliasing"),
    ("unknown-anchor", HEAD + "description: *nope\n", "config: {}\n", {}, None, "unknown anchor 'nope'"),
    ("deep-nesting", HEAD + "description: " + "[" * 5000 + "]" * 5000 + "\n", "config: {}\n", {}, None,
     "Pulumi.yaml"),
    ("top-level-list", "- name: badinput\n- runtime: python\n", "config: {}\n", {}, None,
     "expected project to be an object, was '[]interface {}'"),
    ("top-level-scalar", "badinput\n", "config: {}\n", {}, None, "expected project to be an object, was 'string'"),
    ("non-string-key", HEAD + "1: one\n", "config: {}\n", {}, None, "expected only string keys"),
    ("missing-name", "runtime: python\n", "config: {}\n", {}, None, "project is missing a 'name' attribute"),
    ("name-typo", "nmae: badinput\nruntime: python\n", "config: {}\n", {}, None, "found 'nmae' instead"),
    ("name-empty", "name: ''\nruntime: python\n", "config: {}\n", {}, None, "non-empty string 'name'"),
    ("name-integer", "name: 42\nruntime: python\n", "config: {}\n", {}, None, "non-empty string 'name'"),
    ("name-with-space", "name: my project\nruntime: python\n", "config: {}\n", {}, None,
     "'my project' is not a valid project name"),
    ("name-with-slash", "name: org/proj\nruntime: python\n", "config: {}\n", {}, None, "not a valid project name"),
    ("name-non-ascii", "name: projé\nruntime: python\n", "config: {}\n", {}, None, "not a valid project name"),
    ("name-too-long", f"name: {'n' * 101}\nruntime: python\n", "config: {}\n", {}, None,
     "project names are limited to 100 characters"),
    ("name-python-object-tag", 'name: !!python/object/apply:os.system ["touch {dir}/pwned"]\nruntime: python\n',
     "config: {}\n", {}, None, "non-empty string 'name'"),
    ("runtime-missing", "name: badinput\n", "config: {}\n", {}, None, "project is missing a 'runtime' attribute"),
    ("runtime-typo", "name: badinput\nruntim: python\n", "config: {}\n", {}, None,
     "project is missing a 'runtime' attribute; found 'runtim' instead"),
    ("runtime-nodejs", "name: badinput\nruntime: nodejs\n", "config: {}\n", {}, None,
     "runtime 'nodejs' is not supported"),
    ("runtime-go", "name: badinput\nruntime: go\n", "config: {}\n", {}, None, "runtime 'go' is not supported"),
    ("runtime-dotnet", "name: badinput\nruntime: dotnet\n", "config: {}\n", {}, None,
     "runtime 'dotnet' is not supported"),
    ("runtime-yaml", "name: badinput\nruntime: yaml\n", "config: {}\n", {}, None, "runtime 'yaml' is not supported"),
    ("runtime-python-capitalised", "name: badinput\nruntime: Python\n", "config: {}\n", {}, None,
     "runtime 'Python' is not supported"),
    ("runtime-mapping-without-name", "name: badinput\nruntime:\n  options: {toolchain: pip}\n", "config: {}\n", {},
     None, "project is missing a 'runtime' attribute"),
    ("runtime-list", "name: badinput\nruntime: [python]\n", "config: {}\n", {}, None, "#/runtime"),
    ("toolchain-unknown", "name: badinput\nruntime:\n  name: python\n  options: {toolchain: conda}\n",
     "config: {}\n", {}, None, "unsupported toolchain option: conda"),
    ("typechecker-unknown", "name: badinput\nruntime:\n  name: python\n  options: {typechecker: pylint}\n",
     "config: {}\n", {}, None, "unsupported typechecker option: pylint"),
    ("virtualenv-not-a-string", "name: badinput\nruntime:\n  name: python\n  options: {virtualenv: 3}\n",
     "config: {}\n", {}, None, "virtualenv option must be a string"),
    ("virtualenv-nowhere", "name: badinput\nruntime:\n  name: python\n  options: {virtualenv: no-such-venv}\n",
     "config: {}\n", {}, None, "no-such-venv"),
    ("virtualenv-a-file", "name: badinput\nruntime:\n  name: python\n  options: {virtualenv: venv}\n",
     "config: {}\n", {"venv": "not a virtualenv\n"}, None, "venv"),
    ("main-missing-file", HEAD + "main: app.py\n", "config: {}\n", {}, None, "app.py"),
    ("main-missing-dir", HEAD + "main: src/\n", "config: {}\n", {}, None, "src"),
    ("main-dir-without-entry", HEAD + "main: src\n", "config: {}\n", {"src/helpers.py": "X = 1\n"}, None,
     "__main__.py"),
    ("main-not-a-string", HEAD + "main: [a.py]\n", "config: {}\n", {}, None, "#/main"),
    ("stackConfigDir-missing", HEAD + "stackConfigDir: stacks\n", "config: {}\n", {}, None, "stacks"),
    ("stackConfigDir-and-config-string", HEAD + "stackConfigDir: a\nconfig: b\n", "config: {}\n", {}, None,
     "Should not use both config and stackConfigDir"),
    ("config-a-list", HEAD + "config:\n  - region\n", "config: {}\n", {}, None, "#/config"),
    ("config-type-unknown", HEAD + "config:\n  ratio: {type: float}\n", "config: {}\n", {}, None, "#/config/ratio"),
    ("config-default-wrong-type", HEAD + "config:\n  count: {type: integer, default: abc}\n", "config: {}\n", {},
     None, "The default value specified for configuration key 'count' is not of the expected type 'integer'"),
    ("config-array-without-items", HEAD + "config:\n  zones: {type: array}\n", "config: {}\n", {}, None,
     "declares an array but does not specify the underlying type"),
    ("config-default-and-value", HEAD + "config:\n  size: {default: 1, value: 2}\n", "config: {}\n", {}, None,
     "cannot have both a 'default' and 'value' attribute"),
    ("config-foreign-key-typed", HEAD + "config:\n  aws:region: {type: string, value: x}\n", "config: {}\n", {},
     None, "'aws:region' is not namespaced by the project and should not define a type"),
    ("config-foreign-key-without-value", HEAD + "config:\n  aws:region: {description: where}\n", "config: {}\n",
     {}, None, "'aws:region' is namespaced and must provide an attribute 'value'"),
    ("config-secret-but-plain", HEAD + "config:\n  token: {type: string, secret: true}\n",
     "config:\n  badinput:token: hunter2\n", {}, None, "'token' must be encrypted as it's secret"),
    ("runtime-options-typo", "name: badinput\nruntime:\n  name: python\n  option: {toolchain: pip}\n",
     "config: {}\n", {}, None, "#/runtime: additionalProperties 'option' not allowed"),
    ("config-attribute-typo", HEAD + "config:\n  size: {type: integer, defualt: 1}\n", "config: {}\n", {}, None,
     "#/config/size: additionalProperties 'defualt' not allowed"),
    ("backend-url-wrong-type", HEAD + "backend:\n  url: 5\n", "config: {}\n", {}, None, "#/backend/url"),
    ("backend-typo", HEAD + "backend:\n  ulr: file://~\n", "config: {}\n", {}, None, "did you mean 'url'?"),
    ("description-a-list", HEAD + "description: [a, b]\n", "config: {}\n", {}, None, "#/description"),
    ("pulumi-json-too-deep", HEAD, "config: {}\n", {},
     _json_project('{"name": "badinput", "runtime": "python", "description": ' + "[" * 3000 + "]" * 3000 + "}"),
     "Pulumi.json: invalid YAML file: document nested too deeply"),
    ("pulumi-json-invalid", HEAD, "config: {}\n", {}, _json_project('{"name": "badinput",'), "Pulumi.json"),
]


@pytest.mark.parametrize("project, stack, files, prepare, phrase",
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_a_broken_project_file_is_refused_in_one_line(tmp_path, project, stack, files, prepare, phrase):
    if isinstance(project, str):
        project = project.replace("{dir}", str(tmp_path / "program"))
    program = Program(root=tmp_path, project=project, stack=stack, files=files).write()
    if prepare is not None:
        prepare(program)
    before = snapshot(program)
    outcome = run_preflight([], program=program, tmp_path=tmp_path)
    assert_contract(outcome, code=2, contains=phrase, before=before, program=program)
    assert not (program / "pwned").exists()


def test_there_are_thirty_distinct_cases_at_least():
    assert len({c[0] for c in CASES}) == len(CASES) >= 30
