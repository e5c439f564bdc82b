"""Developer tools for maintaining the built-in bank; not part of the certdrill CLI."""
