"""Reading buildspec / Commands-action shell lines: pipeline segments, words, variable expansion.

Expansion resolves only what the build declares itself. Layers, lowest first (CodeBuild's precedence:
start-build override > project > buildspec): buildspec `env.variables` < the project's environment
variables < the CodePipeline action's EnvironmentVariables; then the steps' own assignments (`X=...`,
`export X=...`) in the order the shell runs them (buildspec 0.2 runs every command in one shell).
Whatever cannot be resolved (command substitution, `${X%%...}` operators, values from elsewhere)
becomes UNKNOWN, and callers must not judge a part that holds it.
"""
from __future__ import annotations

import re
import shlex
from typing import Callable, Iterable, Mapping, Union

UNKNOWN = "\x00"
ASSIGNMENT = re.compile(r"^(?:export\s+|readonly\s+|declare\s+(?:-x\s+)?)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$",
                        re.S)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PREFIX_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Words that run the next word as the command.
_WRAPPERS = {"sudo", "time", "exec", "command", "nohup", "env", "xargs", "npx", "bunx", "pnpx"}
# Variables CodeBuild (or the image) always sets: defined, value unknown to the rule.
_BUILTIN = re.compile(r"^(CODEBUILD_[A-Z0-9_]*|AWS_REGION|AWS_DEFAULT_REGION|HOME|PATH|PWD|HOSTNAME|SHELL)$")

Value = Union[str, Callable[[], str]]


def segments(text: str) -> list[str]:
    """The commands of a pipeline (`a | b`), split at `|` outside quotes and `$( )`."""
    out, cur, depth, quote = [], [], 0, ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"' and i + 1 < len(text):
                cur.append(c)
                i += 1
                c = text[i]
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    out.append("".join(cur))
    return [s.strip() for s in out if s.strip()]


def words(segment: str) -> list[str]:
    try:
        return shlex.split(segment, comments=True)
    except ValueError:
        return segment.split()


def command_words(segment: str) -> list[str]:
    """The words of one command without leading `X=1` assignments and wrappers (sudo, env, npx, ...)."""
    tokens = words(segment)
    while tokens and (_PREFIX_ASSIGNMENT.match(tokens[0]) or tokens[0] in _WRAPPERS
                      or (tokens[0].startswith("-") and len(tokens) > 1)):
        tokens = tokens[1:]
    return tokens


def basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


