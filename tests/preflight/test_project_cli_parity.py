"""preflight.project reads Pulumi.yaml / Pulumi.<stack>.yaml as the Pulumi CLI does.

Each test names the source it mirrors: repositories github.com/pulumi/pulumi (at 1b59498) and
gopkg.in/yaml.v3 v3.0.1 (github.com/go-yaml/yaml, the YAML library the CLI decodes with).
"""
import json
import os

import pytest

from preflight.config_values import go_float
from preflight.project import SECRET_PLACEHOLDER, Project, ProjectError, load, placeholder_note


def write(tmp_path, project: str, stack="", name="dev", main=True):
    (tmp_path / "Pulumi.yaml").write_text(project)
    if main:
        (tmp_path / "__main__.py").write_text("")
    if stack is not None:
        (tmp_path / f"Pulumi.{name}.yaml").write_text(stack)
    return tmp_path


def config_of(tmp_path, stack_config: str, project_extra: str = "") -> dict:
    write(tmp_path, "name: shop\nruntime: python\n" + project_extra, "config:\n" + stack_config)
    return load(tmp_path, "dev").config


def error_of(tmp_path, project: str, stack="", name="dev") -> str:
    write(tmp_path, project, stack, name)
    with pytest.raises(ProjectError) as e:
        load(tmp_path, name)
    assert "\n" not in str(e.value)
    return str(e.value)


# --- sdk/go/common/workspace/paths.go ProjectStackPath (stackConfigDir) and
# --- sdk/go/common/workspace/project.go RewriteConfigPathIntoStackConfigDir

def test_stack_config_dir_is_relative_to_the_project(tmp_path):
    (tmp_path / "stacks").mkdir()
    write(tmp_path, "name: shop\nruntime: python\nstackConfigDir: stacks\n", None)
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  shop:size: big\n")
    project = load(tmp_path, "dev")
    assert project.config == {"shop:size": "big"}
    assert project.stack_file == tmp_path / "stacks" / "Pulumi.dev.yaml"


def test_a_string_config_is_the_old_spelling_of_stack_config_dir(tmp_path):
    (tmp_path / "cfg").mkdir()
    write(tmp_path, "name: shop\nruntime: python\nconfig: cfg\n", None)
    (tmp_path / "cfg" / "Pulumi.dev.yaml").write_text("config:\n  size: small\n")
    assert load(tmp_path, "dev").config == {"shop:size": "small"}
    message = error_of(tmp_path, "name: shop\nruntime: python\nconfig: cfg\nstackConfigDir: cfg\n")
    assert message.endswith("Pulumi.yaml:3: Should not use both config and stackConfigDir to define the stack "
                            "directory. Use only stackConfigDir instead.")


def test_stack_file_takes_the_project_file_extension(tmp_path):
    """paths.go ProjectStackPath: Pulumi.<stack><ext of the project file>; findProjectInDir: .json first."""
    (tmp_path / "Pulumi.yml").write_text("name: shop\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yml").write_text("config:\n  a: '1'\n")
    assert load(tmp_path, "dev").config == {"shop:a": "1"}
    (tmp_path / "Pulumi.json").write_text('{"name": "shopjson", "runtime": "python"}')
    (tmp_path / "Pulumi.dev.json").write_text('{"config": {"a": 2, "a": 3}}')
    project = load(tmp_path, "dev")
    assert (project.name, project.config) == ("shopjson", {"shopjson:a": "3"})   # encoding/json: last key wins


# --- sdk/python/cmd/pulumi-language-python/main.go parseOptions; sdk/python/toolchain/pip.go
# --- resolveVirtualEnvironmentPath; toolchain.go ResolveToolchain

def test_runtime_must_be_python(tmp_path):
    assert "runtime 'nodejs' is not supported" in error_of(tmp_path, "name: shop\nruntime: nodejs\n")
    assert "runtime 'go' is not supported" in error_of(tmp_path, "name: shop\nruntime: {name: go}\n")
    assert "Pulumi.yaml: project is missing a 'runtime' attribute" in error_of(tmp_path, "name: shop\n")


