"""The zoo: register and make models, tasks and replications by versioned id.

Ids look like ``"elman-v1"``; asking for ``"elman"`` gives the newest version.

Examples
--------
>>> import cogrnn
>>> model = cogrnn.make_model("elman", input_size=1, hidden_size=2, output_size=1, random_state=0)
>>> type(model).__name__
'ElmanSRN'
>>> "elman" in [entry.name for entry in cogrnn.registry.MODELS.entries()]
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .exceptions import ConfigError

__all__ = ["Entry", "Registry", "MODELS", "TASKS", "make_model", "make_task"]

T = TypeVar("T")
_ID = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_.-]*?)(?:-v(?P<version>\d+))?$")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered item: its name, version, factory, description and reference."""

    name: str
    version: int
    factory: Callable[..., T]
    description: str
    reference: str

    @property
    def id(self) -> str:
        return f"{self.name}-v{self.version}"


class Registry(Generic[T]):
    """A table of factories addressed by versioned ids (``name-vN``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[tuple[str, int], Entry[T]] = {}

    def register(self, id: str, factory: Callable[..., T], description: str, reference: str = "") -> Callable[..., T]:
        """Register ``factory`` under ``id`` (``"name-vN"``; ``"name"`` means v1)."""
        name, version = self._parse(id)
        key = (name, version)
        if key in self._entries and self._entries[key].factory is not factory:
            raise ConfigError(f"{self.kind} id {name}-v{version} is already registered")
        self._entries[key] = Entry(name, version, factory, description, reference)
        return factory

    def _parse(self, id: str) -> tuple[str, int]:
        match = _ID.match(id) if isinstance(id, str) else None
        if match is None:
            raise ConfigError(f"{self.kind} id must look like 'name' or 'name-v2'; got {id!r}")
        return match["name"], int(match["version"] or 0)

    def get(self, id: str) -> Entry[T]:
        """The entry for ``id``; without a version, the newest one."""
        name, version = self._parse(id)
        versions = sorted(v for (n, v) in self._entries if n == name)
        if not versions:
            known = ", ".join(self.names()) or "(none)"
            raise ConfigError(f"unknown {self.kind} {id!r}; known: {known}")
        if version == 0:
            version = versions[-1]
        if (name, version) not in self._entries:
            raise ConfigError(
                f"unknown version {version} of {self.kind} {name!r}; known versions: "
                + ", ".join(f"v{v}" for v in versions)
            )
        return self._entries[(name, version)]

    def make(self, id: str, /, **kwargs: Any) -> T:
        """Call the factory registered under ``id`` with ``kwargs``."""
        return self.get(id).factory(**kwargs)

    def names(self) -> list[str]:
        return sorted({n for (n, _) in self._entries})

    def entries(self) -> list[Entry[T]]:
        return [self._entries[k] for k in sorted(self._entries)]

    def __contains__(self, id: object) -> bool:
        try:
            self.get(id)  # type: ignore[arg-type]
        except ConfigError:
            return False
        return True


MODELS: Registry[Any] = Registry("model")
TASKS: Registry[Any] = Registry("task")


def make_model(id: str, /, **kwargs: Any) -> Any:
    """Make a model of the zoo by id, e.g. ``make_model("elman", input_size=1, ...)``."""
    return MODELS.make(id, **kwargs)


def make_task(id: str, /, **kwargs: Any) -> Any:
    """Make a task by id, e.g. ``make_task("temporal-xor")``."""
    return TASKS.make(id, **kwargs)
