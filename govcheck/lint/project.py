"""Whole-project seeding analysis: which generators are seeded before each draw, per entry point.

A random draw in `data.py` is fine when `train.py` seeds first and calls it, and a problem when
`evaluate.py` calls it without seeding. No single file says which, so this module joins the
per-file facts (`facts.py`) into one picture:

1. index the first-party modules, functions and classes;
2. find the entry points: a `__main__` guard, top-level script code in a module that no other
   module imports, or the `entry-points` of the config;
3. walk each entry point's code in program order with a seeding state per global generator
   (seeded on every path, on some paths, or not at all), following calls into project
   functions and imports of project modules, so that a helper that seeds counts where it is
   called and a seed after the draw does not count;
4. walk the code that no entry point reaches on its own, from an unseeded state.

A draw is then a finding when some walk reached it unseeded; it is `certain` when every walk
did, `uncertain` when only some paths or some entry points left it unseeded, and its message
names the entry points concerned.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from govcheck.lint import knowledge as kb
from govcheck.lint import knowledge_data as kd
from govcheck.lint.facts import MODULE_BODY, Block, ModuleFacts, Site
from govcheck.lint.facts_records import DataRead

State = tuple[int, int, int]
"""Seeding level per generator, in `kb.ALL_GENERATORS` order: 0 unseeded, 1 on some paths, 2 on
every path."""

UNSEEDED: State = (0, 0, 0)
_GENERATOR_INDEX = {name: index for index, name in enumerate(kb.ALL_GENERATORS)}
_OWN = ""
"""The pseudo entry point under which unreached code is judged on its own."""


def _join(left: State | None, right: State | None) -> State | None:
    """The state after two paths meet. `None` is a path that ended (return, raise)."""
    if left is None:
        return right
    if right is None or left == right:
        return left
    return tuple(a if a == b else 1 for a, b in zip(left, right))  # type: ignore[return-value]


def _seed(state: State, generators: tuple[str, ...]) -> State:
    levels = list(state)
    for name in generators:
        levels[_GENERATOR_INDEX[name]] = 2
    return tuple(levels)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class ProjectFinding:
    """A site that the project analysis judged to be a finding, before config and noqa."""

    facts: ModuleFacts
    site: Site
    certainty: str
    message: str
    code: str | None = None
    """The rule, when it is not the site's own (a read is GOV201, GOV202 or GOV203)."""


@dataclass
class _Function:
    facts: ModuleFacts
    key: str
    body: Block


@dataclass(frozen=True, slots=True)
class _Summary:
    """What running a function from one seeding state does: its exit state, and every draw
    (site, level) and backend flag reached on the way, callees included."""

    exit: State
    uses: frozenset[tuple[tuple[str, int], int]]
    marks: frozenset[tuple]
    """Order-free facts reached: ("flag", path, site), ("read", path, index),
    ("write", path, site), ("lineage", kind)."""


_EMPTY: frozenset = frozenset()


