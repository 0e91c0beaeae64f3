"""Runs a lint: discover files, extract facts (cached, in parallel), analyse, filter, suppress.

The expensive step is the libcst parse of each file; everything after it works on the small
`ModuleFacts` records. So the engine caches facts by content hash (ruff's model: a versioned
cache directory with `CACHEDIR.TAG` and a self-ignoring `.gitignore`), parses only what
changed, in worker processes when there are enough files, and reuses the whole result when no
file changed at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from govcheck.config import Config, selector_matches
from govcheck.lint.cache import FactsCache, analysis_fingerprint
from govcheck.lint.discover import discover_files
from govcheck.lint.facts import MODULE_BODY, ModuleFacts, Site, extract_facts
from govcheck.lint.notebook import NOTEBOOK_SUFFIX, NotebookError, NotebookSource, read_notebook
from govcheck.lint.project import ProjectAnalysis
from govcheck.lint.records import Finding, Fix, LintResult
from govcheck.lint.rules import RULES

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Larger files are reported (GOV002), not parsed: they are generated data, not code."""

PARALLEL_THRESHOLD = 24
"""Below this many files to parse, starting worker processes costs more than it saves."""


@dataclasses.dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to analyse: where it is, how the project imports it, and its content hash."""

    path: Path
    relpath: str
    module: str
    is_package: bool
    digest: str
    notebook: NotebookSource | None = None
    """For `.ipynb` files: the virtual module's origins, to place findings in cells."""


def lint(paths: Sequence[Path], config: Config, *, use_cache: bool = True,
         force_exclude: bool = False, workers: int | None = None) -> LintResult:
    """Lint the project around `paths` and report the findings located in `paths`.

    The whole project under `config.root` is analysed, because whether a draw is seeded depends
    on the entry points that reach it; findings are reported only for the files named (which is
    what a pre-commit hook passes) or found under the directories named.
    """
    reported = discover_files(paths, config, force_exclude=force_exclude)
    project_files = discover_files([config.root], config, force_exclude=True) if _within(
        reported, config.root) else []
    all_files = sorted({*project_files, *reported})
    sources, unreadable = _read_sources(all_files, config)
    cache = FactsCache(config.root, analysis_fingerprint(config.fingerprint())) if use_cache else None
    facts = _collect_facts(sources, config, cache, workers)
    project_key = _project_key(sources, config)
    analysed = cache.project_result(project_key) if cache is not None else None
    if analysed is None:
        analysed = _analyse(facts, config)
        if cache is not None:
            cache.put_project_result(project_key, analysed)
    if cache is not None:
        cache.save()
    report_paths = {_relpath(path, config.root) for path in reported}
    findings = [*unreadable, *analysed]
    findings = [f for f in findings if f.path in report_paths]
    reported_facts = [module for module in facts if module.path in report_paths]
    notebooks = {source.relpath: source.notebook for source, _text in sources
                 if source.notebook is not None and source.relpath in report_paths}
    result = _apply_config_and_noqa(findings, reported_facts, config, len(reported),
                                    cache.hits if cache else 0, notebooks)
    placed = _place_in_cells(list(result.findings), notebooks)
    return dataclasses.replace(result, findings=tuple(sorted(placed, key=lambda f: f.sort_key)),
                               suppressed=tuple(_place_in_cells(list(result.suppressed), notebooks)))


