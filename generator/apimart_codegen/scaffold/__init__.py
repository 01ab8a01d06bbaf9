"""``apimart docs scaffold``: a draft spec from a vendor page; ``docs diff --apply``: a changed
page carried into its spec. See ``_page`` (reading a page: text, Markdown, tables),
``_recognise`` and ``_between`` (one function per wording, in a registry), ``_draft``
(assembling, with ``_collect``, ``_models``, ``_read``, ``_tables``, ``_params`` and
``_review``), ``_write`` (YAML), ``_check`` (lint of the draft) and ``_apply`` (the rewrite
in place)."""

from __future__ import annotations

from apimart_codegen.scaffold._apply import ApplyResult, apply_page
from apimart_codegen.scaffold._check import Scaffold, scaffold

__all__ = ["ApplyResult", "Scaffold", "apply_page", "scaffold"]
