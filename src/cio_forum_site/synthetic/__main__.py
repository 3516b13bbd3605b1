import sys

from cio_forum_site.synthetic.archive import main

sys.exit(main())
