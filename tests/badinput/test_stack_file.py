"""Bad input, family "stack file": a broken Pulumi.<stack>.yaml, a bad --stack name, config the program refuses.

Every case runs `python -m preflight` in its own process and holds the harness contract: exit 2, one
line on stderr naming the problem (file / key path / the CLI's wording), nothing written into the
program directory, no process left alive. The last cases run the platform program of this repository
on an edited copy of a stack file of its prod layout (the foundation's, or a service stack's run alone with the
foundation's outputs): its own components/ validate the config.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from tests.badinput.harness import ROOT, Program, assert_contract, run_preflight, snapshot
from tests.prod_layout import program_with

BOMB = "".join(
    ["  a: &a [x, x, x, x, x, x, x, x, x]\n"]
    + [f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)])


def declares(**types: str) -> str:
    """A Pulumi.yaml declaring project config keys: declares(port="integer", zones="array:string")."""
    lines = ["name: badinput", "runtime: python", "config:"]
    for key, kind in types.items():
        kind, _, items = kind.partition(":")
        lines.append(f"  {key}:\n    type: {kind}" + (f"\n    items: {{type: {items}}}" if items else ""))
    return "\n".join(lines) + "\n"


PLAIN = "name: badinput\nruntime: python\n"


def _replace_stack(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def prepare(d: Path) -> None:
        path = d / "Pulumi.dev.yaml"
        if path.exists() or path.is_symlink():
            path.unlink()
        make(path)
    return prepare


def _fill_dir(path: Path) -> None:
    path.mkdir()
    (path / "config").write_text("")


READS_PORT = "import pulumi\nport = int(pulumi.Config().require('port'))\n"
REQUIRES_REGION = "import pulumi\npulumi.Config().require('region')\n"
MINIMAL = None  # the harness's minimal program

# (id, Pulumi.yaml, stack file text/bytes or None, __main__.py or None, prepare(dir), extra args, phrase)
CASES = [
    ("missing-stack-file", PLAIN, None, MINIMAL, None, [], "Pulumi.dev.yaml not found (stack 'dev'"),
    ("stack-file-a-directory", PLAIN, None, MINIMAL, _replace_stack(_fill_dir), [], "Is a directory"),
    ("stack-file-symlink-loop", PLAIN, None, MINIMAL, _replace_stack(lambda p: p.symlink_to(p.name)), [],
     "Too many levels of symbolic links"),
    ("stack-file-dangling-symlink", PLAIN, None, MINIMAL, _replace_stack(lambda p: p.symlink_to("gone.yaml")), [],
     "Pulumi.dev.yaml"),
    ("latin-1-bytes", PLAIN, b"config:\n  badinput:city: M\xfcnchen\n", MINIMAL, None, [], "invalid UTF-8"),
    ("utf16-bom-truncated", PLAIN, b"\xfe\xff\x00c\x00", MINIMAL, None, [], "invalid UTF-16"),
    ("invalid-yaml", PLAIN, "config:\n  badinput:a: [1, 2\n", MINIMAL, None, [], "invalid YAML file"),
    ("tab-indentation", PLAIN, "config:\n\tbadinput:a: 1\n", MINIMAL, None, [], "invalid YAML file"),
    ("duplicate-config-section", PLAIN, "config:\n  badinput:a: 1\nconfig:\n  badinput:b: 2\n", MINIMAL, None, [],
     'mapping key "config" already defined at line 1'),
    ("duplicate-config-key", PLAIN, "config:\n  badinput:a: 1\n  badinput:a: 2\n", MINIMAL, None, [],
     'mapping key "badinput:a" already defined at line 2'),
    ("alias-bomb", PLAIN, "config:\n" + BOMB, MINIMAL, None, [], "excessive aliasing"),
    ("unknown-anchor", PLAIN, "config:\n  badinput:a: *nope\n", MINIMAL, None, [], "unknown anchor 'nope'"),
    ("deep-nesting", PLAIN, "config:\n  badinput:a: " + "[" * 5000 + "]" * 5000 + "\n", MINIMAL, None, [],
     "nested too deeply"),
    ("nesting-python-could-parse", PLAIN, "config:\n  badinput:a: " + "{a: " * 400 + "1" + "}" * 400 + "\n", MINIMAL,
     None, [], "Pulumi.dev.yaml: invalid YAML file: document nested too deeply"),
    ("binary-not-base64", PLAIN, "config:\n  badinput:a: !!binary '***'\n", MINIMAL, None, [],
     "!!binary value contains invalid base64 data"),
    ("explicit-int-tag-on-text", PLAIN, "config:\n  badinput:a: !!int abc\n", MINIMAL, None, [],
     "cannot decode !!str `abc` as a !!int"),
    ("top-level-list", PLAIN, "- config: {}\n", MINIMAL, None, [], "was '[]interface {}'"),
    ("top-level-scalar", PLAIN, "dev\n", MINIMAL, None, [], "was 'string'"),
    ("config-a-list", PLAIN, "config:\n  - badinput:a: 1\n", MINIMAL, None, [],
     "cannot unmarshal !!seq into map[string]config.Value"),
    ("config-a-string", PLAIN, "config: a=1\n", MINIMAL, None, [],
     "cannot unmarshal !!str into map[string]config.Value"),
    ("key-with-two-colons", PLAIN, "config:\n  a:b:c: 1\n", MINIMAL, None, [],
     "could not parse a:b:c as a configuration key"),
    ("integer-key", PLAIN, "config:\n  1: one\n", MINIMAL, None, [], "could not parse 1 as a configuration key"),
    ("same-key-twice-spelled-differently", PLAIN, "config:\n  region: a\n  badinput:region: b\n", MINIMAL, None, [],
     "config keys 'region' and 'badinput:region' both name 'badinput:region'"),
    ("secretsprovider-a-map", PLAIN, "secretsprovider: {kind: passphrase}\nconfig: {}\n", MINIMAL, None, [],
     "cannot unmarshal !!map into string"),
    ("encryptedkey-a-list", PLAIN, "encryptedkey: [a]\nconfig: {}\n", MINIMAL, None, [],
     "cannot unmarshal !!seq into string"),
    ("nan-value", PLAIN, "config:\n  badinput:ratio: .nan\n", MINIMAL, None, [], "json: unsupported value: NaN"),
    ("infinity-in-a-list", PLAIN, "config:\n  badinput:ratios: [1, -.inf]\n", MINIMAL, None, [],
     "json: unsupported value: -Inf"),
    ("boolean-given-1", declares(debug="boolean"), "config:\n  badinput:debug: 1\n", MINIMAL, None, [],
     "configuration key 'debug' must be of type 'boolean'"),
    ("boolean-given-yes", declares(debug="boolean"), "config:\n  badinput:debug: yes\n", MINIMAL, None, [],
     "configuration key 'debug' must be of type 'boolean'"),
    ("integer-given-three", declares(port="integer"), "config:\n  badinput:port: three\n", MINIMAL, None, [],
     "configuration key 'port' must be of type 'integer'"),
    ("integer-given-true", declares(port="integer"), "config:\n  badinput:port: true\n", MINIMAL, None, [],
     "configuration key 'port' must be of type 'integer'"),
    ("integer-given-a-fraction", declares(port="integer"), "config:\n  badinput:port: 1.5\n", MINIMAL, None, [],
     "configuration key 'port' must be of type 'integer'"),
    ("integer-overflow", declares(port="integer"), "config:\n  badinput:port: 99999999999999999999\n", MINIMAL,
     None, [], "configuration key 'port' must be of type 'integer'"),
    ("string-given-secure-number", declares(token="string"), "config:\n  badinput:token:\n    secure: 5\n",
     MINIMAL, None, [], "configuration key 'token' must be of type 'string'"),
    ("array-given-a-string", declares(zones="array:string"), "config:\n  badinput:zones: a,b\n", MINIMAL, None, [],
     "configuration key 'zones' must be of type 'array<string>'"),
    ("array-of-integers-given-a-word", declares(ports="array:integer"), "config:\n  badinput:ports: [80, http]\n",
     MINIMAL, None, [], "configuration key 'ports' must be of type 'array<integer>'"),
    ("object-given-a-list", declares(tags="object"), "config:\n  badinput:tags: [a, b]\n", MINIMAL, None, [],
     "configuration key 'tags' must be of type 'object'"),
    ("declared-key-missing", declares(owner="string"), "config: {}\n", MINIMAL, None, [],
     "Stack 'dev' is missing configuration value 'owner'"),
    ("two-declared-keys-missing", declares(owner="string", team="string"), "config:\n  badinput:other: x\n",
     MINIMAL, None, [], "Stack 'dev' is missing configuration values 'owner' and 'team'"),
    ("secure-value-read-as-int", PLAIN, "config:\n  badinput:port:\n    secure: AAABAG5vdA==\n", READS_PORT, None, [],
     "(secure config value 'badinput:port' is a placeholder offline"),
    ("required-key-absent", PLAIN, "config: {}\n", REQUIRES_REGION, None, [],
     "Missing required configuration variable 'badinput:region'"),
    ("stack-name-with-space", PLAIN, "config: {}\n", MINIMAL, None, ["--stack", "bad name"],
     "invalid stack name 'bad name'"),
    ("stack-name-traversal", PLAIN, "config: {}\n", MINIMAL, None, ["--stack", "../x"],
     "a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character '/'"),
    ("stack-name-empty", PLAIN, "config: {}\n", MINIMAL, None, ["--stack", ""], "a stack name may not be empty"),
    ("stack-name-too-long", PLAIN, "config: {}\n", MINIMAL, None, ["--stack", "s" * 101],
     "a stack name cannot exceed 100 characters"),
    ("stack-name-absolute-path", PLAIN, "config: {}\n", MINIMAL, None, ["--stack", "/etc/passwd"],
     "invalid character '/' at position 0"),
    ("stack-name-newline", PLAIN, "config: {}\n", MINIMAL, None, ["--stack", "dev\nprod"],
     "invalid character '\\x0a' at position 3"),
]


@pytest.mark.parametrize("project, stack, main, prepare, args, phrase",
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_a_broken_stack_file_is_refused_in_one_line(tmp_path, project, stack, main, prepare, args, phrase):
    spec = Program(root=tmp_path, project=project, stack=stack)
    if main is not None:
        spec.main = main
    program = spec.write()
    if prepare is not None:
        prepare(program)
    before = snapshot(program)
    outcome = run_preflight(args, program=program, tmp_path=tmp_path)
    assert_contract(outcome, code=2, contains=phrase, before=before, program=program)


# --- the platform program's own config checks (components/), on a copy of a prod stack file ----------------


@pytest.fixture(scope="module")
def foundation_report(tmp_path_factory) -> Path:
    """The JSON report of the prod foundation as it is: a service stack run alone reads its outputs from it
    (--stack-outputs prod=FILE), as it reads the deployed foundation's."""
    tmp = tmp_path_factory.mktemp("foundation")
    report = tmp / "prod.json"
    empty = tmp / "pack-config.json"
    empty.write_text("{}\n")
    outcome = run_preflight(["--stack", "prod", "--policy-pack-config", str(empty), "--format", "json",
                             "--output", str(report)], program=ROOT, tmp_path=tmp)
    assert outcome.code == 0, outcome.stderr[-2000:]
    return report


