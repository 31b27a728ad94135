import sys

from casework.i18n.cli import main

sys.exit(main())
