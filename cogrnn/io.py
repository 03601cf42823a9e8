"""Atomic writes and tidy-CSV schema checks."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import DataError

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "write_json",
    "write_csv",
    "read_tidy_csv",
    "write_parquet",
    "read_parquet",
    "check_columns",
    "sha256_file",
    "ensure_writable_dir",
    "data_dir",
    "data_path",
    "read_data_table",
]

_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then ``os.replace``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write_bytes(p, b"hi").read_bytes()
    b'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented JSON, atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")


def write_csv(path: str | os.PathLike[str], df: pd.DataFrame) -> Path:
    """Write a DataFrame as CSV (no index; floats round-trip exactly), atomically.

    Uses pyarrow's CSV writer (about 10x faster than pandas) and falls back to pandas for
    columns Arrow cannot type (mixed objects).
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        return atomic_write_text(path, buf.getvalue())
    out = io.BytesIO()
    pa_csv.write_csv(table, out)
    return atomic_write_bytes(path, out.getvalue())


def _existing_output(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path, or a one-line :class:`DataError` when the file is missing."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist; run without --plot-only first")
    return path


def write_parquet(path: str | os.PathLike[str], df: pd.DataFrame) -> Path:
    """Write a DataFrame as Parquet (pyarrow), atomically."""
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return atomic_write_bytes(path, buf.getvalue())


def read_parquet(path: str | os.PathLike[str], required: Iterable[str]) -> pd.DataFrame:
    """Read a Parquet table and check its columns; any problem is a one-line :class:`DataError`."""
    path = _existing_output(path)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise DataError(f"{path} is not a readable Parquet file ({type(exc).__name__})") from None
    return check_columns(df, required, what=str(path))


def check_columns(df: pd.DataFrame, required: Iterable[str], what: str = "table") -> pd.DataFrame:
    """Raise :class:`DataError` naming the missing columns, if any.

    Examples
    --------
    >>> check_columns(pd.DataFrame({"seed": [0]}), ["seed", "t"])
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.DataError: table lacks column(s) t; it has: seed
    """
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"{what} lacks column(s) {', '.join(missing)}; it has: {', '.join(map(str, df.columns))}")
    return df


def read_tidy_csv(path: str | os.PathLike[str], required: Iterable[str]) -> pd.DataFrame:
    """Read a results CSV and check its schema; any problem is a one-line :class:`DataError`."""
    path = _existing_output(path)
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} is not a readable CSV file ({type(exc).__name__}: {exc})".replace("\n", " ")) from None
    check_columns(df, required, what=str(path))
    if df.empty:
        raise DataError(f"{path} has no rows")
    return df


def sha256_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_writable_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` if needed and check that files can be written there."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".write-test.")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise DataError(f"cannot write to output folder {path}: {exc.strerror or exc}") from None
    return path


def data_dir() -> Path:
    """The folder of cogrnn's hand-transcribed data tables.

    ``$COGRNN_DATA`` when set, else the ``data/`` folder of the source checkout this
    package was imported from (cogrnn is installed in development mode by ``make setup``).
    """
    env = os.environ.get("COGRNN_DATA")
    candidate = Path(env) if env else Path(__file__).resolve().parents[1] / "data"
    if not candidate.is_dir():
        raise DataError(
            f"cogrnn's data folder {candidate} does not exist; set COGRNN_DATA to the data/ folder "
            "of a cogrnn source checkout"
        )
    return candidate


def data_path(name: str) -> Path:
    """Path of the data table ``name`` (e.g. ``"elman1990_letter_features.csv"``)."""
    path = data_dir() / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in data_dir().glob("*.csv")))
        raise DataError(f"no data table {name!r} in {data_dir()}; known: {known}")
    return path


def read_data_table(name: str, required: Iterable[str]) -> pd.DataFrame:
    """Read a cited data table (``#`` lines are its citation) and check its columns.

    Examples
    --------
    >>> read_data_table("elman1990_letter_features.csv", ["letter"])["letter"].tolist()
    ['b', 'd', 'g', 'a', 'i', 'u']
    """
    path = data_path(name)
    df = pd.read_csv(path, comment="#", dtype={"letter": str, "word": str}, keep_default_na=False)
    return check_columns(df, required, what=str(path))
