"""Resolve "package.module:function" names given to the generic workflow scripts."""

from __future__ import annotations

import importlib


def resolve(target: str):
    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise ValueError(f"expected 'package.module:function', got {target!r}")
    return getattr(importlib.import_module(module_name), attribute)
