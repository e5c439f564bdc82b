from certdrill.cli import main

main()
