"""`python -m customer_truth.generate --persons N --seed S --out DIR [...]`."""

import sys

from customer_truth.generate.cli import main

sys.exit(main())
