"""Actions to and from JSON, so the outbox can keep them across a crash."""

from __future__ import annotations

import dataclasses
import json

from scorebot.domain import actions
from scorebot.domain.actions import Action
from scorebot.domain.text import Text

_KINDS: dict[str, type[Action]] = {
    cls.__name__: cls
    for cls in vars(actions).values()
    if isinstance(cls, type) and issubclass(cls, Action) and cls is not Action
}


def dump(action: Action) -> tuple[str, str]:
    return type(action).__name__, json.dumps(dataclasses.asdict(action), ensure_ascii=False)


def load(kind: str, payload: str) -> Action:
    cls = _KINDS[kind]
    values = json.loads(payload)
    if values.get("text") is not None:
        text = values["text"]
        values["text"] = Text(text["plain"], text["html"], tuple(text["mentions"]))
    return cls(**values)
