"""Mutation testing of the client core and the emulator's validation with mutmut (see scripts/mutation).

mutmut 3 derives a mutant's module name from its file path and only knows the ``src/`` layout, while our
packages live in ``overlays/`` and tests import them as ``altcraft`` and ``altcraft_mock``. So each file is
tested in a workspace of its own, ``mutants/<module>/``: a copy of both packages under ``src/``, a copy of
``tests/``, the project's pyproject.toml with a generated ``[tool.mutmut]`` table, and links to the rest of
the repository (tests that read ``overlays/`` as text find the original sources there). mutmut then writes
its mutated copy to ``mutants/<module>/mutants/`` and puts ``mutants/<module>/mutants/src`` first on
sys.path, so the tests import the mutants.

One mutant is tested at a time (``--max-children 1``); each file's run is bounded by ``--max-minutes``.

Kill ratio = killed / (killed + survived), where timeouts and a test process killed by a signal count as
killed, and "no tests" (no selected test calls the mutated function) and "suspicious" count as survived.
Mutants left unchecked when the time bound hits are reported and left out of the ratio.

With ``--sample N`` only N mutants of each file, drawn at random (``--seed``), are tested: the others stay
unchecked, and the ratio is an estimate from the sample (a file's full run takes an hour or more).

Equivalent mutants (survivors that change no behaviour) are listed, one line each with the reason, in
EQUIVALENT below; they stay in the ratio (the ratio is what mutmut measured) and are marked in the listing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"

# The files mutated by default: the client (its core, its async source and generated sync twin), the bulk
# import, the command line, and the emulator's request validation.
DEFAULT_TARGETS = [
    "overlays/altcraft/_protocol.py",
    "overlays/altcraft/_requests.py",
    "overlays/altcraft/_answers.py",
    "overlays/altcraft/_async_client.py",
    "overlays/altcraft/_sync_client.py",
    "overlays/altcraft/_concurrency.py",
    "overlays/altcraft/_backoff.py",
    "overlays/altcraft/_errors.py",
    "overlays/altcraft/_polling.py",
    "overlays/altcraft/_validate.py",
    "overlays/altcraft/_limits.py",
    "overlays/altcraft/bulk/_core.py",
    "overlays/altcraft/bulk/_rows.py",
    "overlays/altcraft/bulk/_outcomes.py",
    "overlays/altcraft/bulk/_states.py",
    "overlays/altcraft/bulk/_target.py",
    "overlays/altcraft/bulk/_run.py",
    "overlays/altcraft/bulk/_journal.py",
    "overlays/altcraft/bulk/_async.py",
    "overlays/altcraft/bulk/_sync.py",
    "overlays/altcraft/cli/_config.py",
    "overlays/altcraft/cli/_readers.py",
    "overlays/altcraft/bulk/_check.py",
    "overlays/altcraft/bulk/_report.py",
    "overlays/altcraft/cli/_import.py",
    "overlays/altcraft/cli/_import_output.py",
    "overlays/altcraft/cli/_validate.py",
    "overlays/altcraft_mock/_validate.py",
]

# The tests that exercise those files (tests/packaging/test_shape.py checks that every in-process test
# file of tests/client, tests/bulk, tests/cli and tests/mock is here or in NOT_MUTATION_TESTS). Left out:
# contract and wheel tests, and the slow hypothesis model/fuzz suites.
TEST_FILES = [
    "tests/client/test_settings.py",
    "tests/client/test_requests.py",
    "tests/client/test_answers.py",
    "tests/client/test_errors.py",
    "tests/client/test_retries.py",
    "tests/client/test_deadlines.py",
    "tests/client/test_closing.py",
    "tests/client/test_token_secrecy.py",
    "tests/client/test_generated_client.py",
    "tests/client/test_limits.py",
    "tests/client/test_waiting.py",
    "tests/client/test_validation.py",
    "tests/client/test_xml_encoding.py",
    "tests/client/test_queued_attempts.py",
    "tests/client/test_cancel_events.py",
    "tests/client/test_models.py",
    "tests/client/test_pages_decide.py",
    "tests/client/test_validation_rules.py",
    "tests/client/test_live_mock.py",
    "tests/mock/test_emulator.py",
    "tests/mock/test_malformed_requests.py",
    "tests/mock/test_state.py",
    "tests/mock/test_validation.py",
]
# The tests of the bulk import and the command line, the fast deterministic ones first (mutmut's forced-fail
# check stops at the first failing test; a test that waits on a thread would make it wait for its timeout).
# Left out: those that drive `altcraft import` as a child process (the attack tests, the Ctrl-C tests),
# which import the package as installed and so never meet a mutant.
TEST_FILES += [
    "tests/bulk/test_core.py",
    "tests/bulk/test_outcomes.py",
    "tests/bulk/test_shells.py",
    "tests/bulk/test_progress_counts.py",
    "tests/bulk/test_journal_durability.py",
    "tests/bulk/test_concurrency_bound.py",
    "tests/cli/test_import_report.py",
    "tests/cli/test_input_reading.py",
    "tests/cli/test_commands.py",
    "tests/cli/test_import.py",
    "tests/cli/test_resend_unknown.py",
    "tests/bulk/test_live.py",
]
# The test files of those folders that the mutation run leaves out, with the reason.
NOT_MUTATION_TESTS = {
    "tests/bulk/test_attack.py": "drives altcraft import as a child process, which never meets a mutant",
    "tests/bulk/test_ctrl_c.py": "interrupts a child process, which never meets a mutant",
    "tests/cli/test_journal_attacks.py": "drives altcraft import as a child process, which never meets a mutant",
    "tests/cli/test_missing_extras.py": "runs the command in a child interpreter without the extras",
    "tests/mock/test_fuzz.py": "a slow hypothesis fuzz of the emulator (minutes per mutant)",
}
TEST_GLOBS: list[str] = []
NOT_IN_PROCESS: set[str] = set()
DESELECT = [
    "tests/mock/test_emulator.py::test_live_process_answers",  # starts altcraft-mock as a process
    # Counts stack frames: mutmut's trampoline around _validate._caller_level adds two, so it fails there.
    "tests/client/test_validation.py::test_the_warning_of_an_assumed_rule_points_at_the_callers_line",
]

PACKAGES = ["altcraft", "altcraft_mock"]
NOT_LINKED = {"tests", "mutants", "pyproject.toml", ".git", ".venv", "src"}

KILLED = {"killed", "timeout", "segfault"}
SURVIVED = {"survived", "no tests", "suspicious"}

# Survivors judged equivalent (no observable behaviour changes), by mutant name, with the reason.
# Filled in from reading each survivor's diff (scripts/mutation --report --diffs); the reason says why no test
# can tell the mutant from the original.
EQUIVALENT: dict[str, str] = {
    # bulk/_core.py (sampled run of 7 December 2026)
    "altcraft.bulk._core.xǁImportCoreǁ_chunk__mutmut_9": "`zip(..., strict=True)` -> `strict=None`: item_rows and"
    " items are built together, one row per item, so they are always the same length",
    "altcraft.bulk._core.xǁImportCoreǁ_chunk__mutmut_12": "`strict=True` dropped: as _chunk_9",
    "altcraft.bulk._core.xǁImportCoreǁ_move__mutmut_11": "`live.state = state` -> None: a live chunk's state is"
    " always sending, accepted or unsent, all counted as pending, as None is; the counts move the same",
    # bulk/_journal.py (sampled run of 7 December 2026)
    "altcraft.bulk._journal.xǁJournalǁ__init____mutmut_28": "`check_same_thread=False` dropped: the journal is used"
    " only by the thread that opened it (the shells' caller; sends and waits never touch it)",
    "altcraft.bulk._journal.xǁJournalǁ_update__mutmut_3": "`state` -> `STATE` in SQL: column names ignore case",
    "altcraft.bulk._journal.xǁJournalǁchunks__mutmut_8": "`first_row` -> `FIRST_ROW` in SQL: column names ignore case",
    # bulk/_rows.py (sampled run of 7 December 2026)
    "altcraft.bulk._rows.x_plain_block__mutmut_10": "`end = None`: calling it raises TypeError, which the"
    " `except orjson.JSONEncodeError` (a TypeError) catches: the block goes row by row, the same chunks, slower",
    "altcraft.bulk._rows.x_plain_block__mutmut_15": "`joined -= b'\\n'`: a TypeError, caught as _10: row by row",
    "altcraft.bulk._rows.x_plain_row__mutmut_10": "the codec name 'utf-8' -> 'UTF-8': codec names ignore case",
    # bulk/_async.py (sampled run of 7 December 2026)
    "altcraft.bulk._async.x_abulk_import__mutmut_22": "`plain_rows=None`: the rows are then converted first (a"
    " plain dict converts to an equal dict) and validated row by row: the same chunks and states, slower",
    # bulk/_states.py (sampled run of 7 December 2026)
    "altcraft.bulk._states.x_encode_ids__mutmut_5": "the codec name 'utf-8' -> 'UTF-8': codec names ignore case",
    "altcraft.bulk._states.x_decode_ids__mutmut_5": "the codec name 'utf-8' -> 'UTF-8': codec names ignore case",
    "altcraft.bulk._states.x_decode_ids__mutmut_7": "`if text` -> `if text or True`: a non-empty blob decodes to a"
    " non-empty text (the empty one returned before)",
    # bulk/_check.py (sampled run of 7 December 2026)
    "altcraft.bulk._check.xǁRowCheckǁ__init____mutmut_12": "`_root_warned = None`: only tested for truth",
    "altcraft.bulk._check.xǁRowCheckǁ__iter____mutmut_8": "`self.rows = None` inside the loop: set again after it;"
    " rows is final (documented) once the iterator is exhausted",
    "altcraft.bulk._check.xǁRowCheckǁ_warn__mutmut_27": "`warnings +=` -> `=` for the root warnings: they are added"
    " at the first chunk with items, and no warning comes before it (a chunk without items adds none)",
    # Limits, errors, polling and validation. Mutants are numbered by their place in the function, so an entry
    # goes stale when its function changes: the _validate ones were renumbered on 7 December 2026 from the
    # mutants of the code as it is (scripts/mutation --report --diffs), and those of code that is gone dropped.
    "altcraft._errors.x_error_for__mutmut_7": "`code or 0` -> `code or 1`: neither 0 nor 1 selects an error class"
    " (only 400-404 and >= 500 do), and the message shows `code` itself",
    "altcraft._polling.xǁPollerǁ_aimed_delay__mutmut_13": "`last_p <= lowest` -> `<`: when last_p == lowest the last"
    " sample is the latest at the lowest value, so `last_t <= anchor_t` holds and returns None just the same",
    "altcraft._validate.x__narrowed__mutmut_103": "`f.rsplit('.', 1)[-1]` -> `f.rsplit('.')[-1]`: the last part is the"
    " same",
    "altcraft._validate.x__narrowed__mutmut_106": "`f.rsplit('.', 1)[-1]` -> `f.rsplit('.', 2)[-1]`: the last part is"
    " the same",
    "altcraft._validate.x__narrowed__mutmut_55": "an absent tag read as None instead of _ABSENT: `_admits` gives the"
    " same answer unless None is one of the tag values, and no variant of the spec names null",
    "altcraft._validate.x__narrowed__mutmut_57": "`value.get(prop, _ABSENT)` -> `value.get(prop)`: None, as"
    " _narrowed_55",
    "altcraft._validate.x__schema_problems__mutmut_7": "`is_valid(body)` -> `is_valid(None)` (False): the errors of a"
    " valid body are then listed, and there are none: only slower",
    "altcraft._validate.x__search_key_problems__mutmut_21": "the default of `rule.get('root', ())` -> None: only tested"
    " for truth and joined when true",
    "altcraft._validate.x__search_key_problems__mutmut_23": "the default of `rule.get('root', ())` dropped: None, as"
    " _21",
    "altcraft._validate.x__search_key_problems__mutmut_38": "`len(path) >= 2` -> `> 2`: every error of the search-key"
    " schema is at data[i].data, a path of length 3",
    "altcraft._validate.x__search_key_problems__mutmut_39": "`len(path) >= 2` -> `>= 3`: the same as _38",
    "altcraft._validate.x__search_key_problems__mutmut_9": "`need` for a single candidate: only used when there are"
    " several",
    "altcraft._validate.x__unknown__mutmut_36": "get_close_matches n=1 -> the default 3: only the best match (first) is"
    " shown",
    "altcraft._validate.x__unknown__mutmut_37": "get_close_matches cutoff=0.6 dropped: 0.6 is the default",
    "altcraft._validate.x__unknown__mutmut_40": "get_close_matches n=1 -> 2: only the best match (first) is shown",
    "altcraft._validate.x_check__mutmut_35": "`_ASSUMED_SCHEMAS is None` -> `is not None`: the documented schema is"
    " checked even when the assumed one passes, and then finds nothing (the assumed rules only add constraints)",
    "altcraft._validate.x_check__mutmut_37": "the assumed validator given None (never valid): as _35",
    "altcraft._validate.x_check__mutmut_47": "`assumed=False` -> None: only tested for truth",
    "altcraft._validate.x_raise_or_warn__mutmut_37": "`logger.info('%s', text)` -> `logger.info(text)`: without"
    " arguments logging does not %-format, so the message is the same",
    "altcraft._validate.x_validate__mutmut_3": "to_plain applied to a plain mapping too: an equal plain copy",
    # The client core (sampled run of 7 December 2026, 40 mutants per file, seed 11)
    "altcraft._protocol.xǁClientCoreǁ_inject__mutmut_9": "headers['authorization']: an httpx.Headers, whose keys are"
    " case-insensitive (the same header is sent)",
    "altcraft._protocol.xǁTraceǁatrace__mutmut_2": "trace(name, None): Trace.trace never reads info",
    "altcraft._answers.xǁCappedBodyǁ__init____mutmut_6": "headers['CONTENT-LENGTH']: an httpx.Headers, whose keys"
    " are case-insensitive",
    "altcraft._async_client.xǁAsyncAltcraftǁimport_and_start_batch__mutmut_12": "cast(None, ...): typing.cast does"
    " nothing at run time (mypy --strict would refuse it)",
    "altcraft._async_client.xǁAsyncAltcraftǁwait_task__mutmut_17": "cast(None, ...): typing.cast does nothing at run"
    " time (mypy --strict would refuse it)",
    "altcraft._sync_client.xǁAltcraftǁimport_and_start_batch__mutmut_12": "cast(None, ...), in the generated twin",
    "altcraft._sync_client.xǁAltcraftǁwait_task__mutmut_17": "cast(None, ...), in the generated twin",
    "altcraft.cli._validate.x__print_report__mutmut_3": "highlight=None: rich highlights only on a terminal",
    "altcraft.cli._validate.x__print_report__mutmut_5": "highlight left to its default: rich highlights only on a"
    " terminal",
    "altcraft.cli._validate.x__print_report__mutmut_13": "another style: rich styles only on a terminal",
    "altcraft.cli._validate.x__print_report__mutmut_40": "no style: rich styles only on a terminal",
    "altcraft.cli._validate.x__print_report__mutmut_46": "no style: rich styles only on a terminal",
    "altcraft.cli._validate.x__print_report__mutmut_52": "'YELLOW': rich styles only on a terminal (and reads colour"
    " names in any case)",
}


@dataclass
class FileResult:
    target: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    survivors: dict[str, str] = field(default_factory=dict)  # mutant name -> status
    complete: bool = True
    sample: int | None = None  # tested a random sample of this many mutants (--sample)

    @property
    def killed(self) -> int:
        return sum(n for s, n in self.counts.items() if s in KILLED)

    @property
    def survived(self) -> int:
        return sum(n for s, n in self.counts.items() if s in SURVIVED)

    @property
    def unchecked(self) -> int:
        return sum(n for s, n in self.counts.items() if s not in KILLED | SURVIVED)


def module_of(target: str) -> str:
    rel = Path(target).resolve().relative_to(ROOT / "overlays")
    return ".".join(rel.with_suffix("").parts)


def test_args() -> list[str]:
    files = list(TEST_FILES)
    for pattern in TEST_GLOBS:
        found = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(pattern))
        files += [f for f in found if f not in files and f not in NOT_IN_PROCESS]
    for nodeid in DESELECT:
        files += ["--deselect", nodeid]
    return files


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")


def prepare(target: str, workspace: Path) -> None:
    if workspace.exists():
        shutil.rmtree(workspace)
    (workspace / "mutants").mkdir(parents=True)
    for package in PACKAGES:
        shutil.copytree(ROOT / "overlays" / package, workspace / "src" / package, ignore=SKIP)
    for entry in ROOT.iterdir():
        if entry.name not in NOT_LINKED:
            (workspace / "mutants" / entry.name).symlink_to(entry)
    write_tests_and_config(target, workspace)


def write_tests_and_config(target: str, workspace: Path) -> None:
    if (workspace / "tests").exists():
        shutil.rmtree(workspace / "tests")
    shutil.copytree(ROOT / "tests", workspace / "tests", ignore=SKIP)
    pyproject = (ROOT / "pyproject.toml").read_text()
    if "[tool.mutmut]" in pyproject:
        raise SystemExit("pyproject.toml has a [tool.mutmut] table: scripts/mutation.py writes its own")
    mutate = "src/" + str(Path(target).resolve().relative_to(ROOT / "overlays"))
    pyproject += f"""
