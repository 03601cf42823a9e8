"""Atomic writes and tidy-CSV schema checks."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ._docs import fill_doc
from .exceptions import ConfigError, DataError

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "sync_files",
    "atomic_path",
    "write_json",
    "write_csv",
    "read_tidy_csv",
    "write_parquet",
    "read_parquet",
    "check_columns",
    "sha256_file",
    "ensure_writable_dir",
    "check_out_path",
    "staging_dir",
    "publish_dir",
    "check_replaceable",
    "clean_stale_staging",
    "clean_stale_temp_files",
    "data_dir",
    "data_path",
    "read_data_table",
]

_UMASK = os.umask(0)
os.umask(_UMASK)


def _host() -> str:
    return "".join(c if c.isalnum() else "_" for c in socket.gethostname())[:40] or "host"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _stale(entry: Path, owner: str) -> bool:
    """Whether a temporary file or folder, named ``...<host>-<pid>-...`` in ``owner``, was left by a dead run.

    Stale: its process on this host no longer runs, or it is older than a day.
    """
    host, _, rest = owner.partition("-")
    pid_text = rest.partition("-")[0]
    try:
        if host == _host() and pid_text.isdigit() and not _pid_alive(int(pid_text)):
            return True
        return time.time() - entry.stat().st_mtime > _STALE_AGE_S
    except OSError:  # removed meanwhile
        return False


def clean_stale_temp_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files of :func:`atomic_write_bytes` left in ``folder`` by killed runs.

    Parameters
    ----------
    folder : str or os.PathLike
        The folder searched (nothing happens if it does not exist).

    Returns
    -------
    list of pathlib.Path
        The files removed.

    Examples
    --------
    >>> import pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> dead = f".x.csv.{_host()}-999999999-abc.tmp"  # no process has this id
    >>> _ = (folder / dead).write_text("half")
    >>> [p.name for p in clean_stale_temp_files(folder)] == [dead]
    True
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.glob(".*.tmp"):
        owner = entry.name[:-4].rsplit(".", 1)[-1]  # .<name>.<host>-<pid>-<random>.tmp
        if entry.is_file() and _stale(entry, owner):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


@fill_doc
def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, sync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then ``os.replace``).

    Parameters
    ----------
    %(path)s
    data : bytes
        The content written.
    sync : bool, optional
        Flush the file to disk (``fsync``) before it takes its name (default True). A
        writer of many files into a folder published in one step passes False and calls
        :func:`sync_files` once for all of them.

    Returns
    -------
    %(returns_path)s

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write_bytes(p, b"hi").read_bytes()
    b'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{_host()}-{os.getpid()}-", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
@fill_doc
def atomic_path(path: str | os.PathLike[str], sync: bool = True) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; it takes the name ``path`` when the block ends.

    For files written piece by piece (streamed tables); the temporary file is removed if
    the block raises, and is named like :func:`atomic_write_bytes`'s, so that
    :func:`clean_stale_temp_files` finds it after a killed run.

    Parameters
    ----------
    %(path)s
    sync : bool, optional
        Flush the file to disk before it takes its name (default True).

    Yields
    ------
    pathlib.Path
        The temporary path (the caller creates the file).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_path(target) as tmp:
    ...     with open(tmp, "w") as fh:
    ...         _ = fh.write("streamed")
    >>> target.read_text()
    'streamed'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{_host()}-{os.getpid()}-", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)
        yield tmp
        if sync:
            sync_files([tmp])
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sync_files(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Flush files written with ``sync=False`` to disk, all at once, and then their folders.

    The ``fsync`` calls run concurrently (the file system commits them together), which on a
    slow disk costs about as much as one of them instead of their sum.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        The files.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> files = [atomic_write_bytes(folder / f"{i}.txt", b"x", sync=False) for i in range(3)]
    >>> sync_files(files)
    >>> sorted(p.name for p in folder.iterdir())
    ['0.txt', '1.txt', '2.txt']
    """
    files = [Path(p) for p in paths]
    folders = sorted({str(p.parent) for p in files})
    if not files:
        return

    def flush(path: str | Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:  # a folder that cannot be opened (Windows): nothing to flush
            return
        try:
            os.fsync(fd)
        except OSError:  # pragma: no cover - a file system without fsync on folders
            pass
        finally:
            os.close(fd)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(files), 16)) as pool:
        list(pool.map(flush, files))
    for folder in folders:  # the names: after the contents
        flush(folder)


