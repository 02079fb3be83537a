"""No ID number, phone or card number is stored in clear: not in tables, not in quarantine, not in the WAL."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from django.db import connection

from anxin.lake.services import ingest_paths
from tests.factories import EMPLOYMENTS, PEOPLE, bad_check, registry_batch, write_csv

SECRETS = [p["id_number"] for p in PEOPLE] + [p["phone"] for p in PEOPLE] + [p["bank_card_no"] for p in PEOPLE]


def _raw_store_bytes() -> bytes:
    """Everything the database holds, as the disk (SQLite file + WAL) or a pg_dump shows it."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings_dict["NAME"])
        chunks = [path.read_bytes()]
        for suffix in ("-wal", "-journal"):
            extra = Path(str(path) + suffix)
            if extra.exists():
                chunks.append(extra.read_bytes())
        return b"".join(chunks)
    assert connection.vendor == "postgresql"
    env = dict(os.environ, PGPASSWORD=settings_dict.get("PASSWORD") or "")
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            settings_dict.get("HOST") or "127.0.0.1",
            "-p",
            str(settings_dict.get("PORT") or 5432),
            "-U",
            settings_dict.get("USER") or "postgres",
            "--data-only",
            settings_dict["NAME"],
        ],
        capture_output=True,
        check=True,
        env=env,
    )
    return dump.stdout


def test_no_personal_number_is_stored_in_clear_anywhere_after_ingesting_people(
    committed_db: None, tmp_path: Path
) -> None:
    registry_batch(tmp_path / "b")
    # Bad rows too: a quarantined person row with a phone and card, an employment of an unknown project.
    bad_person = dict(
        PEOPLE[1], id_number=bad_check(PEOPLE[1]["id_number"]), phone="13700001234", bank_card_no="6222000011112222"
    )
    write_csv(tmp_path / "b" / "people-0002.csv", [bad_person])
    write_csv(tmp_path / "b" / "employments-0002.csv", [dict(EMPLOYMENTS[0], project_code="NOPE")])
    summaries = ingest_paths([tmp_path / "b"])
    assert sum(s.quarantined for s in summaries) == 2
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")  # whatever is left stays in the WAL we scan
    raw = _raw_store_bytes()
    assert len(raw) > 10_000
    for secret in [*SECRETS, bad_person["id_number"], "13700001234", "6222000011112222"]:
        assert secret.encode() not in raw, "a personal number is stored in clear"
    assert "张三".encode() in raw  # names are kept (masked on screen); the scan does see the data
