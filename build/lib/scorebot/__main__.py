from scorebot.cli import main

raise SystemExit(main())
