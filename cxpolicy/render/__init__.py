"""Renderers: the only code that formats findings and reports as text."""

from __future__ import annotations

import os


def ci_path(root: str, file: str) -> str:
    """A finding's file as CI tools want it: relative to the working folder (the checkout), forward slashes.

    Outside the working folder, relative to the policy root as in every other format.
    """
    full = os.path.abspath(os.path.join(root, file))
    relative = os.path.relpath(full, os.getcwd())
    return file if relative.startswith("..") else relative.replace(os.sep, "/")
