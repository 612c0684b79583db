from chorusbat.cli import main

raise SystemExit(main())