def _cidrs(c: dict) -> None:
    c["aws-cicd-platform:networks"]["prod"]["testIngressCidrs"] = ["0.0.0.0/1", "128.0.0.0/1"]


def _bool_for_int(c: dict) -> None:
    c["aws-cicd-platform:retention"]["logDays"] = True


def _typo_key(c: dict) -> None:
    c["aws-cicd-platform:servces"] = c["aws-cicd-platform:services"]


def _unprotected(c: dict) -> None:
    c["aws-cicd-platform:protect"] = False


# (id, the prod stack whose file holds the key - the foundation or a service stack -, edit, phrase)
PLATFORM = [
    ("prod-ingress-split-across-halves", "prod", _cidrs, "aws-cicd-platform:networks.prod.testIngressCidrs"),
    ("boolean-where-days-belong", "prod-orders", _bool_for_int, "aws-cicd-platform:retention.logDays"),
    ("top-level-key-typo", "prod-orders", _typo_key,
     "aws-cicd-platform:servces: unknown configuration key (did you mean services?)"),
    ("prod-not-protected", "prod", _unprotected, "aws-cicd-platform:protect"),
]


@pytest.mark.parametrize("stack, edit, phrase", [pytest.param(*c[1:], id=c[0]) for c in PLATFORM])
def test_the_platform_refuses_its_own_bad_config(tmp_path, foundation_report, stack, edit, phrase):
    program = program_with(tmp_path, stack, edit)
    before = snapshot(program)
    empty = tmp_path / "pack-config.json"        # not the platform's policies/config/prod.json: the fixture pack
    empty.write_text("{}\n")
    reads = [] if stack == "prod" else ["--stack-outputs", f"prod={foundation_report}"]
    outcome = run_preflight(["--stack", stack, "--policy-pack-config", str(empty), *reads], program=program,
                            tmp_path=tmp_path)
    assert_contract(outcome, code=2, contains=phrase, before=before, program=program)


def test_there_are_thirty_distinct_cases_at_least():
    ids = [c[0] for c in CASES + PLATFORM]
    assert len(set(ids)) == len(ids) >= 30
