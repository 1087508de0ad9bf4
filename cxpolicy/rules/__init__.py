"""The built-in checks, one module per family. Each check's documentation lives with it.

CX1xx (files.py) are found while loading; the others are rules run over the
graph by the engine.
"""

MODULES = (
    "cxpolicy.rules.files",
    "cxpolicy.rules.gaps",
    "cxpolicy.rules.conflicts",
    "cxpolicy.rules.ownership",
    "cxpolicy.rules.waivers",
    "cxpolicy.rules.measures",
)
