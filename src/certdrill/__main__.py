try:
    from certdrill.cli import main
except KeyboardInterrupt:  # Ctrl-C while the entry point itself imports, before main() can catch it: still 130
    raise SystemExit(130) from None

main()
