"""Backup and restore of the whole installation: the database and the evidence files.

A backup is one .tar.gz holding `database.dump` (pg_dump's custom format for PostgreSQL,
a consistent copy made with SQLite's online backup for SQLite), `media/` (evidence files)
and `manifest.json` (engine, time, row counts) — so a restore can say what it brings back.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ranking.errors import ServiceError
from ranking.models import Assessment, Evidence, Period, Score


def counts() -> dict[str, int]:
    return {
        "periods": Period.objects.count(),
        "assessments": Assessment.objects.count(),
        "scores": Score.objects.count(),
        "evidence": Evidence.objects.count(),
    }


def pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def pg_args() -> list[str]:
    db = connection.settings_dict
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args + ["-d", str(db["NAME"])]


def media_root() -> Path:
    return Path(default_storage.location)


def backup_create(*, path: Path) -> dict:
    """Write a backup of the current database and evidence files to `path`."""
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        dump = work / "database.dump"
        if connection.vendor == "postgresql":
            result = subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", "-f", str(dump), *pg_args()],
                env=pg_env(),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise ServiceError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()})
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            # The online backup API copies a consistent snapshot even while others write.
            target = sqlite3.connect(dump)
            with target:
                connection.connection.backup(target)
            target.close()
        else:
            raise ServiceError(_("Backups support PostgreSQL and SQLite."))
        manifest = {
            "engine": connection.vendor,
            "created": timezone.now().isoformat(),
            "counts": counts(),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        # The archive holds every password hash and evidence file: readable by its owner only,
        # from the moment it exists (never created under the umask, then narrowed).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # a file that was already there keeps its mode otherwise
        with os.fdopen(descriptor, "wb") as file, tarfile.open(fileobj=file, mode="w:gz") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            archive.add(dump, arcname="database.dump")
            if media_root().exists():
                archive.add(media_root(), arcname="media")
    return manifest


def backup_restore(*, path: Path) -> dict:
    """Replace the database and the evidence files with those of the backup at `path`."""
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        if manifest["engine"] != connection.vendor:
            raise ServiceError(
                _("This backup is of a %(engine)s database; the configured one is %(current)s.")
                % {"engine": manifest["engine"], "current": connection.vendor}
            )
        dump = work / "database.dump"
        if connection.vendor == "postgresql":
            connection.close()
            result = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *pg_args(),
                    str(dump),
                ],
                env=pg_env(),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise ServiceError(_("pg_restore failed: %(error)s") % {"error": result.stderr.strip()})
        else:
            connection.ensure_connection()
            source = sqlite3.connect(dump)
            with source:
                source.backup(connection.connection)
            source.close()
        if (work / "media").exists():
            if media_root().exists():
                shutil.rmtree(media_root())
            shutil.copytree(work / "media", media_root())
    return manifest
