"""Schema versions, oldest first; each runs in one transaction and bumps user_version."""

from __future__ import annotations

APPLICATION_ID = 0x43447231  # "CDr1": marks a file as certdrill's

MIGRATIONS: list[str] = [
    # 1: the review log (source of truth) and the card cache rebuilt from it
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE reviews (
        id TEXT PRIMARY KEY,
        item_id TEXT NOT NULL,
        bank TEXT NOT NULL,
        reviewed_at INTEGER NOT NULL,      -- ms since the epoch, UTC
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        answer TEXT,                       -- chosen choice indices (file order) as JSON; NULL: flashcard
        correct INTEGER,                   -- 1, 0, or NULL for self-graded flashcards
        duration_ms INTEGER,
        kind TEXT NOT NULL DEFAULT 'study',
        session_id TEXT
    );
    CREATE INDEX reviews_item_time ON reviews (item_id, reviewed_at);
    CREATE INDEX reviews_time ON reviews (reviewed_at);
    CREATE TABLE cards (
        item_id TEXT PRIMARY KEY,
        bank TEXT NOT NULL,
        state INTEGER NOT NULL,
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due INTEGER NOT NULL,
        last_review INTEGER,
        reps INTEGER NOT NULL,
        lapses INTEGER NOT NULL,
        first_review INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX cards_due ON cards (due);
    """,
    # 2: mock exams; answers are saved as they are given so a killed exam can be resumed
    """
    CREATE TABLE exams (
        id INTEGER PRIMARY KEY,
        bank TEXT NOT NULL,
        started_at INTEGER NOT NULL,       -- ms since the epoch, UTC
        finished_at INTEGER,               -- submitted or abandoned at; the deadline when time ran out
        minutes REAL NOT NULL,
        count INTEGER NOT NULL,
        seed INTEGER NOT NULL,             -- fixes the choice order of every question
        correct INTEGER,
        scaled INTEGER,                    -- 100-1000, 720 passes
        passed INTEGER,
        per_topic TEXT,                    -- JSON {topic: {"correct": n, "total": n}}
        status TEXT NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'submitted', 'abandoned'))
    );
    CREATE INDEX exams_status ON exams (status, bank);
    CREATE TABLE exam_answers (
        exam_id INTEGER NOT NULL REFERENCES exams (id),
        position INTEGER NOT NULL,         -- 0-based order in the exam
        item_id TEXT NOT NULL,
        chosen TEXT,                       -- choice indices (file order) as JSON; NULL: unanswered
        answered_at INTEGER,
        flagged INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (exam_id, position),
        UNIQUE (exam_id, item_id)
    ) WITHOUT ROWID;
    """,
    # 3: a million reviews without reading them one by one: per card, how many recalls were asked
    # of it while mature and how many were right (NULL until a replay of the item fills them in);
    # the wrong answers in the order confusions are counted; and each item's log in replay order
    # with all that replay reads, so rebuilding every card is one walk of an index
    """
    ALTER TABLE cards ADD COLUMN mature_recalls INTEGER;
    ALTER TABLE cards ADD COLUMN mature_right INTEGER;
    CREATE INDEX reviews_wrong ON reviews (item_id, answer, reviewed_at, id) WHERE correct = 0;
    DROP INDEX reviews_item_time;
    CREATE INDEX reviews_replay ON reviews (item_id, reviewed_at, id, rating, correct, bank);
    """,
    # 4: the learner's controls (issue 13). `undone`: tombstones, one per undone answer, keyed by the
    # undone review's id and holding that review's whole row; the row leaves `reviews`, so every
    # figure and every replay is without it, and a merge never lets the id back in. `suspensions`: a
    # log of suspend/unsuspend events, the latest per item wins; an event a review caused (a leech
    # suspended) counts only while that review is not undone.
    """
    CREATE TABLE undone (
        id TEXT PRIMARY KEY,               -- the undone review's id
        item_id TEXT NOT NULL,
        bank TEXT NOT NULL,
        reviewed_at INTEGER NOT NULL,
        rating INTEGER NOT NULL,
        answer TEXT,
        correct INTEGER,
        duration_ms INTEGER,
        kind TEXT NOT NULL,
        session_id TEXT,
        undone_at INTEGER NOT NULL         -- ms since the epoch, UTC
    ) WITHOUT ROWID;
    CREATE INDEX undone_item ON undone (item_id);
    CREATE TABLE suspensions (
        id TEXT PRIMARY KEY,
        item_id TEXT NOT NULL,
        at INTEGER NOT NULL,               -- ms since the epoch, UTC
        suspended INTEGER NOT NULL CHECK (suspended IN (0, 1)),
        reason TEXT NOT NULL,              -- 'manual' or 'leech'
        review_id TEXT                     -- the answer that made a leech of the item, if one did
    ) WITHOUT ROWID;
    CREATE INDEX suspensions_item ON suspensions (item_id, at, id);
    """,
]