def test_virtualenv_resolves_against_the_project_directory(tmp_path):
    write(tmp_path, "name: shop\nruntime:\n  name: python\n  options:\n    virtualenv: ../envs/shop\n")
    project = load(tmp_path, "dev")
    assert project.virtualenv == tmp_path.parent / "envs" / "shop"
    assert project.toolchain == "pip"
    write(tmp_path, "name: shop\nruntime: {name: python, options: {virtualenv: /opt/venv, toolchain: uv}}\n")
    project = load(tmp_path, "dev")
    assert (str(project.virtualenv), project.toolchain) == ("/opt/venv", "uv")   # absolute: kept as written
    write(tmp_path, "name: shop\nruntime: python\n")
    assert load(tmp_path, "dev").virtualenv is None


def test_poetry_manages_its_own_environment_and_uv_lock_selects_uv(tmp_path):
    write(tmp_path, "name: shop\nruntime: {name: python, options: {toolchain: poetry, virtualenv: venv}}\n")
    assert (load(tmp_path, "dev").toolchain, load(tmp_path, "dev").virtualenv) == ("poetry", None)
    write(tmp_path, "name: shop\nruntime: python\n")
    (tmp_path / "uv.lock").write_text("")
    assert (load(tmp_path, "dev").toolchain, load(tmp_path, "dev").virtualenv) == ("uv", tmp_path / ".venv")


def test_runtime_options_the_host_refuses(tmp_path):
    assert error_of(tmp_path, "name: shop\nruntime: {name: python, options: {virtualenv: 3}}\n").endswith(
        "Pulumi.yaml:2: virtualenv option must be a string")
    assert error_of(tmp_path, "name: shop\nruntime: {name: python, options: {toolchain: conda}}\n").endswith(
        "unsupported toolchain option: conda")
    assert error_of(tmp_path, "name: shop\nruntime: {name: python, options: {typechecker: pyre}}\n").endswith(
        "unsupported typechecker option: pyre")


# --- sdk/go/common/workspace/project.go ValidateConfigValue, Project.Validate;
# --- pkg/workspace/config.go validateStackConfigValue, mergeConfig, missingStackConfigurationKeysError

def test_boolean_and_integer_accept_their_string_form(tmp_path):
    decl = "config:\n  on: {type: boolean}\n  n: {type: integer}\n"
    assert config_of(tmp_path, "  on: 'false'\n  n: '-42'\n", decl) == {"shop:on": "false", "shop:n": "-42"}
    assert config_of(tmp_path, "  on: true\n  n: 7\n", decl) == {"shop:on": "true", "shop:n": "7"}


@pytest.mark.parametrize("value,kind", [("yes", "boolean"), ("'1'", "boolean"), ("true", "integer"),
                                        ("'3.5'", "integer"), ("' 3'", "integer"), ("{a: 1}", "string"),
                                        ("'9223372036854775808'", "integer")])
def test_values_the_cli_refuses_for_a_type(tmp_path, value, kind):
    message = error_of(tmp_path, f"name: shop\nruntime: python\nconfig:\n  k: {{type: {kind}}}\n",
                       f"config:\n  other: 1\n  k: {value}\n")
    assert f"Pulumi.dev.yaml:3: Stack 'dev' with configuration key 'k' must be of type '{kind}'" in message


def test_arrays_check_their_items(tmp_path):
    decl = "config:\n  ports: {type: array, items: {type: integer}}\n"
    assert config_of(tmp_path, "  ports: [80, '443']\n", decl) == {"shop:ports": '[80,"443"]'}
    message = error_of(tmp_path, "name: shop\nruntime: python\n" + decl, "config:\n  ports: [80, true]\n")
    assert "configuration key 'ports' must be of type 'array<integer>'" in message
    message = error_of(tmp_path, "name: shop\nruntime: python\nconfig:\n  l: {type: array}\n")
    assert message.endswith("Pulumi.yaml:4: The configuration key 'l' declares an array but does not specify "
                            "the underlying type via the 'items' attribute")


