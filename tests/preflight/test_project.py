"""Pulumi.yaml + Pulumi.<stack>.yaml → the config map the CLI hands the program."""
import json

import pytest

from preflight.project import SECRET_PLACEHOLDER, ProjectError, load


def write(tmp_path, project: str, stack: str = "", name: str = "dev"):
    (tmp_path / "Pulumi.yaml").write_text(project)
    (tmp_path / "__main__.py").write_text("")
    if stack is not None:
        (tmp_path / f"Pulumi.{name}.yaml").write_text(stack)
    return tmp_path


def test_namespaces_defaults_scalars_and_structured_values(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\nconfig:\n  replicas:\n    type: integer\n    default: 2\n"
                    "  owner: team-a\n  aws:region: eu-west-1\n",
          "config:\n  shop:replicas: 3\n  debug: true\n  ratio: 0.5\n  aws:assumeRoles:\n"
          "    - roleArn: arn:aws:iam::111111111111:role/x\n  services:\n    - name: orders\n      port: 8080\n")
    project = load(tmp_path, "dev")
    assert project.name == "shop"
    assert project.config == {
        "shop:replicas": "3", "shop:owner": "team-a", "aws:region": "eu-west-1", "shop:debug": "true",
        "shop:ratio": "0.5", "aws:assumeRoles": '[{"roleArn":"arn:aws:iam::111111111111:role/x"}]',
        "shop:services": '[{"name":"orders","port":8080}]'}   # Go's encoding/json: compact, keys sorted
    assert json.loads(project.config["shop:services"])[0]["port"] == 8080
    assert project.namespace("aws") == {"region": "eu-west-1",
                                        "assumeRoles": '[{"roleArn":"arn:aws:iam::111111111111:role/x"}]'}
    assert project.secret_keys == []
    assert project.main == tmp_path / "__main__.py"


def test_secure_values_become_placeholders_and_secret_keys(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\n",
          "config:\n  shop:dbPassword:\n    secure: AAABAxyz\n  database:\n    host: db\n    password:\n"
          "      secure: AAABAabc\n  plain: x\n")
    project = load(tmp_path, "dev")
    assert project.config["shop:dbPassword"] == SECRET_PLACEHOLDER
    assert json.loads(project.config["shop:database"]) == {"host": "db", "password": SECRET_PLACEHOLDER}
    assert project.secret_keys == ["shop:database", "shop:dbPassword"]
    assert "AAABA" not in json.dumps(project.config)


def test_missing_stack_file_is_one_line(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\n", None)
    with pytest.raises(ProjectError) as e:
        load(tmp_path, "prod")
    assert str(e.value) == f"stack file {tmp_path / 'Pulumi.prod.yaml'} not found (stack 'prod' of project 'shop')"


def test_declared_type_is_enforced_like_the_cli(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\nconfig:\n  replicas:\n    type: integer\n",
          "config:\n  shop:replicas: three\n")
    with pytest.raises(ProjectError, match=r"config key 'shop:replicas' must be of type 'integer', got str \"three\""):
        load(tmp_path, "dev")


def test_declared_key_without_default_must_be_set(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\nconfig:\n  region:\n    type: string\n", "config: {}\n")
    with pytest.raises(ProjectError, match="Pulumi.dev.yaml: Stack 'dev' is missing configuration value 'region'$"):
        load(tmp_path, "dev")


def test_invalid_yaml_names_file_and_line(tmp_path):
    write(tmp_path, "name: shop\nruntime: python\n", "config:\n  a: [1, 2\n  b: 3\n")
    with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml:\d+: invalid YAML"):
        load(tmp_path, "dev")


def test_no_project_file_and_missing_name(tmp_path):
    with pytest.raises(ProjectError, match="no Pulumi.yaml"):
        load(tmp_path, "dev")
    write(tmp_path, "runtime: python\n")
    with pytest.raises(ProjectError, match="Pulumi.yaml: project is missing a 'name' attribute$"):
        load(tmp_path, "dev")


def test_main_option_points_at_the_entry_file(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text("")
    write(tmp_path, "name: shop\nruntime: python\nmain: app/\n", "")
    assert load(tmp_path, "dev").main == tmp_path / "app" / "__main__.py"