@fill_doc
def atomic_write_text(path: str | os.PathLike[str], text: str, sync: bool = True) -> Path:
    """Write ``text`` (UTF-8) atomically.

    Parameters
    ----------
    %(path)s
    text : str
        The content written.
    sync : bool, optional
        Flush to disk before the file takes its name (default True; see :func:`atomic_write_bytes`).

    Returns
    -------
    %(returns_path)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(folder / "a.txt", "hi").read_text()
    'hi'
    """
    return atomic_write_bytes(path, text.encode("utf-8"), sync=sync)


@fill_doc
def write_json(path: str | os.PathLike[str], obj: Any, sync: bool = True) -> Path:
    """Write ``obj`` as indented JSON, atomically.

    Parameters
    ----------
    %(path)s
    obj : object
        JSON-serialisable data (other values are written with ``str``).
    sync : bool, optional
        Flush to disk before the file takes its name (default True; see :func:`atomic_write_bytes`).

    Returns
    -------
    %(returns_path)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> json.loads(write_json(folder / "a.json", {"n": 1}).read_text())
    {'n': 1}
    """
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n", sync=sync)


@fill_doc
def write_csv(path: str | os.PathLike[str], df: pd.DataFrame, sync: bool = True) -> Path:
    """Write a DataFrame as CSV (no index; floats round-trip exactly), atomically.

    Uses pyarrow's CSV writer (about 10x faster than pandas) and falls back to pandas for
    columns Arrow cannot type (mixed objects).

    Parameters
    ----------
    %(path)s
    %(df)s
    sync : bool, optional
        Flush to disk before the file takes its name (default True; see :func:`atomic_write_bytes`).

    Returns
    -------
    %(returns_path)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pd.read_csv(write_csv(folder / "a.csv", pd.DataFrame({"x": [0.1, 2.0]})))["x"].tolist()
    [0.1, 2.0]
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        return atomic_write_text(path, buf.getvalue(), sync=sync)
    out = io.BytesIO()
    pa_csv.write_csv(table, out)
    return atomic_write_bytes(path, out.getvalue(), sync=sync)


def _existing_output(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path, or a one-line :class:`DataError` when the file is missing."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist; run without --plot-only first")
    return path


@fill_doc
def write_parquet(path: str | os.PathLike[str], df: pd.DataFrame, sync: bool = True) -> Path:
    """Write a DataFrame as Parquet (pyarrow), atomically.

    Parameters
    ----------
    %(path)s
    %(df)s
    sync : bool, optional
        Flush to disk before the file takes its name (default True; see :func:`atomic_write_bytes`).

    Returns
    -------
    %(returns_path)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> read_parquet(write_parquet(folder / "a.parquet", pd.DataFrame({"x": [1]})), ["x"]).shape
    (1, 1)
    """
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return atomic_write_bytes(path, buf.getvalue(), sync=sync)


@fill_doc
def read_parquet(path: str | os.PathLike[str], required: Iterable[str]) -> pd.DataFrame:
    """Read a Parquet table and check its columns; any problem is a one-line :class:`DataError`.

    Parameters
    ----------
    %(path)s
    %(required)s

    Returns
    -------
    pandas.DataFrame
        The table.

    Raises
    ------
    %(raises_data)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_parquet(folder / "a.parquet", pd.DataFrame({"seed": [0, 1]}))
    >>> read_parquet(folder / "a.parquet", ["seed"])["seed"].tolist()
    [0, 1]
    """
    path = _existing_output(path)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise DataError(f"{path} is not a readable Parquet file ({type(exc).__name__})") from None
    return check_columns(df, required, what=str(path))


@fill_doc
def check_columns(df: pd.DataFrame, required: Iterable[str], what: str = "table") -> pd.DataFrame:
    """Raise :class:`DataError` naming the missing columns, if any.

    Parameters
    ----------
    %(df)s
    %(required)s
    what : str, optional
        Name of the table in the message (default ``"table"``).

    Returns
    -------
    pandas.DataFrame
        ``df`` itself.

    Raises
    ------
    cogrnn.exceptions.DataError
        If ``df`` is not a DataFrame, or a required column is missing.

    Examples
    --------
    >>> check_columns(pd.DataFrame({"seed": [0]}), ["seed", "t"])
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.DataError: table lacks column(s) t; it has: seed
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{what} must be a pandas DataFrame; got {type(df).__name__}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"{what} lacks column(s) {', '.join(missing)}; it has: {', '.join(map(str, df.columns))}")
    return df