def test_defaults_must_fit_their_type(tmp_path):
    message = error_of(tmp_path, "name: shop\nruntime: python\nconfig:\n  n: {type: integer, default: true}\n")
    assert message.endswith("Pulumi.yaml:4: The default value specified for configuration key 'n' is not of the "
                            "expected type 'integer'")
    assert config_of(tmp_path, "  x: 1\n", "config:\n  n: {type: integer, default: '12'}\n")["shop:n"] == "12"


def test_project_namespace_rules(tmp_path):
    assert error_of(tmp_path, "name: shop\nruntime: python\nconfig:\n  aws:region: {type: string}\n").endswith(
        "Configuration key 'aws:region' is not namespaced by the project and should not define a type")
    assert "should not define a default value" in error_of(
        tmp_path, "name: shop\nruntime: python\nconfig:\n  aws:region: {default: x}\n")
    assert config_of(tmp_path, "  x: 1\n", "config:\n  aws:region: {value: eu-west-1}\n")["aws:region"] == "eu-west-1"


def test_missing_keys_are_listed_together_and_secret_ones_must_be_secure(tmp_path):
    decl = "name: shop\nruntime: python\nconfig:\n  b: {type: string}\n  a: {type: string}\n  c: {}\n"
    assert error_of(tmp_path, decl, "config: {}\n").endswith(
        "Stack 'dev' is missing configuration values 'a', 'b' and 'c'")
    message = error_of(tmp_path, "name: shop\nruntime: python\nconfig:\n  pw: {type: string, secret: true}\n",
                       "config:\n  pw: plain\n")
    assert message.endswith("Pulumi.dev.yaml:2: Stack 'dev' with configuration key 'pw' must be encrypted as it's secret")


# --- sdk/go/common/resource/config/object.go MarshalString / isSecureValue, plaintext.go marshalText
# --- (objects as Go encoding/json), pkg/workspace/config.go createConfigValue, loaders.go checkForEmptyConfig

def test_values_reach_the_program_as_the_cli_writes_them(tmp_path):
    config = config_of(tmp_path, "  big: 1e21\n  small: 0.0000001\n  whole: 3.0\n  empty:\n"
                                 "  obj: {z: 1, a: '<&>', n: null, 80: http}\n  day: 2024-01-31\n",
                       "config:\n  ratio: {default: 0.25}\n  tags: [a, b]\n")
    assert config == {"shop:big": "1e+21", "shop:small": "1e-7", "shop:whole": "3", "shop:empty": "",
                      "shop:obj": '{"80":"http","a":"\\u003c\\u0026\\u003e","n":null,"z":1}',
                      "shop:day": "2024-01-31 00:00:00 +0000 UTC", "shop:tags": '["a","b"]', "shop:ratio": "0.25"}
    assert go_float(123456789.5) == "123456789.5" and go_float(2.5e-10) == "2.5e-10"


def test_secure_values_are_secret_placeholders(tmp_path):
    config_text = "  pw:\n    secure: AAABAq\n  nested: {user: u, pw: {secure: AAABAr}}\n  notsecure: {secure: 5}\n"
    write(tmp_path, "name: shop\nruntime: python\n", "config:\n" + config_text)
    project = load(tmp_path, "dev")
    assert project.config["shop:pw"] == SECRET_PLACEHOLDER
    assert json.loads(project.config["shop:nested"]) == {"pw": SECRET_PLACEHOLDER, "user": "u"}
    assert project.config["shop:notsecure"] == '{"secure":5}'
    assert project.secret_keys == ["shop:nested", "shop:pw"]
    note = placeholder_note(f"shop:pw: must be 8 characters, got '{SECRET_PLACEHOLDER}'", project)
    assert note == "(secure config value 'shop:pw' is a placeholder offline: preflight cannot decrypt secrets)"
    assert placeholder_note("port must be 1..65535", project) is None
    assert "'shop:nested', 'shop:pw' are placeholders" in placeholder_note(SECRET_PLACEHOLDER, project)


