"""Why a generation fails, in the languages ``GET /v1/tasks/{id}?language=`` offers.

The ``code`` of each reason is deliberately of a different shape (integer, string, empty),
as the vendor's are: clients must show ``message`` and never rely on ``code``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

LANGUAGES: Final = ("en", "zh", "ja", "ko")
DEFAULT_LANGUAGE: Final = "en"


@dataclass(frozen=True, slots=True)
class FailureReason:
    """A way a task can fail: its error code and its message in each language."""

    code: int | str
    messages: Mapping[str, str]

    def message(self, language: str | None) -> str:
        """The message in ``language``, or in English when that language is not offered."""
        return self.messages.get(language or DEFAULT_LANGUAGE, self.messages[DEFAULT_LANGUAGE])


FAILURE_REASONS: Final = (
    FailureReason(
        "content_policy_violation",
        {
            "en": "The request was rejected by the content safety review.",
            "zh": "请求内容未通过内容安全审核。",
            "ja": "リクエストはコンテンツの安全審査で拒否されました。",
            "ko": "요청이 콘텐츠 안전 검토에서 거부되었습니다.",
        },
    ),
    FailureReason(
        504,
        {
            "en": "The generation timed out upstream; the task was not charged.",
            "zh": "上游生成超时。本任务未扣费。",
            "ja": "上流での生成がタイムアウトしました。このタスクは課金されません。",
            "ko": "업스트림 생성 시간이 초과되었습니다. 이 작업은 과금되지 않았습니다.",
        },
    ),
    FailureReason(
        "",
        {
            "en": "The input media could not be downloaded.",
            "zh": "无法下载输入的媒体文件。",
            "ja": "入力メディアをダウンロードできませんでした。",
            "ko": "입력 미디어를 다운로드할 수 없습니다.",
        },
    ),
)
