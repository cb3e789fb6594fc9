import sys

from actionhub.cli import main

sys.exit(main())
