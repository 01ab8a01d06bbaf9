"""What the README lists, held to the code it describes."""

from __future__ import annotations

import re

from apimart import TaskStatus

from tests.support import ROOT

README = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


def test_the_status_list_is_every_status_of_the_client() -> None:
    match = re.search(r"Tasks have a typed `status` \(([^;]+);", README)
    assert match, "the README no longer lists the task statuses"
    listed = re.findall(r"`([a-z]+)`", match.group(1))
    assert listed == [status.value for status in TaskStatus]
