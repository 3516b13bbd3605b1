import sys

from cio_forum_site.synthetic.files import main

sys.exit(main())