def _project_key(sources: list[tuple[SourceFile, str]], config: Config) -> str:
    """Identifies the exact files, contents and dataset catalog the project analysis saw."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps(config.datasets, sort_keys=True, default=str).encode())
    for source, _text in sources:
        digest.update(f"{source.relpath}\x1f{source.module}\x1f{source.digest}\x1e".encode())
    return digest.hexdigest()


def _within(files: Sequence[Path], root: Path) -> bool:
    return all(path.is_relative_to(root) for path in files)


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def module_name(path: Path, package_dirs: dict[Path, bool] | None = None) -> tuple[str, bool]:
    """The name the project imports a file by, and whether it is a package `__init__`.

    Walks up while the parent directories are packages, so `src/pkg/data.py` is `pkg.data`
    and a script beside no `__init__.py` is importable by its stem, as Python sees it.
    """
    known = package_dirs if package_dirs is not None else {}

    def is_package_dir(directory: Path) -> bool:
        if directory not in known:
            known[directory] = (directory / "__init__.py").is_file()
        return known[directory]

    is_package = path.name == "__init__.py"
    parts = [] if is_package else [path.stem]
    directory = path.parent
    while is_package_dir(directory):
        parts.append(directory.name)
        directory = directory.parent
    return ".".join(reversed(parts)) or path.stem, is_package


def _read_sources(files: Sequence[Path], config: Config) -> tuple[list[tuple[SourceFile, str]], list[Finding]]:
    sources: list[tuple[SourceFile, str]] = []
    problems: list[Finding] = []
    package_dirs: dict[Path, bool] = {}  # one stat per directory, fresh for every run
    for path in files:
        relpath = _relpath(path, config.root)
        if path.suffix == NOTEBOOK_SUFFIX:
            _read_notebook(path, relpath, sources, problems)
            continue
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(_file_problem(relpath, "GOV002", f"file is {size / 1e6:.1f} MB, "
                                              f"over the {MAX_FILE_BYTES // 2**20} MiB limit for "
                                              "source files: generated data is not analysed"))
                continue
            data = path.read_bytes()
        except OSError as error:
            problems.append(_file_problem(relpath, "GOV002", f"cannot read file: {error.strerror}"))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            problems.append(_file_problem(relpath, "GOV002", f"not valid UTF-8 at byte "
                                          f"{error.start} (line {line}): {error.reason}", line))
            continue
        module, is_package = module_name(path, package_dirs)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        sources.append((SourceFile(path, relpath, module, is_package, digest), text))
    return sources, problems


def _read_notebook(path: Path, relpath: str, sources: list[tuple[SourceFile, str]],
                   problems: list[Finding]) -> None:
    """A notebook becomes its virtual module; its digest covers the code alone, so outputs,
    execution counts and cell ids never cost a cache miss."""
    try:
        notebook = read_notebook(path.read_bytes())
    except OSError as error:
        problems.append(_file_problem(relpath, "GOV002", f"cannot read file: {error.strerror}"))
        return
    except NotebookError as error:
        problems.append(_file_problem(relpath, "GOV005", str(error)))
        return
    for problem in notebook.problems:
        problems.append(_file_problem(relpath, "GOV001", f"syntax error: {problem.message}",
                                      problem.line, problem.column, problem.source_line,
                                      cell=problem.cell))
    if len(notebook.code) > MAX_FILE_BYTES:
        problems.append(_file_problem(relpath, "GOV002", "the code cells hold over "
                                      f"{MAX_FILE_BYTES // 2**20} MiB of source: not analysed"))
        return
    digest = hashlib.blake2b(notebook.code.encode("utf-8"), digest_size=16).hexdigest()
    sources.append((SourceFile(path, relpath, relpath, False, digest, notebook), notebook.code))


def _file_problem(relpath: str, code: str, message: str, line: int = 1, column: int = 1,
                  source_line: str = "", cell: int | None = None) -> Finding:
    rule = RULES[code]
    return Finding(relpath, line, column, line, column + 1 if source_line else column, code,
                   rule.name, message, rule.severity, "certain", source_line=source_line,
                   context=MODULE_BODY, cell=cell)


def _place_in_cells(findings: list[Finding], notebooks: dict[str, NotebookSource]) -> list[Finding]:
    """Findings in a notebook's virtual module, moved to their cell and line in that cell."""
    if not notebooks:
        return findings
    placed = []
    for finding in findings:
        notebook = notebooks.get(finding.path)
        if notebook is None or finding.cell is not None:
            placed.append(finding)
            continue
        cell, line = notebook.origin(finding.line)
        end_cell, end_line = notebook.origin(finding.end_line)
        placed.append(dataclasses.replace(
            finding, cell=cell, line=line,
            end_line=end_line if end_cell == cell else line,
            end_column=finding.end_column if end_cell == cell else len(finding.source_line) + 1))
    return placed


