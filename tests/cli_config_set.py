"""What `pulumi config set` writes into Pulumi.<stack>.yaml, as the CLI's source does it (pulumi/pulumi at
1b59498), so tests can apply the README's commands to a stack file and run the program on the result.

- pkg/cmd/pulumi/config/config.go `configSetCmd.Run`: `--secret` stores `{secure: <ciphertext>}`; otherwise
  `config.NewTypedValue(value, --type)`, and without `--plaintext` a key matching `keyPattern` whose value
  `looksLikeSecret` is refused (we cannot run zxcvbn, so such keys must carry `--plaintext`/`--secret`).
- sdk/go/common/resource/config/map.go `Map.Set`: without `--path` (or with a one-element path) the value is
  stored as given - a string; deeper paths go through `Value.coerceObject`.
- sdk/go/common/resource/config/object.go `coerce`: "true"/"false" become booleans; a value of more than one
  character starting with "0" stays a string; otherwise what `strconv.ParseInt`/`ParseUint` accept becomes
  an integer (pulumi/pulumi#4393). `object.Set`: an index may append (== len), never skip.
- sdk/go/common/resource/property_path.go: `a.b[0]["c.d"]` paths.
"""
from __future__ import annotations

import re
import shlex
from typing import Any

KEY_PATTERN = re.compile(r"(?i)passwd|pass|password|pwd|secret|token")
_PART = re.compile(r'\.?([A-Za-z_$][^.\[\]]*)|\[(\d+)\]|\["([^"]*)"\]')
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_UINT64_MAX = 2 ** 64 - 1
_GO_INT = re.compile(r"^[+-]?\d+$")


class CliError(Exception):
    pass


def coerce(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if len(text) > 1 and text[0] == "0":
        return text
    if _GO_INT.match(text):
        n = int(text)
        if _INT64[0] <= n <= _INT64[1] or (text[0] != "-" and 0 <= n <= _UINT64_MAX):
            return n
    return text


def typed(text: str, type_: str) -> Any:
    if type_ == "string":
        return text
    if type_ == "int":
        return int(text)
    if type_ == "bool":
        return text.lower() in ("1", "t", "true")
    if type_ == "float":
        return float(text)
    raise CliError(f'invalid type "{type_}"; must be one of string, int, bool, or float')


def parse_path(key: str) -> list[Any]:
    parts, pos = [], 0
    while pos < len(key):
        m = _PART.match(key, pos)
        if not m or m.end() == pos:
            raise CliError(f"invalid configuration key: {key!r}")
        name, index, quoted = m.groups()
        parts.append(int(index) if index is not None else (quoted if quoted is not None else name))
        pos = m.end()
    return parts


def apply(stack_doc: dict, project: str, argv: list[str]) -> dict:
    """Apply one `pulumi config set ...` command line (argv after `pulumi`) to a loaded stack document."""
    if argv[:2] != ["config", "set"]:
        raise CliError(f"not a config set command: {argv}")
    flags = {a for a in argv[2:] if a.startswith("--") and "=" not in a and a != "--type"}
    args = [a for i, a in enumerate(argv[2:]) if not a.startswith("--") and argv[2:][i - 1] != "--type"]
    type_ = next((argv[2:][i + 1] for i, a in enumerate(argv[2:]) if a == "--type"), "")
    if len(args) != 2:
        raise CliError(f"expected a key and a value, got {args}")
    key, text = args
    path = parse_path(key) if "--path" in flags else [key]
    name = key if ":" not in path[0] else path[0].split(":", 1)[1]
    if "--secret" in flags:
        value: Any = {"secure": "v1:preflight-test-ciphertext"}
    else:
        value = typed(text, type_) if type_ else text
        if not ({"--plaintext"} & flags) and KEY_PATTERN.search(name):
            raise CliError(f"config value for '{key}' may look like a secret (key matches the CLI's keyPattern): "
                           "document it with --secret or --plaintext")
        if len(path) > 1 and not type_:
            value = coerce(text)
    config = stack_doc.setdefault("config", {})
    top = path[0] if ":" in path[0] else f"{project}:{path[0]}"
    if len(path) == 1:
        config[top] = value
        return stack_doc
    config[top] = _set(config.get(top), path[1:], value, [path[0]])
    return stack_doc


def _set(node: Any, path: list[Any], value: Any, prefix: list[Any]) -> Any:
    if not path:
        return value
    head = path[0]
    if not isinstance(node, (list, dict)):
        if node is not None and len(prefix) > 1:
            raise CliError(f"{prefix}: expected {'an array' if isinstance(head, int) else 'a map'}")
        node = [] if isinstance(head, int) else {}
    if isinstance(node, list):
        if not isinstance(head, int):
            raise CliError(f"{prefix + [head]}: key for an array must be an int")
        if not 0 <= head <= len(node):
            raise CliError(f"{prefix + [head]}: array index out of range")
        if head == len(node):
            node.append(None)
        node[head] = _set(node[head], path[1:], value, prefix + [head])
        return node
    if not isinstance(head, str):
        raise CliError(f"{prefix + [head]}: key for a map must be a string")
    node[head] = _set(node.get(head), path[1:], value, prefix + [head])
    return node


def commands_in(markdown: str) -> list[tuple[str, list[str]]]:
    """Every `pulumi config set` line of the markdown's sh blocks, as (stack, argv after `pulumi`): the
    stack is the one the block's last `pulumi stack select|init <stack>` chose."""
    out, in_block, stack = [], False, ""
    # A backslash before the newline continues the command on the next line (as the shell joins them).
    for line in markdown.replace("\\\n", " ").splitlines():
        if line.startswith("```"):
            in_block = line.strip() in ("```sh", "```bash")
            continue
        argv = shlex.split(line, comments=True) if in_block and line.startswith("pulumi ") else []
        if argv[:3] in (["pulumi", "stack", "select"], ["pulumi", "stack", "init"]):
            stack = argv[3]
        elif argv[:3] == ["pulumi", "config", "set"]:
            out.append((stack, argv[1:]))
    return out
