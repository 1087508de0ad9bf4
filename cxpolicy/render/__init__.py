"""Renderers: the only code that formats findings and reports as text."""
