import sys

from coco.cli import main

sys.exit(main())