[tool.mutmut]
source_paths = {toml_list([f"src/{p}" for p in PACKAGES])}
only_mutate = {toml_list([mutate])}
pytest_add_cli_args_test_selection = {toml_list(test_args())}
pytest_add_cli_args = ["-p", "no:cacheprovider", "--timeout=60"]
use_git_change_detection = false
"""
    (workspace / "pyproject.toml").write_text(pyproject)


def source_unchanged(workspace: Path) -> bool:
    """Whether the packages copied into the workspace are still those in overlays/."""
    for package in PACKAGES:
        copied = {p.relative_to(workspace / "src"): p.read_bytes() for p in (workspace / "src" / package).rglob("*.py")}
        now = {p.relative_to(ROOT / "overlays"): p.read_bytes() for p in (ROOT / "overlays" / package).rglob("*.py")}
        if copied != now:
            return False
    return True


def rerun_survivors(target: str, workspace: Path, max_minutes: float) -> tuple[float, bool]:
    """Re-test the last run's survivors (and unchecked mutants) with the current tests.

    Killed mutants keep their verdict: the source is unchanged and tests were only added, so the tests
    that killed them still do. mutmut re-collects its test statistics because the test selection changed.
    """
    if not (workspace / "seconds.json").exists():
        raise SystemExit(f"{target}: no finished run in {workspace} to re-test the survivors of")
    if not source_unchanged(workspace):
        raise SystemExit(f"{target}: overlays/ changed since the last run; run it again in full")
    meta_path = meta_of(target, workspace)
    before = json.loads(meta_path.read_text())["exit_code_by_key"]
    found = statuses(target, workspace)
    again = sorted(name for name, status in found.items() if status not in KILLED)
    write_tests_and_config(target, workspace)
    start = time.monotonic()
    complete = True
    if again:
        complete = run_mutmut(workspace, max_minutes, workspace / "rerun.log", again)
    meta = json.loads(meta_path.read_text())
    for name, code in before.items():
        if name not in again:
            meta["exit_code_by_key"][name] = code
    meta_path.write_text(json.dumps(meta))
    return time.monotonic() - start, complete


def sample_names(target: str, workspace: Path, n: int, seed: int) -> list[str]:
    """Generate the file's mutants (and mutmut's test statistics) without testing any; n of them at random.

    mutmut has no "generate only": it is run with a filter that matches no mutant, and stops there, after
    writing the file's mutants and the statistics that the run on the sample then reuses.
    """
    mutmut = Path(sys.executable).parent / "mutmut"
    with (workspace / "generate.log").open("w") as out:
        subprocess.run(
            [str(mutmut), "run", "--max-children", "1", "no-such-mutant"],
            cwd=workspace,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            check=False,
        )
    meta = meta_of(target, workspace)
    if not meta.exists():
        tail = (workspace / "generate.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"mutmut generated no mutants for {target}; end of generate.log:\n{tail}")
    names = sorted(json.loads(meta.read_text())["exit_code_by_key"])
    return sorted(random.Random(seed).sample(names, min(n, len(names))))


def run_mutmut(workspace: Path, max_minutes: float, log: Path, names: list[str] | None = None) -> bool:
    """Run mutmut in the workspace (on the named mutants only, if given); False when the time bound hit."""
    mutmut = Path(sys.executable).parent / "mutmut"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(mutmut), "run", "--max-children", "1", *(names or [])],
            cwd=workspace,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=max_minutes * 60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            return False
    if code != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"mutmut failed (exit {code}) in {workspace}; end of {log}:\n{tail}")
    return True


def meta_of(target: str, workspace: Path) -> Path:
    rel = "src/" + str(Path(target).resolve().relative_to(ROOT / "overlays"))
    return workspace / "mutants" / (rel + ".meta")


def statuses(target: str, workspace: Path) -> dict[str, str]:
    from mutmut.stats import status_by_exit_code

    meta = json.loads(meta_of(target, workspace).read_text())
    return {name: status_by_exit_code[code] for name, code in meta["exit_code_by_key"].items()}


def diff_of(workspace: Path, mutant: str) -> str:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), "show", mutant],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = out.stdout.splitlines()
    return "\n".join(line for line in lines[1:] if line.startswith(("+", "-")) and line[:3] not in ("+++", "---"))


def result_of(target: str, workspace: Path, seconds: float, complete: bool, sample: int | None = None) -> FileResult:
    found = statuses(target, workspace)
    counts: dict[str, int] = {}
    for status in found.values():
        counts[status] = counts.get(status, 0) + 1
    survivors = {name: status for name, status in sorted(found.items()) if status in SURVIVED}
    return FileResult(target, seconds, counts, survivors, complete, sample)


def ratio(killed: int, survived: int) -> str:
    total = killed + survived
    return f"{100 * killed / total:.1f}%" if total else "n/a"


def report(results: list[FileResult], show_diffs: bool) -> None:
    print("\n== survivors")
    for r in results:
        workspace = WORK / module_of(r.target)
        for name, status in r.survivors.items():
            note = f"  [equivalent: {EQUIVALENT[name]}]" if name in EQUIVALENT else ""
            print(f"{name}: {status}{note}")
            if show_diffs:
                for line in diff_of(workspace, name).splitlines():
                    print("    " + line)
    print("\n== kill ratio (killed / (killed + survived); timeouts count as killed, 'no tests' as survived)")
    print(f"{'file':42} {'mutants':>7} {'killed':>6} {'surv.':>5} {'equiv.':>6} {'unchk.':>6} {'ratio':>6} {'time':>7}")
    tk = ts = te = tu = tt = 0
    seconds = 0.0
    for r in results:
        equiv = sum(1 for n in r.survivors if n in EQUIVALENT)
        total = sum(r.counts.values())
        print(
            f"{r.target:42} {total:7} {r.killed:6} {r.survived:5} {equiv:6} {r.unchecked:6} "
            f"{ratio(r.killed, r.survived):>6} {r.seconds / 60:6.1f}m"
            + ("" if r.complete else "  (time bound hit)")
            + ("" if r.sample is None else f"  (a random sample of {r.sample})")
        )
        tk, ts, te, tu, tt = tk + r.killed, ts + r.survived, te + equiv, tu + r.unchecked, tt + total
        seconds += r.seconds
    if len(results) > 1:
        print(f"{'all':42} {tt:7} {tk:6} {ts:5} {te:6} {tu:6} {ratio(tk, ts):>6} {seconds / 60:6.1f}m")
    if tu:
        print(
            f"warning: {tu} mutants were not checked (time bound, or not in the sample); the ratio covers the checked"
            " ones only"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="files to mutate (default: the client core and mock validation)")
    parser.add_argument("--max-minutes", type=float, default=40.0, help="bound on each file's run (default 40)")
    parser.add_argument("--report", action="store_true", help="only report the results of the last runs")
    parser.add_argument("--diffs", action="store_true", help="show each survivor's diff")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="re-test only the last run's survivors with the current tests (overlays/ unchanged); killed stay killed",
    )
    parser.add_argument("--sample", type=int, metavar="N", help="test N mutants of each file, drawn at random")
    parser.add_argument("--seed", type=int, default=1, help="seed of the --sample draw (default 1)")
    args = parser.parse_args()
    targets = args.files or DEFAULT_TARGETS
    for target in targets:
        path = Path(target).resolve()
        if not path.is_file() or path.suffix != ".py" or (ROOT / "overlays") not in path.parents:
            raise SystemExit(f"{target}: not a Python file under overlays/")
    results = []
    for target in targets:
        workspace = WORK / module_of(target)
        timing = workspace / "seconds.json"
        if args.report:
            if not timing.exists():
                raise SystemExit(f"{target}: no finished run in {workspace}")
            saved = json.loads(timing.read_text())
            results.append(result_of(target, workspace, saved["seconds"], saved["complete"], saved.get("sample")))
            continue
        if args.survivors:
            print(f"== {target}: re-testing survivors in {workspace.relative_to(ROOT)} (log: rerun.log)", flush=True)
            seconds, complete = rerun_survivors(target, workspace, args.max_minutes)
            saved = json.loads(timing.read_text())
            timing.write_text(json.dumps({**saved, "rerun_seconds": seconds, "complete": complete}))
            r = result_of(target, workspace, seconds, complete)
            print(f"   kill ratio {ratio(r.killed, r.survived)} after re-testing the survivors, {seconds:.0f} s")
            results.append(r)
            continue
        print(f"== {target}: mutmut in {workspace.relative_to(ROOT)} (log: run.log)", flush=True)
        prepare(target, workspace)
        start = time.monotonic()
        names = sample_names(target, workspace, args.sample, args.seed) if args.sample else None
        complete = run_mutmut(workspace, args.max_minutes, workspace / "run.log", names)
        seconds = time.monotonic() - start
        sampled = {"sample": len(names), "seed": args.seed} if names is not None else {}
        timing.write_text(json.dumps({"seconds": seconds, "complete": complete, **sampled}))
        r = result_of(target, workspace, seconds, complete, len(names) if names is not None else None)
        print(f"   {sum(r.counts.values())} mutants, kill ratio {ratio(r.killed, r.survived)}, {seconds:.0f} s")
        results.append(r)
    report(results, args.diffs)


if __name__ == "__main__":
    main()