class ShellEnv:
    """Variables as the build's shell would see them at one point of its run."""

    def __init__(self, layers: Iterable[Mapping[str, Value]] = ()):
        self._layers = list(layers)          # lowest precedence first; looked up lazily
        self._assigned: dict[str, Value] = {}

    def _lookup(self, name: str) -> tuple[bool, Value]:
        if name in self._assigned:
            return True, self._assigned[name]
        for layer in reversed(self._layers):
            if name in layer:
                return True, layer[name]
        return False, UNKNOWN

    def names(self) -> list[str]:
        """Every variable the layers and assignments define (reading names only, never values)."""
        seen = dict.fromkeys(n for layer in self._layers for n in layer)
        seen.update(dict.fromkeys(self._assigned))
        return [n for n in seen if isinstance(n, str)]

    def defined(self, name: str) -> bool:
        return self._lookup(name)[0] or bool(_BUILTIN.match(name))

    def value(self, name: str) -> str:
        found, v = self._lookup(name)
        if callable(v):
            v = v()  # read lazily: a project variable's value may be unknown during preview
            self._assigned[name] = v
        return v if found and isinstance(v, str) else UNKNOWN

    def run(self, step: str) -> None:
        """Apply `step` when it is an assignment (`X=...`, `export X=...`)."""
        m = ASSIGNMENT.match(step.strip())
        if not m:
            return
        name, raw = m.group(1), m.group(2).strip()
        if not raw.startswith(("$(", "`", '"', "'", "${")) and len(raw.split(None, 1)) > 1:
            return  # `X=1 command ...`: X is set for that command only
        # Expanded only when read, with the variables as they were here: a project variable (unknown
        # during preview when it comes from another resource) is read only when a verdict needs it.
        snapshot = ShellEnv(self._layers)
        snapshot._assigned = dict(self._assigned)
        self._assigned[name] = lambda: snapshot.expand(raw)

    def expand(self, text: str) -> str:
        """`text` with every $VAR / ${VAR...} / $(...) resolved, or UNKNOWN where it cannot be."""
        out, i, in_double = [], 0, False
        while i < len(text):
            c = text[i]
            if c == "'" and not in_double:
                end = text.find("'", i + 1)
                end = len(text) if end < 0 else end
                out.append(text[i + 1:end])
                i = end + 1
            elif c == '"':
                in_double = not in_double
                i += 1
            elif c == "`":
                end = text.find("`", i + 1)
                out.append(UNKNOWN)
                i = len(text) if end < 0 else end + 1
            elif c == "$":
                piece, i = self._dollar(text, i)
                out.append(piece)
            else:
                out.append(c)
                i += 1
        return "".join(out)

    def _dollar(self, text: str, i: int) -> tuple[str, int]:
        nxt = text[i + 1:i + 2]
        if nxt == "(":
            return UNKNOWN, _closing(text, i + 1, "(", ")")
        if nxt == "{":
            end = _closing(text, i + 1, "{", "}")
            return self._braced(text[i + 2:end - 1]), end
        m = _NAME.match(text, i + 1)
        if m:
            return self._plain(m.group(0)), m.end()
        if nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
            return UNKNOWN, i + 2
        return "$", i + 1

    def _plain(self, name: str) -> str:
        return self.value(name) if self.defined(name) else UNKNOWN

    def _braced(self, body: str) -> str:
        m = _NAME.match(body)
        if not m:
            return UNKNOWN
        name, rest = m.group(0), body[m.end():]
        if not rest:
            return self._plain(name)
        op = re.match(r"^(:?[-=+])", rest)
        if not op:
            return UNKNOWN  # ${X:0:7}, ${X%%/*}, ${X,,}: derived from X, not X itself
        word = self.expand(rest[len(op.group(1)):])
        colon = op.group(1).startswith(":")
        if op.group(1).endswith("+"):
            if not self.defined(name):
                return ""
            return word if not colon else _if_nonempty(self.value(name), word, "")
        if not self.defined(name):
            return word  # unset everywhere the build could set it: the default applies
        return _if_nonempty(self.value(name), self.value(name), word) if colon else self.value(name)


def _if_nonempty(value: str, then: str, otherwise: str) -> str:
    if UNKNOWN in value:
        return UNKNOWN
    return then if value else otherwise


def _closing(text: str, start: int, open_: str, close: str) -> int:
    """Index just past the bracket closing the one at `start` (end of text when unbalanced)."""
    depth = 0
    for j in range(start, len(text)):
        if text[j] == open_:
            depth += 1
        elif text[j] == close:
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def option_values(tokens: list[str], names: Iterable[str]) -> list[str]:
    """Values of `--name value` / `--name=value` / `-tvalue`-less options among `tokens`."""
    names = tuple(names)
    out = []
    for i, token in enumerate(tokens):
        if token in names and i + 1 < len(tokens):
            out.append(tokens[i + 1])
        else:
            for n in names:
                if n.startswith("--") and token.startswith(n + "="):
                    out.append(token[len(n) + 1:])
    return out


def positionals(tokens: list[str], with_value: Iterable[str] = ()) -> list[str]:
    """Words that are not options, skipping the values of options in `with_value`."""
    with_value = set(with_value)
    out, skip = [], False
    for token in tokens:
        if skip:
            skip = False
        elif token.startswith("-"):
            skip = token in with_value
        else:
            out.append(token)
    return out
