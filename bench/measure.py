"""Run a command; print its wall time and peak RSS as the last line of stderr.

Linux carries a process's high-water RSS across fork and exec, so a child
started straight from the (large) benchmark process would report at least
the benchmark's own peak. Started from this small launcher, it inherits
only the launcher's few MB.

    python -m bench.measure CMD [ARG ...]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

if __name__ == "__main__":
    start = time.perf_counter()
    done = subprocess.run(sys.argv[1:])
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"wall_s={wall:.6f} peak_rss_mb={peak_mb:.1f}", file=sys.stderr)
    sys.exit(done.returncode)
