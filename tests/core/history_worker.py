"""A separate process that writes to the history, for the crash and concurrency tests.

    python -m tests.core.history_worker save-loop PATIENT_ID WORKDIR
        save analyses forever, printing each analysis id after its commit;
    python -m tests.core.history_worker writer TAG N WORKDIR
        when WORKDIR/go exists, add N patients, each with a visit and two
        analyses, then print "done".

SKINDESK_HOME comes from the parent's environment.
"""

from __future__ import annotations

import sys
import time
import zlib
from pathlib import Path

from skindesk.core.history import HistoryService
from tests.core.history_data import result, write_image


def save_loop(patient_id: int, workdir: Path) -> None:
    with HistoryService() as service:
        lesion = service.add_or_get_lesion(patient_id, "L1")
        n = 0
        while True:
            image = write_image(workdir / f"loop-{n % 8}.png", seed=1_000_000 + n)
            analysis = service.save_analysis(
                patient_id, image, result(0.1 + (n % 80) / 100), lesion_id=lesion.id
            )
            print(analysis.id, flush=True)
            n += 1


def writer(tag: str, count: int, workdir: Path) -> None:
    with HistoryService() as service:
        # Start together with the other writer, so their writes really overlap.
        (workdir / f"ready-{tag}").touch()
        while not (workdir / "go").exists():
            time.sleep(0.005)
        for i in range(count):
            patient = service.add_patient(f"{tag}-{i}", name=f"Writer {tag} {i}")
            visit = service.add_visit(patient.id)
            for j in range(2):
                image = write_image(
                    workdir / f"{tag}.png", seed=zlib.crc32(f"{tag}-{i}-{j}".encode())
                )
                service.save_analysis(patient.id, image, result(), visit_id=visit.id)
    print("done", flush=True)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "save-loop":
        save_loop(int(sys.argv[2]), Path(sys.argv[3]))
    elif command == "writer":
        writer(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {command}")
