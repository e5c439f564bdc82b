"""Services: what each command does, below the CLI and above the core, the store and exchange.

A command parses its flags, calls one service and hands the result to the UI. Services never
print and never read the clock: the CLI passes `now` and a `warn` for what is worth a line.
"""
