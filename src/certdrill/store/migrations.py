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
]
