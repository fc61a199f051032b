"""Patient-history benchmark: open a patient and search, in a large database.

Builds a database of 10,000 patients and 200,000 analyses (each with its
own image row; no image files, which these queries never read) in a
temporary SKINDESK_HOME, then times through :class:`HistoryService`:

* opening the database (quick integrity check and migration check included);
* opening one patient's full record (visits, lesions, images, analyses,
  assessments), for random patients;
* searching by name, by exact identifier, by part of an identifier and by
  date of birth.

Each figure is the median (and 95th percentile) of many queries. Aim: well
under 100 ms each.

Usage: python bench/bench_history.py [--patients N] [--analyses-per-patient N] [--queries N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable

FIRST = ["Anna", "Bert", "Chloé", "Dmitri", "Eva", "Farah", "Gustav", "Hana", "Ivan", "Jörg",
         "Kai", "Lena", "Marta", "Nils", "Olga", "Pierre", "Rosa", "Sven", "Tomás", "Zoë"]  # fmt: skip
LAST = ["Berg", "Nowak", "Müller", "García", "Smith", "Rossi", "Jansen", "Kowalski", "Dubois",
        "Lindqvist", "Novák", "Horvat", "Silva", "Meyer", "Costa", "Virtanen", "Olsen", "Popescu",
        "Nagy", "Ivanova"]  # fmt: skip
NOW = "2024-01-01T00:00:00+00:00"


def build(conn, n_patients: int, per_patient: int, rng: random.Random) -> None:
    """Bulk-insert the synthetic history in one transaction."""
    from skindesk.core.history.search import search_key

    patients, visits, lesions, images, analyses, assessments = [], [], [], [], [], []
    probs = json.dumps({"mel": 0.2, "nv": 0.8})
    for pid in range(1, n_patients + 1):
        ident = f"MRN{pid:07d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{rng.randrange(1000)}"
        dob = f"{rng.randrange(1930, 2010)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        patients.append((pid, ident, name, dob, rng.choice(["female", "male"]), "", NOW, NOW,
                         search_key(ident, name, dob)))  # fmt: skip
        for v in range(2):
            visits.append((pid * 2 + v, pid, f"202{v}-03-01T10:00", "Dr Bench", "follow-up"))
            lesions.append((pid * 2 + v, pid, f"L{v + 1}", "back", "2020-03-01"))
        for a in range(per_patient):
            aid = (pid - 1) * per_patient + a + 1
            sha = hashlib.sha256(str(aid).encode()).hexdigest()
            images.append((aid, pid, sha, f"{sha[:2]}/{sha}.jpg", "img.jpg", NOW))
            analyses.append((aid, aid, pid * 2 + a % 2, pid * 2 + a % 2, "ham10000-xception", probs,
                             "nv", rng.random(), 0.4, 0, "0.1.0", NOW))  # fmt: skip
            if a % 4 == 0:
                assessments.append((aid, "agree", "naevus", NOW))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO patients (id, identifier, name, birth_date, sex, notes, "
        "created_at, updated_at, search_key) VALUES (?,?,?,?,?,?,?,?,?)",
        patients,
    )
    conn.executemany("INSERT INTO visits VALUES (?,?,?,?,?)", visits)
    conn.executemany(
        "INSERT INTO lesions (id, patient_id, label, site, first_seen) VALUES (?,?,?,?,?)", lesions
    )
    conn.executemany(
        "INSERT INTO images (id, patient_id, sha256, store_path, original_name, "
        "created_at) VALUES (?,?,?,?,?,?)",
        images,
    )
    conn.executemany(
        "INSERT INTO analyses (id, image_id, visit_id, lesion_id, model_id, "
        "probabilities_json, top_class, malignant_probability, threshold, flagged, "
        "app_version, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        analyses,
    )
    conn.executemany(
        "INSERT INTO assessments (analysis_id, verdict, diagnosis, updated_at) VALUES (?,?,?,?)",
        assessments,
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")


def timed(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Median and 95th-percentile wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--analyses-per-patient", type=int, default=20)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as home:
        os.environ["SKINDESK_HOME"] = home
        from skindesk.core.history import HistoryService
        from skindesk.core.history.database import default_db_path

        start = time.perf_counter()
        with HistoryService() as service:
            build(service.conn, args.patients, args.analyses_per_patient, rng)
            counts = service.repo.counts()
        built = time.perf_counter() - start
        size_mb = default_db_path().stat().st_size / 2**20
        print(
            f"built {counts['patients']:,} patients, {counts['analyses']:,} analyses, "
            f"{counts['images']:,} image rows in {built:.1f} s ({size_mb:.0f} MB)"
        )
        start = time.perf_counter()
        service = HistoryService()
        print(
            f"open database (quick_check + migrations): {(time.perf_counter() - start) * 1000:.0f} ms"
        )
        ids = list(range(1, args.patients + 1))
        names = [service.get_patient(rng.choice(ids)).name for _ in range(50)]
        record = service.get_patient_record(1)
        print(f"one record: {len(record.analyses)} analyses, {len(record.assessments)} assessments")

        def mrn() -> str:
            return f"MRN{rng.choice(ids):07d}"

        queries: dict[str, Callable[[], object]] = {
            "open patient record": lambda: service.get_patient_record(rng.choice(ids)),
            "search by full name": lambda: service.find_patients(rng.choice(names)),
            "search by surname (many hits, limit 200)": lambda: service.find_patients(
                rng.choice(LAST).lower()
            ),
            "search by exact identifier": lambda: service.find_patients(mrn()),
            "search by part of identifier": lambda: service.find_patients(f"{rng.choice(ids):05d}"),
            "search by date of birth": lambda: service.find_patients(
                f"{rng.randrange(1930, 2010)}-05-1"
            ),
            "patient by identifier (lookup)": lambda: service.patient_by_identifier(mrn()),
        }
        for label, fn in queries.items():
            median, p95 = timed(fn, args.queries)
            print(f"{label:42s} median {median:6.2f} ms   p95 {p95:6.2f} ms")
        service.close()


if __name__ == "__main__":
    main()
