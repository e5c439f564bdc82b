"""How far a cue may beat chance before `bank audit --strict` fails, apart from the audit itself so
the CLI can show these defaults in --help without compiling the audit's patterns on every start."""

DEFAULT_THRESHOLD = 15.0  # points a cue may beat chance by before --strict fails
DEFAULT_MIN_ITEMS = 10  # a cue that applies to fewer items is not judged
