"""The progress store: the only code that speaks SQL."""
