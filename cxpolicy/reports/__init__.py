"""Reports built from a checked policy set: ownership, coverage, impact, review routing."""
