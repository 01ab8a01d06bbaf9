"""Registries fed by Python entry points: the generator's two extension points.

Built-in rule kinds and targets are declared in pyproject.toml under the same entry-point
groups a third-party plugin uses, so there is one way in for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

T = TypeVar("T")

RULE_KINDS_GROUP = "apimart.rule_kinds"
TARGETS_GROUP = "apimart.targets"


class PluginError(Exception):
    """An entry point that cannot be loaded or does not provide what its group needs."""


class Registry(Generic[T]):
    """Name → implementation, loaded once from an entry-point group, plus explicit additions."""

    def __init__(self, group: str, what: str, accepts: Callable[[object], bool]) -> None:
        self.group = group
        self.what = what
        self._accepts = accepts
        self._items: dict[str, T] | None = None

    def _load(self) -> dict[str, T]:
        if self._items is None:
            items: dict[str, T] = {}
            for point in sorted(entry_points(group=self.group), key=lambda p: p.name):
                items[point.name] = self._load_one(point)
            self._items = items
        return self._items

    def _load_one(self, point: EntryPoint) -> T:
        try:
            value = point.load()
        except Exception as exc:  # a broken plugin must not take the whole tool down
            raise PluginError(
                f"{self.what} plugin {point.name!r} ({point.value}) failed to load: {exc}"
            ) from exc
        if not self._accepts(value):
            raise PluginError(
                f"{self.what} plugin {point.name!r} ({point.value}) is not a {self.what}"
            )
        if getattr(value, "name", point.name) != point.name:
            raise PluginError(
                f"{self.what} plugin registered as {point.name!r} calls itself "
                f"{getattr(value, 'name', None)!r}"
            )
        return value  # type: ignore[no-any-return]

    def register(self, name: str, value: T) -> None:
        """Add an implementation by hand (tests, embedding); entry points are the usual way."""
        self._load()[name] = value

    def get(self, name: str) -> T:
        try:
            return self._load()[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise PluginError(
                f"no {self.what} named {name!r} is registered (known: {known})"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._load())

    def __contains__(self, name: object) -> bool:
        return name in self._load()

    def __iter__(self) -> Iterator[T]:
        items = self._load()
        return iter([items[name] for name in sorted(items)])
