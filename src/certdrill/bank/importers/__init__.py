"""Question lists in other formats (Markdown, Anki plain text, CSV) → certdrill bank YAML."""
