"""Write a release tag's version into the pack's PulumiPolicy.yaml; print the version.

    python scripts/set_pack_version.py v1.4.0 [--file policies/PulumiPolicy.yaml] [--check]

The CLI publishes a Python pack under the `version` of its PulumiPolicy.yaml (the SDK's own answer
is a placeholder), and the Pulumi Cloud client refuses a version outside ^[a-zA-Z0-9-_.]{1,100}$:
so a tag must be semver (a leading `v` dropped) without build metadata, whose `+` that pattern
refuses. Only the top-level `version:` line changes; comments and the rest stay byte for byte.
Exit 2 with one line on stderr for a tag that is not such a version or a file that cannot be edited.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "policies" / "PulumiPolicy.yaml"
# semver.org's pattern for MAJOR.MINOR.PATCH[-PRERELEASE], without the +BUILD part.
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?")
# pkg/backend/httpstate/client/client.go validatePolicyPackVersion
PULUMI_VERSION_TAG = re.compile(r"[a-zA-Z0-9-_.]{1,100}")
VERSION_LINE = re.compile(r"^version:[^\n]*$", re.MULTILINE)


class VersionError(Exception):
    pass


def version_of(tag: str) -> str:
    version = tag.removeprefix("refs/tags/").removeprefix("v")
    if not SEMVER.fullmatch(version):
        raise VersionError(f"tag {tag!r} is not a semantic version vMAJOR.MINOR.PATCH[-PRERELEASE] "
                           "(build metadata '+...' is refused by Pulumi Cloud)")
    if not PULUMI_VERSION_TAG.fullmatch(version):
        raise VersionError(f"version {version!r} is longer than the 100 characters Pulumi Cloud accepts")
    return version


def with_version(text: str, version: str) -> str:
    lines = VERSION_LINE.findall(text)
    if len(lines) > 1:
        raise VersionError(f"{len(lines)} top-level 'version:' lines; expected one")
    line = f"version: {version}"
    if lines:
        edited = VERSION_LINE.sub(lambda _: line, text, count=1)
    else:
        edited = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    try:
        loaded = yaml.safe_load(edited)
    except yaml.YAMLError as e:
        raise VersionError(f"not valid YAML after the edit: {getattr(e, 'problem', None) or e}") from None
    if not isinstance(loaded, dict) or loaded.get("version") != version:
        raise VersionError(f"the edited file does not read back version {version!r}")
    return edited


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the release tag, e.g. v1.4.0 or refs/tags/v1.4.0")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="the pack's PulumiPolicy.yaml")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 unless the file already carries the tag's version (a release: "
                             "the tagged commit itself must say what preflight and the pack report)")
    args = parser.parse_args(argv)
    try:
        version = version_of(args.tag)
        text = args.file.read_text(encoding="utf-8")
        edited = with_version(text, version)
        current = yaml.safe_load(text)
        if args.check and (not isinstance(current, dict) or str(current.get("version")) != version):
            print(f"set_pack_version: {args.file} does not say version {version}: run "
                  f"`python scripts/set_pack_version.py {args.tag}` and commit it before tagging", file=sys.stderr)
            return 1
        if not args.check:
            args.file.write_text(edited, encoding="utf-8")
    except VersionError as e:
        print(f"set_pack_version: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"set_pack_version: {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    print(version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