# --- sdk/go/common/resource/config/key.go ParseKey; loaders.go stackConfigNamespacedWithProject

def test_config_keys(tmp_path):
    assert config_of(tmp_path, "  aws:config:region: x\n  plain: y\n") == {"aws:region": "x", "shop:plain": "y"}
    assert error_of(tmp_path, "name: shop\nruntime: python\n", "config:\n  a:b:c: 1\n").endswith(
        "Pulumi.dev.yaml:2: could not unmarshal map: could not parse a:b:c as a configuration key "
        "(configuration keys should be of the form `<namespace>:<name>`)")


# --- gopkg.in/yaml.v3 resolve.go resolve (scalar resolution), decode.go mapping (duplicate keys),
# --- decode.go unmarshal / allowedAliasRatio (excessive aliasing), parser alias (unknown anchor)

def test_scalars_resolve_as_yaml_v3_does(tmp_path):
    config = config_of(tmp_path, "  a: yes\n  b: on\n  c: 0x1F\n  d: 1_000\n  e: 0o17\n  f: 1e3\n  g: 017\n"
                                 "  h: True\n  i: ~\n  j: 18446744073709551615\n  k: !custom text\n")
    assert config == {"shop:a": "yes", "shop:b": "on", "shop:c": "31", "shop:d": "1000", "shop:e": "15",
                      "shop:f": "1000", "shop:g": "15", "shop:h": "true", "shop:i": "",
                      "shop:j": "18446744073709551615", "shop:k": "text"}


def test_duplicate_keys_are_refused_with_both_lines(tmp_path):
    message = error_of(tmp_path, "name: shop\nruntime: python\n", "config:\n  a: 1\n  b: 2\n  a: 3\n")
    assert message.endswith('Pulumi.dev.yaml:4: invalid YAML file: mapping key "a" already defined at line 2')