def _extract(job: tuple[str, str, str, bool, tuple[str, ...]]) -> ModuleFacts:
    """Worker entry: facts for one file; a crash becomes a GOV003 site, never a lost file."""
    text, relpath, module, is_package, seeders = job
    try:
        return extract_facts(text, path=relpath, module=module, is_package=is_package,
                             extra_seeders=seeders)
    except RecursionError:
        return _crashed(relpath, module, is_package, "nesting too deep to analyse")
    except Exception as error:  # a bug in govcheck: report it, keep going
        return _crashed(relpath, module, is_package, f"{type(error).__name__}: {error}")


def _crashed(relpath: str, module: str, is_package: bool, reason: str) -> ModuleFacts:
    site = Site("GOV003", f"govcheck failed on this file ({reason}); please report it", 1, 1, 1,
                1, MODULE_BODY, "")
    return ModuleFacts(path=relpath, module=module, is_package=is_package, syntax_error=site)


def _collect_facts(sources: list[tuple[SourceFile, str]], config: Config,
                   cache: FactsCache | None, workers: int | None) -> list[ModuleFacts]:
    facts: list[ModuleFacts | None] = []
    pending: list[int] = []
    for index, (source, _text) in enumerate(sources):
        cached = cache.get(source.relpath, source.digest, source.module) if cache else None
        facts.append(cached)
        if cached is None:
            pending.append(index)
    # Largest files first, in small chunks: a few generated giants would otherwise leave one
    # worker busy long after the other has finished.
    pending.sort(key=lambda i: len(sources[i][1]), reverse=True)
    jobs = [(sources[i][1], sources[i][0].relpath, sources[i][0].module, sources[i][0].is_package,
             config.known_seeders) for i in pending]
    processes = workers if workers is not None else (os.cpu_count() or 1)
    if processes > 1 and len(jobs) >= PARALLEL_THRESHOLD:
        context = get_context("fork" if sys.platform == "linux" else "spawn")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            results = list(pool.map(_extract, jobs, chunksize=4))
    else:
        results = [_extract(job) for job in jobs]
    for index, result in zip(pending, results):
        facts[index] = result
        crashed = result.syntax_error is not None and result.syntax_error.code == "GOV003"
        if cache is not None and not crashed:
            cache.put(sources[index][0].relpath, sources[index][0].digest, result)
    return [f for f in facts if f is not None]


def _analyse(modules: list[ModuleFacts], config: Config) -> list[Finding]:
    findings = []
    for facts in modules:
        if facts.syntax_error is not None:
            findings.append(_finding(facts, facts.syntax_error, "certain", facts.syntax_error.message))
    analysis = ProjectAnalysis(modules, config.entry_points, config.known_seeders,
                               _catalog_matcher(config))
    for result in analysis.run():
        findings.append(_finding(result.facts, result.site, result.certainty, result.message,
                                 result.code))
    return findings


_LOWER = {"error": "warning", "warning": "note", "note": "note"}


def _catalog_matcher(config: Config) -> Callable[[str], tuple[str, tuple[str, ...]] | None]:
    """Path -> (name, pii columns) of the catalogued dataset that governs it (GOV2xx)."""
    if not config.datasets:
        return lambda path: None
    from govcheck.catalog import catalog_from_config

    catalog = catalog_from_config(config)

    def governing_dataset(path: str) -> tuple[str, tuple[str, ...]] | None:
        dataset = catalog.match_path(path)
        return (dataset.name, dataset.pii_columns) if dataset is not None else None

    return governing_dataset


