"""The terminal: Rich renderables, reading answers, the interactive loop."""