@fill_doc
def read_tidy_csv(path: str | os.PathLike[str], required: Iterable[str]) -> pd.DataFrame:
    """Read a results CSV and check its schema; any problem is a one-line :class:`DataError`.

    Parameters
    ----------
    %(path)s
    %(required)s

    Returns
    -------
    pandas.DataFrame
        The table (at least one row).

    Raises
    ------
    %(raises_data)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_csv(folder / "r.csv", pd.DataFrame({"seed": [0], "err": [0.5]}))
    >>> read_tidy_csv(folder / "r.csv", ["seed", "err"]).shape
    (1, 2)
    """
    path = _existing_output(path)
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} is not a readable CSV file ({type(exc).__name__}: {exc})".replace("\n", " ")) from None
    check_columns(df, required, what=str(path))
    if df.empty:
        raise DataError(f"{path} has no rows")
    return df


@fill_doc
def sha256_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file.

    Parameters
    ----------
    %(path)s

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> sha256_file(atomic_write_bytes(folder / "e", b""))[:12]
    'e3b0c44298fc'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_writable_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` if needed and check that files can be written there.

    Parameters
    ----------
    path : str or os.PathLike
        The folder.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    cogrnn.exceptions.DataError
        If the folder cannot be created or written to.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> ensure_writable_dir(folder / "out").is_dir()
    True
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise DataError(f"cannot write to output folder {path}: it is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".write-test.")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise DataError(f"cannot write to output folder {path}: {exc.strerror or exc}") from None
    return path


def check_out_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path; the empty path (which would mean the current folder) is refused.

    Parameters
    ----------
    path : str or os.PathLike
        The ``--out`` value.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    cogrnn.exceptions.ConfigError
        If the path is empty.

    Examples
    --------
    >>> check_out_path("")
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: --out must name a folder; got ''
    """
    text = os.fspath(path)
    if not str(text).strip():
        raise ConfigError(f"--out must name a folder; got {text!r}")
    return Path(path)


def check_replaceable(final: str | os.PathLike[str], known: Iterable[str] = (), option: str = "--out") -> Path:
    """Refuse to run into ``final`` unless a run may replace it: absent, empty, or a set cogrnn wrote.

    A run replaces its output folder as a whole (:func:`publish_dir`), so a folder that holds
    anything cogrnn did not write would lose it. ``final`` may be replaced when it does not
    exist, is empty, or holds only an earlier run's set: its ``provenance.json`` and the files
    that provenance lists (``outputs_sha256``, or ``outputs`` for ``cogrnn train``), or the
    names the command always writes (``known``: a damaged provenance does not make its set
    foreign). Checked before any work.

    Parameters
    ----------
    final : str or os.PathLike
        The folder a run will replace.
    known : iterable of str, optional
        File names the command writes into every set (``provenance.json`` among them).
    option : str, optional
        The command-line option that chose it, for the message (default ``"--out"``; ``""``:
        the folder cannot be another one, as for a redraw).

    Returns
    -------
    pathlib.Path
        ``final``.

    Raises
    ------
    cogrnn.exceptions.ConfigError
        One line naming the folder and the first files it would lose.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "elman-xor"
    >>> check_replaceable(folder) == folder  # absent: nothing to lose
    True
    >>> folder.mkdir(); _ = (folder / "notes.txt").write_text("mine")
    >>> check_replaceable(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: ... holds files (notes.txt) but no provenance.json, so no set cogrnn wrote, ...
    """
    final = Path(final)
    if final.is_symlink():
        raise ConfigError(f"{final} is a symbolic link and a run replaces the folder itself; choose another {option}")
    if final.exists() and not final.is_dir():
        raise ConfigError(f"{final} is a file, not a folder; choose another {option}")
    if not final.is_dir():
        return final
    present = sorted(p.name for p in final.iterdir())
    provenance = final / "provenance.json"
    # the names the command always writes are its own only beside a provenance.json (even a damaged one)
    has_provenance = provenance.is_file()
    listed = set(known) if has_provenance else set()
    if has_provenance:
        try:
            record = json.loads(provenance.read_text())
            for key in ("outputs_sha256", "outputs"):
                if isinstance(record.get(key), dict):
                    listed |= {str(name) for name in record[key]}
        except (OSError, ValueError, AttributeError):
            pass  # unreadable: only the names the command always writes are its own
    foreign = [name for name in present if name not in listed and not (listed and name == "provenance.json")]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        where = f"choose another {option} or move them" if option else "move them"
        if not has_provenance:
            raise ConfigError(
                f"{final} holds files ({shown}) but no provenance.json, so no set cogrnn wrote, and a run "
                f"replaces the whole folder; {where}"
            )
        raise ConfigError(
            f"{final} holds files cogrnn did not write ({shown}) and a run replaces the whole folder; {where}"
        )
    return final


# -- whole folders, replaced in one step ---------------------------------------------
#
# A run writes its set of files into a fresh sibling ``.<name>.tmp-<host>-<pid>-<token>``
# and only then moves it to ``<name>``: on Linux by exchanging the two folders in one
# ``renameat2(RENAME_EXCHANGE)`` call, elsewhere by renaming the old folder aside and the
# new one in. A reader sees the old complete set or the new complete set, never a mix.
# Staging folders of dead processes are removed by the next run.

_STAGING = ".{name}.tmp-{host}-{pid}-"
_STALE_AGE_S = 24 * 3600


@fill_doc
def clean_stale_staging(final: str | os.PathLike[str]) -> list[Path]:
    """Remove staging folders of ``final`` left by killed runs; return what was removed.

    A staging folder is stale when its process (on this host) no longer runs, or when it
    is older than a day (another host's).

    Parameters
    ----------
    %(final)s

    Returns
    -------
    list of pathlib.Path
        The staging folders removed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> clean_stale_staging(folder / "run")
    []
    """
    final = Path(final)
    removed: list[Path] = []
    prefix = f".{final.name}.tmp-"
    if not final.parent.is_dir():
        return removed
    for entry in final.parent.iterdir():
        if entry.name.startswith(prefix) and _stale(entry, entry.name[len(prefix) :]):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


@fill_doc
def staging_dir(final: str | os.PathLike[str]) -> Path:
    """A fresh, empty sibling folder of ``final`` to write a new set of files into.

    Stale staging folders of ``final`` are cleaned first. Publish it with :func:`publish_dir`.

    Parameters
    ----------
    %(final)s

    Returns
    -------
    pathlib.Path
        The new staging folder, beside ``final``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> staging_dir(folder / "run").name.startswith(".run.tmp-")
    True
    """
    final = Path(final)
    clean_stale_staging(final)
    prefix = _STAGING.format(name=final.name, host=_host(), pid=os.getpid())
    try:
        path = Path(tempfile.mkdtemp(dir=final.parent, prefix=prefix))
        os.chmod(path, 0o777 & ~_UMASK)
    except OSError as exc:
        raise DataError(f"cannot write to output folder {final.parent}: {exc.strerror or exc}") from None
    return path


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2``); False where not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - old C library
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc != 0:
        err = ctypes.get_errno()
        if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot
            return False
        raise OSError(err, os.strerror(err), str(b))
    return True


@fill_doc
def publish_dir(staging: str | os.PathLike[str], final: str | os.PathLike[str]) -> Path:
    """Make the complete folder ``staging`` take the name ``final`` in one step; remove the old set.

    Parameters
    ----------
    staging : str or os.PathLike
        The complete new folder (from :func:`staging_dir`).
    %(final)s

    Returns
    -------
    pathlib.Path
        ``final``.

    Examples
    --------
    >>> import pathlib
    >>> final = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> new = staging_dir(final)
    >>> _ = (new / "a.txt").write_text("1")
    >>> sorted(p.name for p in publish_dir(new, final).iterdir())
    ['a.txt']
    """
    staging, final = Path(staging), Path(final)
    if final.exists() and not final.is_dir():
        raise DataError(f"{final} exists and is not a folder")
    for _ in range(100):  # concurrent runs into one folder: each publish is one step; the last one wins
        if final.is_dir() and not final.is_symlink():
            if _exchange(staging, final):
                shutil.rmtree(staging, ignore_errors=True)  # now the old set
                return final
            aside = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-"))
            with contextlib.suppress(FileNotFoundError):
                os.replace(final, aside / "set")
        try:
            os.rename(staging, final)
        except OSError:  # another run published meanwhile: try again
            continue
        for old in final.parent.glob(f".{final.name}.old-*"):
            shutil.rmtree(old, ignore_errors=True)
        return final
    raise DataError(f"could not move the new outputs into {final}: another run keeps replacing it")


def data_dir() -> Path:
    """The folder of cogrnn's hand-transcribed data tables (each file cites its source).

    Read through :mod:`importlib.resources`: in an installed wheel the tables ship inside
    the package (``cogrnn/data``); in a source checkout (``pip install -e .``) they are the
    repository's ``data/`` folder, which the wheel maps into the package. No environment
    variable is needed.

    Returns
    -------
    pathlib.Path
        The folder holding the ``elman1990_*.csv`` tables and figure transcriptions.

    Examples
    --------
    >>> (data_dir() / "elman1990_lexicon.csv").is_file()
    True
    """
    from importlib.resources import files

    packaged = files("cogrnn") / "data"
    candidates = [Path(str(packaged)), Path(__file__).resolve().parents[1] / "data"]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("elman1990_*")):
            return candidate
    raise DataError(
        f"cogrnn's data tables are missing (looked in {candidates[0]} and {candidates[1]}); "
        "reinstall cogrnn from a wheel or a source checkout"
    )


def data_path(name: str) -> Path:
    """Path of the data table ``name`` (e.g. ``"elman1990_letter_features.csv"``).

    Parameters
    ----------
    name : str
        File name of the table in :func:`data_dir`.

    Returns
    -------
    pathlib.Path
        The table's path.

    Raises
    ------
    cogrnn.exceptions.DataError
        If there is no such table (the message lists the known ones).

    Examples
    --------
    >>> data_path("elman1990_lexicon.csv").name
    'elman1990_lexicon.csv'
    """
    path = data_dir() / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in data_dir().glob("*.csv")))
        raise DataError(f"no data table {name!r} in {data_dir()}; known: {known}")
    return path


@fill_doc
def read_data_table(name: str, required: Iterable[str]) -> pd.DataFrame:
    """Read a cited data table (``#`` lines are its citation) and check its columns.

    Parameters
    ----------
    name : str
        File name of the table in :func:`data_dir`.
    %(required)s

    Returns
    -------
    pandas.DataFrame
        The table, without its citation lines.

    Examples
    --------
    >>> read_data_table("elman1990_letter_features.csv", ["letter"])["letter"].tolist()
    ['b', 'd', 'g', 'a', 'i', 'u']
    """
    path = data_path(name)
    df = pd.read_csv(path, comment="#", dtype={"letter": str, "word": str}, keep_default_na=False)
    return check_columns(df, required, what=str(path))