def _finding(facts: ModuleFacts, site: Site, certainty: str, message: str,
             code: str | None = None) -> Finding:
    code = code or site.code
    rule = RULES[code]
    severity = rule.severity if certainty == "certain" else _LOWER[rule.severity]
    return Finding(
        path=facts.path, line=site.line, column=site.column, end_line=site.end_line,
        end_column=site.end_column, code=code, name=rule.name, message=message,
        severity=severity, certainty=certainty,  # type: ignore[arg-type]
        fix=Fix(site.fix) if site.fix else None, source_line=site.source_line,
        context=site.context,
    )


def _apply_config_and_noqa(findings: list[Finding], modules: list[ModuleFacts], config: Config,
                           files_checked: int, cache_hits: int,
                           notebooks: dict[str, NotebookSource]) -> LintResult:
    noqa_by_path = {facts.path: facts.noqa for facts in modules}
    active: list[Finding] = []
    suppressed: list[Finding] = []
    seen: set[tuple[str, int, int, str]] = set()
    used: set[tuple[str, int, str]] = set()
    for finding in findings:
        key = (finding.path, finding.line, finding.column, finding.code)
        if key in seen or not _enabled(config, finding.code, finding.path):
            continue
        seen.add(key)
        directive = noqa_by_path.get(finding.path, {}).get(finding.line)
        if directive is not None and (directive[0] is None or finding.code in directive[0]):
            suppressed.append(dataclasses.replace(finding, suppression=directive[1]))
            used.add((finding.path, finding.line, finding.code))
        else:
            active.append(finding)
    if config.is_selected(UNUSED_NOQA):
        active.extend(_unused_noqa(modules, used, config, notebooks))
    active.sort(key=lambda f: f.sort_key)
    suppressed.sort(key=lambda f: f.sort_key)
    rules = tuple(RULES[code].info() for code in sorted(RULES) if config.is_selected(code))
    return LintResult(tuple(active), tuple(suppressed), files_checked, cache_hits, rules)


UNUSED_NOQA = "GOV004"


def _enabled(config: Config, code: str, path: str) -> bool:
    return config.is_selected(code) and not any(
        selector_matches(selector, code) for selector in config.ignored_codes_for(path))


def _unused_noqa(modules: list[ModuleFacts], used: set[tuple[str, int, str]],
                 config: Config, notebooks: dict[str, NotebookSource]) -> list[Finding]:
    """`# noqa: GOV...` directives that suppressed nothing (ruff's RUF100 for our codes).

    Only govcheck's own, enabled codes are judged: other tools' codes and bare `# noqa` belong
    to other linters, and a code that is switched off cannot show whether it is still needed.
    """
    rule = RULES[UNUSED_NOQA]
    findings = []
    for facts in modules:
        if facts.syntax_error is not None or not _enabled(config, UNUSED_NOQA, facts.path):
            continue
        for line, (codes, _reason) in sorted(facts.noqa.items()):
            unused = sorted(code for code in codes or () if code in RULES
                            and code != UNUSED_NOQA and _enabled(config, code, facts.path)
                            and (facts.path, line, code) not in used)
            if not unused:
                continue
            notebook = notebooks.get(facts.path)
            source_line = (_nth_line(notebook.code, line) if notebook is not None
                           else _line_of(config.root / facts.path, line))
            column = source_line.find("#") + 1 if "#" in source_line else 1
            findings.append(Finding(
                facts.path, line, column, line, len(source_line) + 1, UNUSED_NOQA, rule.name,
                f"unused `noqa` directive: no {', '.join(unused)} finding on this line",
                rule.severity, "certain", Fix("remove the unused code from the `noqa` comment"),
                source_line=source_line, context=MODULE_BODY))
    return findings


def _line_of(path: Path, line: int) -> str:
    """One source line, read again only for the rare finding that needs its text."""
    try:
        return _nth_line(path.read_text(encoding="utf-8-sig"), line)
    except (OSError, UnicodeDecodeError):
        return ""


def _nth_line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""
