"""A training script that never ends and leaves a child behind: the timeout must kill both.

The child's pid goes to `hang_child.pid` next to the report (path from `HANG_PID_FILE`) so the
test can check that it is gone.
"""

import os
import subprocess
import sys
import time

child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(os.environ["HANG_PID_FILE"], "w", encoding="utf-8") as stream:
    stream.write(str(child.pid))
time.sleep(600)
