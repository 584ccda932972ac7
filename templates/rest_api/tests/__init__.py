"""The test suite. pytest imports this package first, before conftest.py and the test modules."""

import gc

# Importing the app, its libraries and the test modules leaves next to no garbage: collecting it
# meanwhile would cost a tenth of the run. conftest.py turns collection back on, after them.
gc.disable()
