"""Runtime API that training code imports: seeding, governed data, lineage and the run record.

Kept apart from `govcheck.lint` so the linter never pays for it, and each module imports its
heavy dependencies (torch, numpy, openlineage) inside the functions that need them.
"""
