from backcare_tools.cli import main

raise SystemExit(main())
