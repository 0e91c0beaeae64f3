"""Reproducibility checks: load two runs' outputs safely and say how far apart they are.

Separate from `govcheck.lint` (static) and `govcheck.runtime` (imported by training code): this
package reads artefacts produced by code under review, so loading is the security boundary, and
torch is imported only inside the functions that need it.
"""
