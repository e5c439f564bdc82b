"""Scheduling: FSRS through the fsrs package, the review log, and today's queue (pure)."""