class ProjectAnalysis:
    """Joins the facts of every file of a project and judges each draw."""

    def __init__(self, modules: list[ModuleFacts], entry_point_patterns: tuple[str, ...] = (),
                 known_seeders: tuple[str, ...] = (),
                 governing_dataset: Callable[[str], tuple[str, tuple[str, ...]] | None] = (
                     lambda path: None)) -> None:
        self.modules = [m for m in modules if m.syntax_error is None]
        self.entry_point_patterns = entry_point_patterns
        self.known_seeders = frozenset(known_seeders)
        self.governing_dataset = governing_dataset
        self.by_name: dict[str, list[ModuleFacts]] = defaultdict(list)
        self.functions: dict[str, _Function] = {}
        self.classes: dict[str, tuple[str, ...]] = {}
        for facts in self.modules:
            self.by_name[facts.module].append(facts)
        for facts in self.modules:
            for qualname, body in facts.functions.items():
                key = f"{facts.path}::{qualname}"
                self.functions[key] = _Function(facts, key, body)
            for qualname, bases in facts.classes.items():
                self.classes.setdefault(f"{facts.module}.{qualname}", bases)
        self.uses: dict[tuple[str, int], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.flags: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.reads_reached: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.writes_reached: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.lineage: dict[str, set[str]] = defaultdict(set)
        self.walked: set[str] = set()
        self.summaries: dict[tuple[str, State], _Summary] = {}
        self.in_progress: set[str] = set()
        self._resolved: dict[tuple[str, str], tuple[str | None, tuple[str, ...]]] = {}

    # ------------------------------------------------------------------ resolution

    def _module(self, name: str, near: ModuleFacts) -> ModuleFacts | None:
        candidates = self.by_name.get(name)
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        here = posixpath.dirname(near.path)
        for candidate in candidates:
            if posixpath.dirname(candidate.path) == here:
                return candidate
        return candidates[0]

    def resolve(self, target: str, caller: ModuleFacts) -> tuple[str | None, tuple[str, ...]]:
        """A call target -> (function key to walk, generators it seeds without being walked).

        Handles module bodies (imports), functions, classes (their `__init__`, and seeding
        bases such as transformers' `Trainer`), inherited methods and re-exports through a
        package's `__init__`.
        """
        cache_key = (target, caller.path)
        cached = self._resolved.get(cache_key)
        if cached is None:
            cached = self._resolve(target, caller, depth=0)
            self._resolved[cache_key] = cached
        return cached

    def _resolve(self, target: str, caller: ModuleFacts, depth: int) -> tuple[str | None, tuple[str, ...]]:
        if depth > 8:
            return None, ()
        if target in self.known_seeders:
            return None, kb.ALL_GENERATORS
        parts = target.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = self._module(".".join(parts[:split]), caller)
            if module is None:
                continue
            qualname = ".".join(parts[split:])
            if qualname in module.functions:
                return f"{module.path}::{qualname}", ()
            class_result = self._class_call(module, qualname, caller, depth)
            if class_result is not None:
                return class_result
            head, _, rest = qualname.partition(".")
            exported = module.exports.get(head)
            if exported is not None and exported != target and not exported.startswith(target):
                return self._resolve(f"{exported}.{rest}" if rest else exported, module, depth + 1)
            return None, ()
        return None, ()

    def _class_call(self, module: ModuleFacts, qualname: str, caller: ModuleFacts,
                    depth: int) -> tuple[str | None, tuple[str, ...]] | None:
        """`C(...)` runs `C.__init__`; `C.m` may be inherited; a seeding base seeds."""
        if qualname in module.classes:
            class_qname, method = f"{module.module}.{qualname}", "__init__"
        else:
            owner, _, method = qualname.rpartition(".")
            if owner not in module.classes:
                return None
            class_qname = f"{module.module}.{owner}"
        for ancestor in self._ancestors(class_qname):
            if ancestor in kb.SEEDERS and method == "__init__":
                return None, kb.SEEDERS[ancestor].generators
            owner_module, _, owner_class = ancestor.rpartition(".")
            facts = self._module(owner_module, caller)
            if facts is not None and f"{ancestor.removeprefix(facts.module + '.')}.{method}" in facts.functions:
                return f"{facts.path}::{ancestor.removeprefix(facts.module + '.')}.{method}", ()
        return None, ()

    def _ancestors(self, class_qname: str) -> list[str]:
        order: list[str] = []
        pending, seen = [class_qname], set()
        while pending and len(order) < 32:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            pending.extend(self.classes.get(current, ()))
        return order

    # ------------------------------------------------------------------ entry points

    def entry_points(self) -> list[ModuleFacts]:
        imported: set[str] = set()
        for function in self.functions.values():
            for target in _call_targets(function.body):
                if target.endswith("." + MODULE_BODY):
                    module = self._module(target[: -len(MODULE_BODY) - 1], function.facts)
                    if module is not None and module is not function.facts:
                        imported.add(module.path)
        entries = []
        for facts in self.modules:
            configured = any(fnmatch.fnmatch(facts.path, pattern)
                             for pattern in self.entry_point_patterns)
            script = facts.has_script_code and facts.path not in imported
            notebook = facts.path.endswith(".ipynb")
            if configured or facts.has_main_guard or script or notebook:
                entries.append(facts)
        return entries

    # ------------------------------------------------------------------ walking

    def run(self) -> list[ProjectFinding]:
        """Judge every draw: from each entry point, then unreached code on its own.

        Summaries of (function, entry state) are shared by all entry points, so each function
        is walked once per distinct seeding state rather than once per entry point.
        """
        for entry in self.entry_points():
            summary = self._summary(f"{entry.path}::{MODULE_BODY}", UNSEEDED)
            self._record(entry.path, summary)
        self._judge_unreached()
        return self._verdicts()

    def _record(self, entry: str, summary: _Summary) -> None:
        for site_key, level in summary.uses:
            self.uses[site_key][entry].add(level)
        for mark in summary.marks:
            kind = mark[0]
            if kind == "flag":
                self.flags[(mark[1], mark[2])].add(entry)
            elif kind == "read":
                self.reads_reached[(mark[1], mark[2])].add(entry)
            elif kind == "write":
                self.writes_reached[(mark[1], mark[2])].add(entry)
            else:
                self.lineage[entry].add(mark[1])

    def _judge_unreached(self) -> None:
        called: set[str] = set()
        unwalked = [key for key in self.functions if key not in self.walked]
        for key in unwalked:
            function = self.functions[key]
            for target in _call_targets(function.body):
                resolved, _ = self._resolve_target(target, function.facts)
                if resolved is not None and resolved != key:
                    called.add(resolved)
        roots = [key for key in unwalked if key not in called]
        roots += [key for key in unwalked if key in called]
        for key in roots:
            if key not in self.walked:
                self._record(_OWN, self._summary(key, UNSEEDED))

    def _summary(self, key: str, state: State) -> _Summary:
        memo_key = (key, state)
        cached = self.summaries.get(memo_key)
        if cached is not None:
            return cached
        if key in self.in_progress:
            return _Summary(state, _EMPTY, _EMPTY)
        function = self.functions[key]
        self.walked.add(key)
        self.in_progress.add(key)
        uses: set[tuple[tuple[str, int], int]] = set()
        flags: set[tuple] = set()
        exits: list[State] = []
        end = self._block(function.body, state, function.facts, uses, flags, exits)
        self.in_progress.discard(key)
        for exit_state in exits:
            end = _join(end, exit_state)
        summary = _Summary(state if end is None else end, frozenset(uses), frozenset(flags))
        self.summaries[memo_key] = summary
        return summary

    def _block(self, block: Block, state: State | None, facts: ModuleFacts,
               uses: set, flags: set, exits: list[State]) -> State | None:
        for event in block:
            if state is None:
                return None
            kind = event[0]
            if kind == "use":
                uses.add(((facts.path, event[2]), state[_GENERATOR_INDEX[event[1]]]))
            elif kind == "seed":
                state = _seed(state, event[1])
            elif kind == "call":
                key, seeds = self._resolve_target(event[1], facts)
                if seeds:
                    state = _seed(state, seeds)
                if key is not None:
                    summary = self._summary(key, state)
                    uses |= summary.uses
                    flags |= summary.marks
                    state = summary.exit
            elif kind == "branch":
                joined: State | None = None
                first = True
                for alternative in event[1]:
                    after = self._block(alternative, state, facts, uses, flags, exits)
                    joined = after if first else _join(joined, after)
                    first = False
                state = joined
            elif kind == "loop":
                once = self._block(event[1], state, facts, uses, flags, exits)
                twice = self._block(event[1], _join(state, once), facts, uses, flags, exits)
                state = _join(state, twice)
            elif kind == "stop":
                exits.append(state)
                return None
            elif kind == "flag" or kind == "read" or kind == "write":
                flags.add((kind, facts.path, event[1]))
            elif kind == "lineage":
                flags.update(("lineage", lineage_kind) for lineage_kind in event[1])
        return state

    def _resolve_target(self, target: str, caller: ModuleFacts) -> tuple[str | None, tuple[str, ...]]:
        """Like `resolve`, and an import (`pkg.mod.<module>`) runs that module's body."""
        if target.endswith("." + MODULE_BODY):
            module = self._module(target[: -len(MODULE_BODY) - 1], caller)
            if module is None or module is caller:
                return None, ()
            return f"{module.path}::{MODULE_BODY}", ()
        return self.resolve(target, caller)

    # ------------------------------------------------------------------ verdicts

    def _verdicts(self) -> list[ProjectFinding]:
        by_path = {facts.path: facts for facts in self.modules}
        findings = []
        for (path, index), per_entry in self.uses.items():
            facts = by_path[path]
            site = facts.sites[index]
            levels = {level for entry_levels in per_entry.values() for level in entry_levels}
            if levels == {2}:
                continue
            unseeded = sorted(entry for entry, entry_levels in per_entry.items()
                              if min(entry_levels) < 2)
            # Certain when some entry point (or the code judged on its own) reaches the draw
            # unseeded on every path: that run will not repeat. Uncertain when only some paths are.
            certainty = ("certain" if any(entry_levels == {0} for entry_levels in per_entry.values())
                         else "uncertain")
            findings.append(ProjectFinding(facts, site, certainty,
                                           _use_message(site, unseeded, per_entry)))
        for (path, index), entries in self.flags.items():
            if entries - {_OWN}:
                facts = by_path[path]
                site = facts.sites[index]
                findings.append(ProjectFinding(facts, site, "certain", site.message))
        for facts in self.modules:
            for index in facts.local_sites:
                site = facts.sites[index]
                findings.append(ProjectFinding(facts, site, "certain", site.message))
        findings.extend(self._data_verdicts(by_path))
        return findings

    def _data_verdicts(self, by_path: dict[str, ModuleFacts]) -> list[ProjectFinding]:
        """GOV201-203 for every read; GOV301/302 where an entry point records no lineage."""
        findings = []
        for facts in self.modules:
            governed = [self._governing(facts, read) for read in facts.reads]
            for access in facts.column_accesses:
                dataset = governed[access.read]
                if dataset is not None and access.column in dataset[1]:
                    read = facts.reads[access.read]
                    findings.append(ProjectFinding(
                        facts, facts.sites[access.site], "certain",
                        f"column `{access.column}` is marked pii in the catalog (`{dataset[0]}`), "
                        f"but this data was read by `{read.reader}()` without masking; read it "
                        f"with `govcheck.data.load(\"{dataset[0]}\")`, which masks it"))
            for index, read in enumerate(facts.reads):
                site = facts.sites[read.site]
                code, message = self._classify_read(read, governed[index])
                findings.append(ProjectFinding(facts, site, "certain", message, code))
                entries = self._without_lineage(self.reads_reached.get((facts.path, index), ()),
                                                kd.LINEAGE_INPUT)
                if entries:
                    findings.append(ProjectFinding(
                        facts, site, "certain",
                        f"`{read.reader}()` reads data and {_named(entries)} records no input "
                        "lineage", "GOV301"))
        for (path, site_index), entries in self.writes_reached.items():
            facts = by_path[path]
            site = facts.sites[site_index]
            missing = self._without_lineage(entries, kd.LINEAGE_OUTPUT)
            if missing:
                findings.append(ProjectFinding(
                    facts, site, "certain",
                    f"{site.message} and {_named(missing)} records no output lineage"))
        return findings

    def _without_lineage(self, entries, kind: str) -> list[str]:
        return sorted(entry for entry in entries
                      if entry != _OWN and kind not in self.lineage.get(entry, ()))

    def _governing(self, facts: ModuleFacts, read: DataRead) -> tuple[str, tuple[str, ...]] | None:
        """The catalogued dataset a read's path falls under, relative to the project root or to
        the reading module's directory (scripts often read relative to themselves)."""
        if read.path is None:
            return None
        here = posixpath.dirname(facts.path)
        candidates = [read.path] + ([posixpath.join(here, read.path)] if here else [])
        for candidate in candidates:
            dataset = self.governing_dataset(candidate)
            if dataset is not None:
                return dataset
        return None

    @staticmethod
    def _classify_read(read: DataRead,
                       dataset: tuple[str, tuple[str, ...]] | None) -> tuple[str, str]:
        label = f"`{read.reader}()`"
        if read.path is None:
            seen = f" (`{read.seen}`)" if read.seen else ""
            return "GOV203", (f"{label} reads a path govcheck cannot resolve statically{seen}: "
                              "declare the data in the catalog and read it through "
                              "`govcheck.data`")
        if dataset is not None:
            name = dataset[0]
            return "GOV202", (f"{label} reads `{read.path}`, catalogued as `{name}`, without "
                              f"`govcheck.data`: no hash check, no masking, no lineage; use "
                              f"`govcheck.data.load(\"{name}\")` or "
                              f"`govcheck.data.path(\"{name}\")`")
        return "GOV201", (f"{label} reads `{read.path}`, which the dataset catalog does not "
                          "govern")


def _named(entries: list[str]) -> str:
    return ("entry point " if len(entries) == 1 else "entry points ") + ", ".join(
        f"`{entry}`" for entry in entries)


def _use_message(site: Site, unseeded: list[str], per_entry: dict[str, set[int]]) -> str:
    entries = [entry for entry in unseeded if entry != _OWN]
    named = ", ".join(f"`{entry}`" for entry in entries)
    partly = [entry for entry in unseeded if 1 in per_entry[entry] or 2 in per_entry[entry]]
    if not entries:
        return (f"{site.message}; no entry point reaches `{site.context}` and nothing seeds "
                "that generator before this call")
    seeded_elsewhere = [entry for entry in per_entry if entry not in unseeded and entry != _OWN]
    if partly and len(partly) == len(entries):
        text = f"{site.message}, seeded only on some paths from {named}"
    else:
        text = f"{site.message} with no seed in force when run from {named}"
    if seeded_elsewhere:
        text += " (seeded from " + ", ".join(f"`{entry}`" for entry in seeded_elsewhere) + ")"
    return text


def _call_targets(block: Block):
    for event in block:
        kind = event[0]
        if kind == "call":
            yield event[1]
        elif kind == "branch":
            for alternative in event[1]:
                yield from _call_targets(alternative)
        elif kind == "loop":
            yield from _call_targets(event[1])
