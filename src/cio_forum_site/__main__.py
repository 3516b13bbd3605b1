from cio_forum_site.cli import main

raise SystemExit(main())