def test_billion_laughs_is_refused_without_expanding_it(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    message = error_of(tmp_path, "name: shop\nruntime: python\n", "config:\n" + "".join(f"  {l}\n" for l in levels))
    assert "Pulumi.dev.yaml:" in message and "document contains excessive aliasing" in message


def test_ordinary_anchors_and_merges_still_work(tmp_path):
    config = config_of(tmp_path, "  base: &base {region: eu-west-1, size: 2}\n  prod: {<<: *base, size: 3}\n"
                                 "  copy: *base\n")
    assert json.loads(config["shop:prod"]) == {"region": "eu-west-1", "size": 3}
    assert config["shop:copy"] == '{"region":"eu-west-1","size":2}'
    assert "unknown anchor 'nope' referenced" in error_of(tmp_path, "name: shop\nruntime: python\n",
                                                          "config:\n  a: *nope\n")


def test_only_the_first_document_is_read_and_a_bom_is_stripped(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\n", None)
    (tmp_path / "Pulumi.dev.yaml").write_bytes(b"\xef\xbb\xbfconfig:\n  a: 1\n---\n[not: valid\n")
    assert load(tmp_path, "dev").config == {"shop:a": "1"}


# --- sdk/go/common/workspace/loaders.go LoadProject / LoadProjectStack / readFileStripUTF8BOM,
# --- project.go SimplifyMarshalledProject, paths.go isMarkupFile

def test_non_utf8_files_are_named(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\n", None)
    (tmp_path / "Pulumi.dev.yaml").write_bytes(b"config:\n  a: \xff\xfe\n")
    with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml:2: invalid YAML file: invalid UTF-8 \(byte 0xff"):
        load(tmp_path, "dev")


def test_directories_and_unreadable_files_are_named(tmp_path):
    (tmp_path / "Pulumi.yaml").mkdir()
    with pytest.raises(ProjectError, match=r"no Pulumi\.yaml project file found in .*Pulumi\.yaml is a directory"):
        load(tmp_path, "dev")
    os.rmdir(tmp_path / "Pulumi.yaml")
    write(tmp_path, "name: shop\nruntime: python\n", None)
    (tmp_path / "Pulumi.dev.yaml").mkdir()
    with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml: could not read: Is a directory$"):
        load(tmp_path, "dev")
    os.rmdir(tmp_path / "Pulumi.dev.yaml")
    os.symlink("Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")      # a loop: stat fails, the file exists
    with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml: could not read: Too many levels of symbolic links"):
        load(tmp_path, "dev")


def test_top_level_must_be_a_mapping_with_string_keys(tmp_path):
    assert error_of(tmp_path, "- a\n- b\n").endswith("Pulumi.yaml: expected project to be an object, was "
                                                     "'[]interface {}'")
    assert error_of(tmp_path, "").endswith("expected project to be an object, was '<nil>'")
    assert error_of(tmp_path, "name: shop\nruntime: python\n", "just text\n").endswith(
        "Pulumi.dev.yaml: expected project to be an object, was 'string'")
    assert error_of(tmp_path, "name: shop\n1: x\n").endswith("expected only string keys, got '%!s(int=1)'")
    write(tmp_path, "name: shop\nruntime: python\n", "")
    assert load(tmp_path, "dev").config == {}


# --- sdk/go/common/tokens/project.go ValidateProjectName, tokens/stack_name.go ParseStackName

def test_project_and_stack_names(tmp_path):
    assert error_of(tmp_path, "name: my shop\nruntime: python\n").endswith(
        "Pulumi.yaml:1: 'my shop' is not a valid project name: project names may only contain alphanumerics, "
        "hyphens, underscores, and periods")
    assert "project names are limited to 100 characters" in error_of(tmp_path, f"name: {'a' * 101}\nruntime: python\n")
    write(tmp_path, "name: shop\nruntime: python\n")
    with pytest.raises(ProjectError, match="a stack name may only contain alphanumeric, hyphens, underscores, or "
                                           "periods: invalid character '/' at position 3$"):
        load(tmp_path, "org/dev")
    with pytest.raises(ProjectError, match="a stack name cannot exceed 100 characters"):
        load(tmp_path, "s" * 101)


# --- sdk/go/common/workspace/project.go ValidateProject (+ project.json, findClosestKey);
# --- unknown stack-file keys: LoadProjectStackBytes decodes into ProjectStack without strict mode

def test_project_file_is_validated_against_the_cli_schema(tmp_path):
    assert error_of(tmp_path, "nmae: shop\nruntime: python\n").endswith(
        "Pulumi.yaml: project is missing a 'name' attribute; found 'nmae' instead")
    message = error_of(tmp_path, "name: shop\nruntime: python\nconfig:\n  k: {type: string, descripton: x}\n")
    assert "Pulumi.yaml:4: #/config/k: additionalProperties 'descripton' not allowed" in message
    assert "#/backend: additionalProperties 'uri' not allowed; did you mean 'url'?" in error_of(
        tmp_path, "name: shop\nruntime: python\nbackend: {uri: x}\n")
    assert error_of(tmp_path, "name: shop\nruntime: python\nconfig:\n  ratio: 0.25\n").endswith(
        "Pulumi.yaml:4: #/config/ratio: oneOf failed, none matched")   # a float is no shorthand
    assert "#/config/k/type: value must be one of" in error_of(
        tmp_path, "name: shop\nruntime: python\nconfig:\n  k: {type: float}\n")


def test_unknown_top_level_keys_are_accepted_in_both_files(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\nmyTeamOwner: ops\n", "config:\n  a: 1\nnotes: anything\n")
    assert isinstance(load(tmp_path, "dev"), Project)
