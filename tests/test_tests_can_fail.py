"""The reliability tests can fail: break a guarantee in a copy of certdrill and its test goes red.

Each case below edits one spot of the installed package the way a careless change would (skip the
save before the feedback, drop the busy timeout, load YAML unsafely, print bank text as markup, …),
then runs the test that docs/reliability.md names for that guarantee against the broken copy. The
test must fail there, and the anchor must still exist here, so this file keeps itself honest when
the code moves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import certdrill

pytestmark = pytest.mark.slow

TESTS = Path(__file__).parent


@dataclass(frozen=True)
class Breakage:
    name: str
    module: str
    before: str
    after: str
    tests: tuple[str, ...]
    also: tuple[tuple[str, str, str], ...] = ()  # more spots (module, before, after) broken with it: a guarantee held in two places


BREAKAGES = [
    Breakage(
        "the answer is not saved before its feedback",
        "ui/loop.py",
        "        if step.save is not None:\n            notice = save(step.save)\n",
        "",
        ("test_crash_safety.py::test_kill_while_feedback_is_on_screen",),
    ),
    Breakage(
        "no busy timeout, and a save takes it alone",
        "store/db.py",
        "BUSY_TIMEOUT_MS = 15_000",
        "BUSY_TIMEOUT_MS = 0",
        ("test_concurrency.py",),
        also=(
            (
                "store/connection.py",
                "            if patient:\n                self._begin_patiently()",
                "            if False:\n                self._begin_patiently()",
            ),
        ),
    ),
    Breakage(
        "daily backups keep only three",
        "store/backup.py",
        "KEEP = 10",
        "KEEP = 3",
        ("test_backup.py::test_daily_backups_keep_the_last_ten_and_spare_the_others",),
    ),
    Breakage(
        "another program's database is taken over",
        "store/db.py",
        "app_id != APPLICATION_ID and tables:",
        "app_id != APPLICATION_ID and False:",
        ("test_store.py::test_foreign_sqlite_file_is_refused_and_untouched",),
    ),
    Breakage(
        "a store's identity is read in pieces, so a first use made meanwhile looks like another program's file",
        "store/db.py",
        '    conn.execute("BEGIN")\n    try:\n        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]\n'
        '        app_id = conn.execute("PRAGMA application_id").fetchone()[0]\n',
        '    try:\n        app_id = conn.execute("PRAGMA application_id").fetchone()[0]\n'
        '        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]\n',
        ("test_store.py::test_a_first_use_committing_between_the_identity_reads_is_not_taken_for_another_programs_file",),
    ),
    Breakage(
        "a read-only home is found out only at the first answer",
        "store/connection.py",
        "        try:\n            with self.transaction() as conn:\n                version",
        "        return\n        try:\n            with self.transaction() as conn:\n                version",
        (
            "test_disk_errors.py::test_read_only_store_fails_before_the_first_question",
            "test_read_only_home.py::test_every_saving_command_says_read_only_before_asking_anything",
        ),
    ),
    Breakage(
        "the writability check only begins a transaction (which a read-only folder with -wal and -shm lets through)",
        "store/connection.py",
        '                conn.execute(f"PRAGMA user_version = {version}")\n',
        "",
        ("test_read_only_home.py::test_every_saving_command_says_read_only_before_asking_anything",),
    ),
    Breakage(
        "a read-only folder is read as immutable though answers wait in its -wal",
        "store/db.py",
        "    if _writable(path) or _has_wal(path):\n",
        "    if _writable(path):\n",
        ("test_read_only_home.py::test_a_read_only_folder_with_wal_and_shm_for_real",),
    ),
    Breakage(
        "each migration commits on its own, so a full disk leaves a half-upgraded store",
        "store/db.py",
        "            for statement in _statements(MIGRATIONS[number]):\n                conn.execute(statement)\n",
        '            for statement in _statements(MIGRATIONS[number]):\n                conn.execute(statement)\n            conn.execute(f"PRAGMA user_version = {number + 1}")\n            conn.execute("COMMIT")\n            conn.execute("BEGIN IMMEDIATE")\n',
        ("test_env_faults.py::test_first_use_on_a_nearly_full_disk_is_all_or_nothing",),
    ),
    Breakage(
        "a failed migration is rolled back twice, and 'cannot rollback' hides that the disk is full",
        "store/db.py",
        '        if conn.in_transaction:\n            conn.execute("ROLLBACK")\n',
        '        conn.execute("ROLLBACK")\n',
        ("test_env_faults.py::test_first_use_on_a_nearly_full_disk_for_real",),  # a real full disk rolls back itself; a page cap does not
    ),
    Breakage(
        "the data folder is not checked before it is used",
        "paths.py",
        "        if len(os.fsencode(part)) > NAME_MAX:",
        "        if False:",
        ("test_env_faults.py::test_a_home_that_cannot_be_a_folder_is_one_line_naming_it",),
        also=(("paths.py", "        if not stat.S_ISDIR(info.st_mode):", "        if False:"),),
    ),
    Breakage(
        "a stream that cannot encode everything encodes strictly",
        "cli/__init__.py",
        "        if not _utf8(sys.stdout) or not _utf8(sys.stderr):",
        "        if False:",
        ("test_env_faults.py::test_a_terminal_that_cannot_encode_everything_gets_a_replaced_rendering",),
    ),
    Breakage(
        "Ctrl-C while the entry point imports is a traceback",
        "__main__.py",
        "except KeyboardInterrupt:  # Ctrl-C while the entry point",
        "except ImportError:  # Ctrl-C while the entry point",
        ("test_env_faults.py::test_ctrl_c_while_the_entry_point_imports_exits_130",),
    ),
    Breakage(
        "a half-written export is left behind",
        "files.py",
        "    except BaseException:\n        discard(tmp)\n        raise\n",
        "    except BaseException:\n        raise\n",
        ("test_disk_errors.py::test_export_to_a_full_disk_leaves_no_half_written_file",),
    ),
    Breakage(
        "merge keeps whichever copy of a review came last",
        "store/writes.py",
        "        elif row != old and row_key(row) > row_key(old):",
        "        elif row != old:",
        ("test_merge_properties.py::test_a_conflict_keeps_the_same_copy_on_both_devices",),
    ),
    Breakage(
        "a newer export format is read anyway",
        "exchange/whole.py",
        "    if version > VERSION:\n        raise InputError(",
        "    if False:\n        raise InputError(",
        ("test_exchange.py::test_newer_format_version_is_refused",),
    ),
    Breakage(
        "renames are ignored",
        "store/writes.py",
        "        renames = {old: new for old, new in renames.items() if old != new}\n        if not renames:",
        "        renames = {}\n        if not renames:",
        ("test_bank_edits.py::test_a_renamed_item_carries_its_history_over",),
    ),
    Breakage(
        "YAML loaded with the unsafe loader",
        "bank/loader.py",
        "class Loader(yaml.SafeLoader):",
        "class Loader(yaml.UnsafeLoader):",
        ("test_bank_loader.py::test_every_python_tag_is_refused_and_nothing_runs",),
    ),
    Breakage(
        "no size limit on bank files",
        "bank/loader.py",
        "    if len(blob) > MAX_FILE_BYTES:",
        "    if False:",
        ("test_bank_loader.py::test_huge_file_is_refused_without_reading_it_all",),
    ),
    Breakage(
        "bank text printed without stripping escape sequences",
        "ui/render.py",
        "return Text(strip_controls(text), style=style)",
        "return Text(text, style=style)",
        ("test_terminal_safety.py::test_a_real_terminal_gets_no_escape_from_the_bank",),
        also=(("ui/console.py", "super()._render_buffer(map(_inert, buffer))", "super()._render_buffer(buffer)"),),
    ),
    Breakage(
        "bank text rendered without stripping escape sequences (the console still strips)",
        "ui/render.py",
        "return Text(strip_controls(text), style=style)",
        "return Text(text, style=style)",
        ("test_inert_output.py::test_safe_drops_every_control_character",),
    ),
    Breakage(
        "the console lets control characters through",
        "ui/console.py",
        "super()._render_buffer(map(_inert, buffer))",
        "super()._render_buffer(buffer)",
        ("test_inert_output.py::test_the_console_drops_controls_from_any_text",),
    ),
    Breakage(
        "a bank with control characters loads",
        "bank/build.py",
        "    if controls := loader.control_problems(data, lines, file):",
        "    if controls := []:",
        ("test_inert_output.py::test_any_control_in_any_field_refuses_the_bank_naming_file_line_and_field",),
    ),
    Breakage(
        "JSON output leaves DEL, C1 and bidi controls raw",
        "text.py",
        "    return json_controls(json.dumps(value, ensure_ascii=False, indent=indent))",
        "    return json.dumps(value, ensure_ascii=False, indent=indent)",
        ("test_inert_output.py::test_inert_json_escapes_every_control_and_keeps_the_value",),
    ),
    Breakage(
        "export -o - leaves C1 controls raw",
        "exchange/export.py",
        "+ json_controls(review_line(row))",
        "+ review_line(row)",
        ("test_inert_output.py::test_stats_json_and_export_escape_what_an_older_store_holds",),
    ),
    Breakage(
        "bank text printed as Rich markup",
        "ui/render.py",
        "return Text(strip_controls(text), style=style)",
        "return Text.from_markup(strip_controls(text), style=style)",
        ("test_terminal_safety.py::test_study_shows_every_field_inert",),
    ),
    Breakage(
        "references shown and linked without stripping escape sequences",
        "ui/learn.py",
        "self.urls = tuple(strip_controls(url) for url in urls)",
        "self.urls = tuple(urls)",
        ("test_feedback.py::test_a_reference_cannot_smuggle_escape_sequences_into_the_link",),
    ),
    Breakage(
        "a progress file may carry any year",
        "exchange/models.py",
        "    if not FIRST_YEAR <= moment.year <= LAST_YEAR:\n",
        "    if False:\n",
        ("test_accepted_values.py::test_dates_at_the_edges_are_refused_at_the_boundary_or_work_everywhere",),
        also=(("exchange/models.py", r"(?:20\d\d|2100)", r"\d{4}"),),
    ),
    Breakage(
        "an exam date may be any year",
        "config.py",
        "        if not in_range(day):\n",
        "        if False:\n",
        ("test_accepted_values.py::test_dates_at_the_edges_are_refused_at_the_boundary_or_work_everywhere",),
    ),
    Breakage(
        "an answer letter past h indexes past the letters",
        "bank/loader.py",
        "last = LETTERS[min(max(len(choices), 1), len(LETTERS)) - 1]",
        "last = LETTERS[max(len(choices) - 1, 0)]",
        ("test_choice_counts.py::test_nine_choices_with_an_answer_past_h_is_one_clean_error_per_problem",),
    ),
    Breakage(
        "a damaged or foreign bank cache part is trusted",
        "bank/parts.py",
        "            if stored != digest or not isinstance(found, Summary)",
        "            if not isinstance(found, Summary)",
        ("test_bank_parts.py::test_a_damaged_part_is_ignored_and_rebuilt",),
    ),
    Breakage(
        "a bank cache part's choices are trusted whatever item they belong to",
        "bank/parts.py",
        "    if any(c.id != e.id or c.type != e.type for c, e in zip(found, entries, strict=True)):",
        "    if False:",
        ("test_bank_parts.py::test_choices_are_read_alone_and_a_damaged_record_of_them_is_rebuilt",),
    ),
    Breakage(
        "ids are checked across files only when those files are parsed",
        "bank/build.py",
        "            if entry.id in first_seen:",
        "            if False:",
        ("test_bank_parts.py::test_an_edit_that_duplicates_an_id_in_another_file_is_refused_with_file_and_line",),
    ),
    Breakage(
        "the bank cache's note misses a deleted file",
        "bank/cache.py",
        "len(noted) == len(files) and ",
        "",
        ("test_bank_parts.py::test_a_deleted_an_added_and_a_renamed_file",),
    ),
    Breakage(
        "a session's items all read from the cache",
        "bank/items.py",
        "        loaded = iter(self._shelf.load(wanted))",
        "        loaded = iter([self.by_id()[e.id] for e in wanted])",
        ("test_bank_parts.py::test_a_session_reads_only_the_items_it_asks_for",),
    ),
    Breakage(
        "replay workers outlive a killed parent",
        "parallel.py",
        ", initializer=die_with_parent, initargs=(os.getpid(),)",
        "",
        ("test_orphans.py::test_workers_die_with_their_parent",),
    ),
    Breakage(
        "a killed command's scratch files are left for good",
        "files.py",
        "        if pid == os.getpid() or alive(pid):",
        "        if True:",
        ("test_orphans.py::test_the_next_command_removes_what_a_killed_one_left",),
    ),
    Breakage(
        "a store truncated to a few bytes is replaced by a fresh one",
        "store/db.py",
        "    if head != SQLITE_MAGIC:\n",
        "    if False:\n",
        ("test_damaged_store.py::test_a_store_truncated_to_a_few_bytes_is_reported_not_replaced",),
    ),
    Breakage(
        "a bad value in one cell gives a traceback",
        "cli/common.py",
        "explained = diagnose_store()",
        "explained = None",
        ("test_damaged_store.py::test_a_bad_value_in_one_cell_is_named_and_reported_as_damage",),
    ),
    Breakage(
        "a schema that is not UTF-8 gives a traceback",
        "store/connection.py",
        '    return damaged(path, "its schema or a text cell is not UTF-8")',
        '    return UnicodeDecodeError("utf-8", b"", 0, 1, "invalid")',
        ("test_damaged_store.py::test_a_schema_that_is_not_utf8_is_damage",),
        also=(("store/db.py", '        raise damaged(path, "its schema is not UTF-8 text") from None', "        raise"),),
    ),
    Breakage(
        "only the quick check runs, which misses index damage",
        "store/backup.py",
        'thorough = reason == "manual" or _size(db_path) < THOROUGH_BYTES',
        "thorough = False",
        ("test_damaged_store.py::test_index_damage_is_found_by_the_daily_and_the_manual_backup",),
    ),
    Breakage(
        "expected errors escape as tracebacks",
        "cli/common.py",
        "        except CertdrillError as exc:",
        "        except ZeroDivisionError as exc:",
        ("test_flags.py::test_bad_flags_get_one_line",),
    ),
    Breakage(
        "sync takes a half-copied last line",
        "exchange/sync_files.py",
        '    end = data.rfind(b"\\n") + 1',
        "    end = len(data)",
        (
            "test_sync.py::test_a_half_copied_last_line_is_taken_once_it_is_whole",
            "test_sync_files.py::test_a_cut_anywhere_yields_the_whole_lines_before_it_and_the_rest_later",
        ),
    ),
    Breakage(
        "sync does not send undone answers",
        "services/sync.py",
        "    return [sf.encode_undone(row) for row in store.iter_tombstone_rows()] + [",
        "    return [",
        ("test_sync.py::test_undone_answers_and_suspensions_travel",),
    ),
    Breakage(
        "a progress file's lines have no length limit",
        "exchange/lines.py",
        "MAX_LINE = 16 * 1024 * 1024",
        "MAX_LINE = 1024 * 1024 * 1024",
        ("test_hostile_progress.py::test_a_200_mb_line_is_refused_at_its_line_without_reading_it_whole",),
    ),
    Breakage(
        "import reads a FIFO or a device",
        "exchange/lines.py",
        "        if not stat.S_ISREG(mode):\n",
        "        if False:\n",
        ("test_hostile_progress.py::test_a_fifo_a_device_or_a_folder_is_refused_not_read",),
    ),
    Breakage(
        "thousands of digits give a traceback",
        "exchange/jsonpos.py",
        "        return json.loads(text, parse_int=_int)",
        "        return json.loads(text)",
        ("test_hostile_progress.py::test_a_hostile_value_in_a_review_is_one_line_naming_its_line_and_nothing_is_written",),
    ),
    Breakage(
        "deep nesting gives a traceback",
        "exchange/jsonpos.py",
        "    except RecursionError:\n",
        "    except ZeroDivisionError:\n",
        ("test_hostile_progress.py::test_a_hostile_value_in_a_review_is_one_line_naming_its_line_and_nothing_is_written",),
    ),
    Breakage(
        "the first pass lets a byte that is not UTF-8 by",
        "exchange/stream.py",
        "        if not_utf8 is None and not region.isascii():",
        "        if False:",
        ("test_hostile_progress.py::test_a_hostile_value_in_a_review_is_one_line_naming_its_line_and_nothing_is_written",),
    ),
    Breakage(
        "the quick reading of export's lines takes a rating the model refuses",
        "exchange/quicklines.py",
        '"rating": ([1-4])',
        '"rating": (\\d)',
        ("test_quick_lines.py::test_a_line_read_quickly_is_the_row_the_model_gives",),
    ),
    Breakage(
        "the ids the import's workers read are never checked for reuse",
        "exchange/stream.py",
        "                ids.frombytes(hashes)",
        "                pass",
        ("test_exchange.py::test_streamed_and_whole_reads_agree",),
    ),
    Breakage(
        "copies of a review id that differ beyond item, time and rating are collapsed",
        "exchange/whole.py",
        "        if first != review:",
        "        if (first.item_id, first.reviewed_at, first.rating) != (review.item_id, review.reviewed_at, review.rating):",
        ("test_hostile_progress.py::test_a_review_id_on_two_lines_with_different_values_names_both_lines",),
        also=(("exchange/stream.py", "            if first != row:", "            if first[1:5] != row[1:5]:"),),
    ),
    Breakage(
        "import counts the file's reviews of undone answers as already here",
        "store/writes.py",
        "        already = ({row[0] for row in undone} | refused) - applied\n",
        "        already, refused = {row[0] for row in undone} - applied, set()\n",
        ("test_import_summary.py::test_an_export_from_before_the_undo_counts_the_undone_answer_as_such_not_as_already_here",),
        also=(("store/staged.py", "        already = (undone | refused) - applied", "        already = undone - applied"),),
    ),
    Breakage(
        "export (and any reader) makes a store where there was none",
        "services/progress.py",
        "    if not paths.has_store():\n        return _export_without_store(output, ref, now=now)\n",
        "",
        ("test_import_summary.py::test_export_from_a_home_without_progress_is_valid_and_makes_no_store",),
        also=(("store/db.py", "        return _empty_store(path) if fresh else _connect_read_only(path)\n", "        pass\n"),),
    ),
    Breakage(
        "bank list reads the cards without the exam-date cap",
        "services/listing.py",
        "        cards = cards_for(store, config, now)\n",
        "        cards = store.cards()\n",
        ("test_bank_list_progress.py::test_the_progress_columns_match_certdrill_item",),
    ),
    Breakage(
        "the score interval ignores the learner's own mock exams",
        "insight/uncertainty.py",
        "    own = fitted_error(list(exams)[-RECENT_EXAMS:])",
        "    own = fitted_error([])",
        ("test_readiness_cli.py::test_a_record_of_large_residuals_widens_the_interval",),
    ),
    Breakage(
        "a right multiple-choice answer is taken as recall, never as a lucky guess",
        "schedule/posterior.py",
        "                    branches += [(w * r, card, answer.rating), (w * (1 - r) * g, card, AGAIN)]",
        "                    branches += [(w * r, card, answer.rating)]",
        ("test_posterior.py::test_right_answers_to_four_choice_questions_leave_lower_recall_than_plain",),
        also=(("schedule/posterior.py", " + ([((1 - r0) * g, start, AGAIN)] if right and g > 0 else [])", ""),),
    ),
    Breakage(
        "stats predicts the score from the plain cards, lucky guesses taken as memory",
        "services/stats.py",
        "            beliefs=beliefs,",
        "            beliefs=None,",
        ("test_readiness_cli.py::test_stats_and_the_next_exam_take_right_answers_as_recall_or_guess",),
    ),
    Breakage(
        "the batch replay follows fsrs-rs's float32 where it loses digits",
        "schedule/batch.py",
        "ILL_CONDITIONED = 0.1",
        "ILL_CONDITIONED = 0.0",
        ("test_batch_replay.py::test_a_card_whose_stability_fell_under_a_tenth_replays_alike",),
    ),
    Breakage(
        "the batch follows float32 through a recall so early that its complement keeps few digits",
        "schedule/batch.py",
        "EARLY = 0.1 ",
        "EARLY = 0.0 ",
        ("test_batch_replay.py::test_an_early_recall_under_custom_parameters_replays_alike",),
    ),
    Breakage(
        "the batch takes fsrs's interval from the probed slope right up to a half day",
        "schedule/batch.py",
        "SLOPE_GUARD = GUARD + 1e-9",
        "SLOPE_GUARD = 0.0",
        ("test_batch_replay.py::test_an_interval_by_the_probed_slope_is_fsrs_own_near_every_half_day",),
    ),
    Breakage(
        "a full rebuild hashes the wrong review's id for a fuzz decision",
        "store/rebuild.py",
        'LIMIT 1 OFFSET ?", (self.item_id, i)',
        'LIMIT 1 OFFSET ?", (self.item_id, i + 1)',
        ("test_batch_replay.py::test_a_full_rebuild_reads_the_review_ids_it_needs_alone",),
    ),
    Breakage(
        "replay skips the due-date constraint where the next maturity verdict reads it",
        "schedule/scheduler.py",
        "    return days - fuzz_spread(days) >= MATURE_DAYS",
        "    return days + fuzz_spread(days) >= MATURE_DAYS",
        ("test_scheduler.py::test_replay_and_its_maturity_equal_folding_fsrs_over_the_log",),
    ),
    Breakage(
        "an import into a store in use holds the lock for the whole file",
        "services/progress.py",
        "_first_import(incoming, settings, shown, warn) if fresh else _merge_aside(incoming, settings, shown, warn)",
        "_first_import(incoming, settings, shown, warn) if fresh else _merge(open_store(warn=warn), incoming, settings, shown)",
        ("test_import_beside_sessions.py::test_an_import_never_locks_a_study_session_out_for_long",),
    ),
    Breakage(
        "a session saving an answer gives up at SQLite's busy timeout",
        "store/connection.py",
        "            if patient:\n                self._begin_patiently()",
        "            if False:\n                self._begin_patiently()",
        ("test_import_beside_sessions.py::test_a_session_waits_its_turn_past_sqlites_busy_timeout_and_saves",),
    ),
    Breakage(
        "a card replayed outside the lock is taken without checking the log",
        "store/staged.py",
        "if done is not None and done[0] == log:",
        "if done is not None:",
        ("test_import_beside_sessions.py::test_an_answer_saved_between_the_replay_and_the_batch_is_replayed_in_it",),
    ),
    Breakage(
        "the write-ahead log a connection writes into is not watched",
        "store/connection.py",
        "store.wal = None if read_only else WalWatch.of(store.path)",
        "store.wal = None",
        ("test_wal_deleted.py::test_a_running_session_refuses_the_next_answer_once_its_log_is_deleted",),
    ),
    Breakage(
        "a store held open without its log is opened anyway",
        "store/wal.py",
        "    if held_open(path):\n",
        "    if False:\n",
        ("test_wal_deleted.py::test_a_second_session_refuses_a_store_held_open_without_its_log_and_the_first_keeps_its_answers",),
    ),
    Breakage(
        "a store whose answers were all in a lost log looks empty",
        "store/wal.py",
        "    if pages <= 1 and user_version == 0 and app_id == 0:",
        "    if False:",
        ("test_wal_deleted.py::test_after_kill_9_and_a_deleted_log_every_command_says_what_is_missing",),
    ),
    Breakage(
        "a Ctrl-C inside Rich's buffer bookkeeping silences every later print",
        "ui/console.py",
        '    if getattr(console, "_buffer_index", 0):\n        console._buffer_index = 0\n        del console._buffer[:]\n',
        "    return\n",
        (
            "test_interrupts.py::test_a_ctrl_c_inside_a_print_still_says_the_exam_is_left_to_resume",
            "test_interrupts.py::test_a_ctrl_c_inside_a_print_still_shows_the_session_summary",
        ),
    ),
]


def copy_package(root: Path) -> None:
    """The package under test, built-in bank included (in a checkout it sits outside the package)."""
    from certdrill import paths

    shutil.copytree(Path(certdrill.__file__).parent, root / "certdrill", ignore=shutil.ignore_patterns("__pycache__"))
    if not (root / "certdrill" / "content").is_dir():
        shutil.copytree(paths.content_root(), root / "certdrill" / "content")


def broken_copy(tmp_path: Path, breakage: Breakage) -> Path:
    """A copy of the package under test with one spot edited; returns the folder to put on sys.path."""
    root = tmp_path / "broken"
    copy_package(root)
    for name, before, after in ((breakage.module, breakage.before, breakage.after), *breakage.also):
        module = root / "certdrill" / name
        source = module.read_text(encoding="utf-8")
        assert source.count(before) == 1, f"{name}: the spot to break moved; update this case"
        module.write_text(source.replace(before, after), encoding="utf-8")
    return root


def run_tests(root: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(TESTS)])}
    env.pop("PYTEST_ADDOPTS", None)
    imported = subprocess.run([sys.executable, "-c", "import certdrill; print(certdrill.__file__)"], env=env, capture_output=True, text=True, check=True)
    assert Path(imported.stdout.strip()).is_relative_to(root), "the copy is not the certdrill the tests would import"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *(str(TESTS / t) for t in tests)],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.name for b in BREAKAGES])
def test_the_guarding_test_fails_when_the_guarantee_is_broken(tmp_path, breakage):
    root = broken_copy(tmp_path, breakage)
    result = run_tests(root, breakage.tests)
    assert result.returncode == 1, f"still green with {breakage.name!r}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"


def test_the_unbroken_copy_passes_the_same_tests(tmp_path):
    """The control: the same copying, nothing edited, every named test green."""
    root = tmp_path / "intact"
    copy_package(root)
    fast = tuple(t for b in BREAKAGES for t in b.tests if "concurrency" not in t and "crash" not in t)
    result = run_tests(root, fast)
    assert result.returncode == 0, result.stdout[-3000:]
