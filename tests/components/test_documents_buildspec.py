"""Buildspecs: tests before the build, commit-SHA tags only, secrets only from SSM / Secrets Manager."""
import pytest
import yaml

from components.documents import buildspec as b

SECRETS = b.BuildSecrets({"DB_URL": "/app/db-url"}, {"API_TOKEN": "app/api:token"})


def image_spec(**kw):
    spec = b.ImageBuild(container_name="orders", test_command="make test", secrets=SECRETS,
                        deploy_files={"taskdef-prod.json": '{"family":"x"}'}, **kw)
    return yaml.safe_load(b.to_yaml(b.image_buildspec(spec)))


def test_image_build_runs_tests_then_logs_in_then_tags_with_the_commit():
    doc = image_spec()
    assert list(doc["phases"]) == ["install", "pre_build", "build", "post_build"]
    pre = doc["phases"]["pre_build"]["commands"]
    assert pre[0] == "make test" and "docker login" in pre[1]
    assert doc["phases"]["build"]["commands"] == ['docker build --tag "$REPOSITORY_URI:sha-$CODEBUILD_RESOLVED_SOURCE_VERSION" .']
    post = doc["phases"]["post_build"]["commands"]
    assert post[0] == 'docker push "$REPOSITORY_URI:sha-$CODEBUILD_RESOLVED_SOURCE_VERSION"'
    assert "latest" not in b.to_yaml(b.image_buildspec(b.ImageBuild("orders", "make test")))
    assert doc["phases"]["build"]["on-failure"] == "ABORT"
    assert doc["artifacts"]["files"] == ["imagedefinitions.json", "imageDetail.json", "taskdef-prod.json"]
    assert "> imagedefinitions.json" in post[1] and "> imageDetail.json" in post[2]
    assert post[3] == """printf '%s\\n' '{"family":"x"}' > taskdef-prod.json"""


def test_secrets_only_in_parameter_store_and_secrets_manager():
    env = image_spec()["env"]
    assert env["parameter-store"] == {"DB_URL": "/app/db-url"}
    assert env["secrets-manager"] == {"API_TOKEN": "app/api:token"}
    assert env["variables"] == {"CONTAINER_NAME": "orders"}


@pytest.mark.parametrize("bad", ["docker push repo:latest", "make test\nrm -rf /", "  "])
def test_bad_commands_rejected(bad):
    with pytest.raises(ValueError):
        b.image_buildspec(b.ImageBuild("orders", bad))


def test_duplicate_or_bad_env_names_rejected():
    with pytest.raises(ValueError, match="defined twice"):
        b.integration_test_buildspec("make it", {"DB_URL": "x"}, SECRETS)
    with pytest.raises(ValueError, match="UPPER_SNAKE"):
        b.integration_test_buildspec("make it", {"lower": "x"})


def test_deploy_files_must_be_one_safe_line():
    with pytest.raises(ValueError):
        b.image_buildspec(b.ImageBuild("orders", "make test", deploy_files={"x.json": "it's"}))
    with pytest.raises(ValueError):
        b.image_buildspec(b.ImageBuild("orders", "make test", deploy_files={"../x.json": "{}"}))


def test_package_build_tests_before_packaging():
    doc = b.package_buildspec(b.PackageBuild("pytest -q", "make package", "dist/function.zip", SECRETS))
    assert doc["phases"]["pre_build"]["commands"] == ["pytest -q"]
    assert doc["phases"]["build"]["commands"] == ["make package", "test -s dist/function.zip",
                                                  "rm -rf function-package",
                                                  "unzip -q dist/function.zip -d function-package"]
    # The Lambda deploy action's input is the artifact zip CodePipeline makes of these files: the code itself.
    assert doc["artifacts"] == {"base-directory": "function-package", "files": ["**/*"]}
    with pytest.raises(ValueError):
        b.package_buildspec(b.PackageBuild("pytest", "make", "/abs/function.tar"))
