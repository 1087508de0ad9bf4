"""The built-in checks, one module per family. Each check's documentation lives with it."""

MODULES = ("cxpolicy.rules.files",)
