"""placeholder"""
from __future__ import annotations
from dataclasses import dataclass
@dataclass
class ApplyResult:
    pass
def apply_page() -> None:
    pass
