"""The versioned JSON progress file: export, validate, merge."""
