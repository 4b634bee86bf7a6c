"""``python -m pyplow.cli``: the same as the ``pyplow`` command."""

import sys

from pyplow.cli import main

sys.exit(main())
