from lederuddannelse.cli import main

raise SystemExit(main())
