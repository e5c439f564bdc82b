"""Insight: figures, readiness and the plan to the exam, confusions, fitting FSRS (pure)."""
