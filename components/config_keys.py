"""The project's own config keys a stack gives the program: a key the program does not read is a typo,
refused with a did-you-mean instead of silently ignored."""
from __future__ import annotations

import difflib
from typing import Iterable, Optional

from pulumi.runtime import config as runtime_config


def given_keys(namespace: str) -> list[str]:
    """Every key of `namespace` the stack's config holds, without the namespace, sorted."""
    # The SDK has no public listing. The language host (like the mocks and the automation API) loads the whole
    # PULUMI_CONFIG map into CONFIG before the program starts, and get_config() falls back to PULUMI_CONFIG:
    # together they are every key pulumi.Config can return. (PULUMI_CONFIG_<KEY> variables are name-mangled,
    # so they cannot be mapped back to a key; they only override keys that are given anyway.)
    names = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    prefix = f"{namespace}:"
    return sorted(name[len(prefix):] for name in names if name.startswith(prefix))


def unknown_key(given: Iterable[str], known: Iterable[str]) -> Optional[tuple[str, str]]:
    """(the first unknown key, the rule naming the closest known key) or None when every key is known."""
    known = sorted(known)
    for key in sorted(given):
        if key in known:
            continue
        close = [k for k in known if k.lower() == key.lower()] or difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean {close[0]}?" if close else f"known keys: {', '.join(known)}"
        return key, f"unknown configuration key ({hint})"
    return None
