"""The ``cogrnn`` command line: ``list``, ``replicate NAME|all``, ``compare NAME`` and ``sweep FILE``.

Bad input (unknown names, non-positive seeds, an unwritable ``--out``, a tampered or
corrupt results file for ``--plot-only``, an unreachable scheduler) prints one line
``cogrnn: error: ...`` and exits with status 2; Ctrl-C prints one line and exits with
status 130 (a sweep keeps the tasks it completed).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from ._cli_data import register as _register_data_commands
from .config import parse_int
from .exceptions import CogrnnError, ConfigError

__all__ = ["main", "entry", "exit_now", "compare_cmd", "list_cmd", "replicate_cmd", "sweep_cmd"]

# typer >= 0.22 vendors click; older releases raise click's own exceptions
_EXIT: tuple[type[BaseException], ...] = (typer.Exit,)
_ABORT: tuple[type[BaseException], ...] = (typer.Abort,)
_USAGE: tuple[type[BaseException], ...] = (typer.TyperException,)
try:  # pragma: no cover - depends on the installed typer
    import click

    _EXIT += (click.exceptions.Exit,)
    _ABORT += (click.exceptions.Abort,)
    _USAGE += (click.ClickException,)
except ImportError:  # pragma: no cover
    pass

_INTERRUPT: tuple[type[BaseException], ...] = (*_ABORT, KeyboardInterrupt)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="cogrnn: recurrent networks for cognitive science.",
)


class _Interrupted(Exception):
    """Ctrl-C inside a command, carried past click (which would print an empty line) to :func:`main`."""


def _plugin_warnings(call: Any) -> Any:
    """Run ``call()``; print each plugin warning it raises as one line ``cogrnn: warning: ...``."""
    import warnings

    from .registry import PluginWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PluginWarning)
        result = call()
    for w in caught:
        if issubclass(w.category, PluginWarning):
            print(f"cogrnn: warning: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result


def _replication(name: str) -> Any:
    """The replication called ``name``; an unknown name lists the known ones and ``all``."""
    from .registry import get_replication

    try:
        return _plugin_warnings(lambda: get_replication(name))
    except ConfigError as exc:
        if str(exc).startswith("unknown replication"):  # not an unknown version: 'all' is a choice too
            raise ConfigError(f"{exc}, all") from None
        raise


_LIST_HELP = "List the models, tasks and replications: id, description, reference and providing distribution."
_REPLICATE_HELP = "Run a replication: results.csv, figure.png/pdf, claims.json, provenance.json."
_COMPARE_HELP = (
    "Run an Elman replication once per architecture on the same seeds: results.csv with a model column, claims "
    "(model x claim), paired.csv (paired differences over seeds), figure, provenance."
)
_SWEEP_HELP = "Run seeds x conditions of a replication as independent tasks (Dask), then collect them."


@app.command("list", help=_LIST_HELP)
def list_cmd() -> None:
    """List the models, tasks and replications: id, description, reference and providing distribution.

    Plugins (entry-point group ``cogrnn.plugins``) are loaded first; one that fails is
    reported as a line ``cogrnn: warning: ...`` on stderr and skipped.

    Examples
    --------
    >>> list_cmd()  # doctest: +ELLIPSIS
    Models:
      elman-v1 ...
    """
    from .registry import MODELS, REPLICATIONS, TASKS, load_plugins

    _plugin_warnings(load_plugins)
    for title, registry in (("Models", MODELS), ("Tasks", TASKS), ("Replications", REPLICATIONS)):
        typer.echo(f"{title}:")
        for e in registry.entries():
            typer.echo(f"  {e.id:<22} {e.description}")
            if e.reference:
                typer.echo(f"  {'':<22} [{e.reference}]")
            typer.echo(f"  {'':<22} provided by {e.provider}")


def _print_claims(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{result.name}: claims ({result.out_dir})", show_lines=False)
    for col in ("claim", "passed", "seeds", "measured", "criterion"):
        table.add_column(col, overflow="fold")
    for c in result.claims:
        table.add_row(
            c.id,
            "PASS" if c.passed else "FAIL",
            f"{c.n_seeds_passed}/{c.n_seeds}",
            c.measured,
            c.criterion,
        )
    console = Console(width=160 if not sys.stdout.isatty() else None)
    console.print(table)
    console.print(f"all passed: {result.all_passed}   wall time: {result.wall_time_s:.1f} s")


@app.command("replicate", help=_REPLICATE_HELP)
def replicate_cmd(
    name: Annotated[str, typer.Argument(help="Replication name (see `cogrnn list`) or 'all'.")],
    seeds: Annotated[str | None, typer.Option("--seeds", help="Number of seeds (default: the replication's).")] = None,
    seed: Annotated[str | None, typer.Option("--seed", help="Root seed (integer >= 0).")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A small run that finishes in seconds.")] = False,
    out: Annotated[str, typer.Option("--out", help="Output folder.")] = "paper/generated",
    plot_only: Annotated[bool, typer.Option("--plot-only", help="Redraw from results.csv.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when a claim fails.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress output (the claims table is still printed).")
    ] = False,
    workers: Annotated[str | None, typer.Option("--workers", help="Processes over blocks of seeds.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Change a config field: --set lr=0.05 (repeatable; see provenance.json)."),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Architecture of an Elman replication: elman, jordan, lstm, gru.")
    ] = None,
    layers: Annotated[str | None, typer.Option("--layers", help="Stacked layers of an Elman replication.")] = None,
    device: Annotated[
        str | None, typer.Option("--device", help="Device of BPTT ensembles (gradient-flow): cpu, cuda, cuda:N.")
    ] = None,
) -> None:
    """Run a replication: results.csv, figure.png/pdf, claims.json, provenance.json.

    Parameters
    ----------
    name : str
        A replication name or versioned id (``cogrnn list``), or ``"all"``.
    seeds, seed : str or None
        Number of seeds and root seed, as typed (checked here).
    quick : bool
        A small run that finishes in seconds.
    out : str
        Output folder; the files go to ``out/<name>/``.
    plot_only : bool
        Redraw and re-check from the files of an earlier run.
    strict : bool
        Exit 1 when a claim fails.
    quiet : bool
        No progress output.
    workers : str or None
        Worker processes, as typed (checked here).
    set_ : list of str or None
        Configuration changes ``key=value``.
    model, layers : str or None
        ``--model`` and ``--layers``: the config fields ``model`` and ``layers`` (Elman replications only).
    device : str or None
        ``--device``: the config field ``device`` of replications that train by BPTT in torch
        (gradient-flow); the Elman replications train in the compiled CPU kernel.

    Examples
    --------
    >>> import tempfile
    >>> replicate_cmd("elman-xor", quick=True, out=tempfile.mkdtemp(), quiet=True)  # doctest: +SKIP
    """
    from .random import MAX_ROOT_SEED, check_seed_count
    from .replication import MAX_WORKERS, _shared_startup, output_folder, run_replication

    n_seeds = _parse_int("--seeds", seeds, low=1, high=None)
    if n_seeds is not None:
        check_seed_count("--seeds", n_seeds)  # names the limit and the memory asked for
    root = _parse_int("--seed", seed, low=0, high=MAX_ROOT_SEED)
    n_workers = _parse_int("--workers", workers, low=1, high=MAX_WORKERS)
    imports: dict[str, float] | None = None  # replicate all: each one's own import, its share of the start-up
    if name == "all":
        from .registry import BUILTIN, REPLICATIONS

        chosen = []
        imports = {}
        for entry_name in _plugin_warnings(REPLICATIONS.names):  # validates every name before running any
            begun = time.perf_counter()
            try:
                chosen.append(_replication(entry_name))
            except ConfigError as exc:
                if REPLICATIONS.get(entry_name).provider == BUILTIN:
                    raise
                print(f"cogrnn: warning: skipping {exc}", file=sys.stderr)  # a broken plugin item
                continue
            imports[chosen[-1].name] = time.perf_counter() - begun
    else:
        chosen = [_replication(name)]
    # validates every --set before running any
    overrides = [{**rep.config_class.parse_assignments(set_ or []), **_architecture(rep, model, layers, set_ or []),
                  **_device(rep, device, set_ or [], len(chosen) > 1)} for rep in chosen]  # fmt: skip
    if not plot_only:
        for rep, changes in zip(chosen, overrides):
            rep.config(quick=quick).with_values(changes)
    for rep in chosen:  # every output folder can be replaced (no file of the user's in it) before running any
        output_folder(rep, out, plot_only=plot_only)
    # replicate all: the start-up the runs share is recorded once, apart from each run's own
    _shared_startup(imports)
    failed = False
    try:
        for rep, changes in zip(chosen, overrides):
            try:
                result = run_replication(
                    rep, n_seeds=n_seeds, root_seed=root, quick=quick, out=out, plot_only=plot_only,
                    quiet=quiet, workers=n_workers, argv=sys.argv, overrides=changes,
                )  # fmt: skip
            except KeyboardInterrupt:
                raise _Interrupted(f"{rep.name}: the earlier outputs in {out} are kept unchanged") from None
            _print_claims(result)
            failed = failed or not result.all_passed
    finally:  # later runs of this process (the Python API) are no part of this command
        _shared_startup(None)
    if strict and failed:
        raise typer.Exit(1)


def _architecture(rep: Any, model: str | None, layers: str | None, assignments: Sequence[str]) -> dict[str, Any]:
    """``--model``/``--layers`` as config changes; an error for a replication without those fields."""
    flags = {"model": model, "layers": None if layers is None else parse_int("--layers", layers, low=1, high=64)}
    given = {k: v for k, v in flags.items() if v is not None}
    if not given:
        return {}
    if not {"model", "layers"} <= _config_fields(rep):
        raise ConfigError(
            f"{rep.name} has no --model/--layers (they are for the Elman replications; gradient-flow compares "
            "its architectures in its own design)"
        )
    return _flag_changes(given, assignments)


def _config_fields(rep: Any) -> set[str]:
    """The names of the fields of ``rep``'s config class."""
    import dataclasses

    return {f.name for f in dataclasses.fields(rep.config_class)}


def _flag_changes(given: dict[str, Any], assignments: Sequence[str]) -> dict[str, Any]:
    """Flags as config changes; an error for a field also given by ``--set``."""
    for key in given:
        if any(a.partition("=")[0] == key for a in assignments):
            raise ConfigError(f"--{key} and --set {key}= are given both; give one")
    return given


def _device(rep: Any, device: str | None, assignments: Sequence[str], several: bool) -> dict[str, Any]:
    """``--device`` as a config change; with ``all``, only for the replications that have the field."""
    if device is None:
        return {}
    if "device" not in _config_fields(rep):
        if several:
            return {}
        raise ConfigError(
            f"{rep.name} has no --device (its networks train online in the compiled CPU kernel); "
            "--device is for replications that train by BPTT in torch: gradient-flow"
        )
    return _flag_changes({"device": device}, assignments)


@app.command("compare", help=_COMPARE_HELP)
def compare_cmd(
    name: Annotated[str, typer.Argument(help="An Elman replication (see `cogrnn list`).")],
    models: Annotated[str, typer.Option("--models", help="Architectures, comma-separated.")] = "elman,jordan,lstm,gru",
    layers: Annotated[str | None, typer.Option("--layers", help="Layer counts, comma-separated (default 1).")] = None,
    seeds: Annotated[str | None, typer.Option("--seeds", help="Number of seeds (default: the replication's).")] = None,
    seed: Annotated[str | None, typer.Option("--seed", help="Root seed (integer >= 0).")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="The replication's quick configuration.")] = False,
    out: Annotated[str | None, typer.Option("--out", help="Output folder (default compare/NAME).")] = None,
    plot_only: Annotated[bool, typer.Option("--plot-only", help="Verify the outputs and redraw.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress output (the comparison table is still printed).")
    ] = False,
    workers: Annotated[str | None, typer.Option("--workers", help="Processes over blocks of seeds.")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Change a config field for every model (repeatable).")
    ] = None,
    reuse: Annotated[
        bool, typer.Option("--reuse", help="Read a model's verified earlier run with the same configuration.")
    ] = False,
) -> None:
    """Run an Elman replication once per architecture on the same seeds and compare them.

    Parameters
    ----------
    name : str
        A replication with ``model`` and ``layers`` in its configuration.
    models : str
        Comma-separated architectures.
    layers : str or None
        Comma-separated layer counts (every model runs with each).
    seeds, seed : str or None
        Number of seeds and root seed, as typed (checked here).
    quick : bool
        The replication's quick configuration.
    out : str or None
        The comparison's folder (default ``compare/<name>``).
    plot_only : bool
        Verify the earlier comparison's files and redraw.
    quiet : bool
        No progress output.
    workers : str or None
        Worker processes, as typed (checked here).
    set_ : list of str or None
        Configuration changes ``key=value``, the same for every model.
    reuse : bool
        Read, not recompute, a model's verified earlier run with the same configuration and seeds.

    Examples
    --------
    >>> compare_cmd("elman-letters", models="elman,lstm", quick=True, out="/tmp/cmp")  # doctest: +SKIP
    """
    from .compare import parse_layers, parse_models, run_compare
    from .random import MAX_ROOT_SEED, check_seed_count
    from .replication import MAX_WORKERS

    rep = _replication(name)
    chosen = parse_models(models)
    counts = parse_layers(layers)
    n_seeds = _parse_int("--seeds", seeds, low=1, high=None)
    if n_seeds is not None:
        check_seed_count("--seeds", n_seeds)
    root = _parse_int("--seed", seed, low=0, high=MAX_ROOT_SEED)
    n_workers = _parse_int("--workers", workers, low=1, high=MAX_WORKERS)
    changes = rep.config_class.parse_assignments(set_ or [])
    result = run_compare(
        rep, chosen, layers=counts, n_seeds=n_seeds, root_seed=root, quick=quick,
        out=out or f"compare/{rep.name}", plot_only=plot_only, quiet=quiet, workers=n_workers, argv=sys.argv,
        overrides=changes, reuse=reuse,
    )  # fmt: skip
    _print_comparison(result)


def _print_comparison(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{result.name}: seeds passed per model ({result.out_dir})")
    table.add_column("claim", overflow="fold")
    for label in result.labels:
        table.add_column(label)
    claims = result.claims
    for claim in dict.fromkeys(claims["claim"]):
        rows = claims[claims["claim"] == claim].set_index("model")
        cells = []
        for label in result.labels:
            r = rows.loc[label]
            cells.append(f"{'PASS' if r['passed'] else 'fail'} {int(r['n_seeds_passed'])}/{int(r['n_seeds'])}")
        mark = " (SRN mechanism)" if (rows["applies_to"] != "all").any() else ""
        table.add_row(claim + mark, *cells)
    console = Console(width=160 if not sys.stdout.isatty() else None)
    console.print(table)
    console.print(f"paired comparisons: {result.out_dir / 'paired.csv'}   wall time: {result.wall_time_s:.1f} s")


@app.command("sweep", help=_SWEEP_HELP)
def sweep_cmd(
    config: Annotated[str, typer.Argument(help="Sweep description (TOML): replication, seeds, [base], [grid].")],
    out: Annotated[str, typer.Option("--out", help="Output folder.")] = "sweeps/out",
    scheduler: Annotated[str, typer.Option("--scheduler", help="sync, local, tcp://HOST:PORT or slurm.")] = "local",
    workers: Annotated[str | None, typer.Option("--workers", help="Worker processes (local, slurm).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress output.")] = False,
) -> None:
    """Run seeds x conditions of a replication as independent tasks (Dask), then collect them.

    Parameters
    ----------
    config : str
        The sweep description (TOML): replication, seeds, ``[base]``, ``[grid]``.
    out : str
        Output folder.
    scheduler : str
        ``sync``, ``local``, ``tcp://HOST:PORT`` or ``slurm``.
    workers : str or None
        Worker processes, as typed (checked here).
    quiet : bool
        No progress output.

    Examples
    --------
    >>> sweep_cmd("sweep.toml", out="sweeps/out")  # doctest: +SKIP
    """
    from .replication import MAX_WORKERS
    from .sweep import load_sweep, run_sweep

    spec = load_sweep(config)
    rep = _replication(spec.replication)
    n_workers = _parse_int("--workers", workers, low=1, high=MAX_WORKERS)
    try:
        results = run_sweep(spec, rep, out, scheduler=scheduler, workers=n_workers, quiet=quiet)
    except KeyboardInterrupt:
        raise _Interrupted(f"the completed tasks are kept in {out}/tasks; rerun the same command to resume") from None
    typer.echo(
        f"{len(results)} rows from {spec.seeds} seeds x {len(spec.conditions())} conditions -> {out}/results.parquet"
    )


# train / surprisal / generate live in their own module
_register_data_commands(app)


def _parse_int(option: str, value: str | None, low: int, high: int | None) -> int | None:
    return None if value is None else parse_int(option, value, low=low, high=high)


_SIGINT = {"seen": False}


def _on_sigint(signum: int, frame: Any) -> None:
    """Ctrl-C: remember it (an extension module may turn the KeyboardInterrupt into another error)."""
    _SIGINT["seen"] = True
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cogrnn`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0, 1 (``--strict`` and a claim failed), 2 (bad input) or 130 (Ctrl-C).

    Examples
    --------
    >>> main(["replicate", "nonesuch"])
    2
    """
    import signal
    import threading

    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    _SIGINT["seen"] = False
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        rv = command.main(args=args, prog_name="cogrnn", standalone_mode=False)
    except _Interrupted as exc:
        print(f"cogrnn: interrupted; {exc}", file=sys.stderr)
        return 130
    except CogrnnError as exc:
        print(f"cogrnn: error: {exc}", file=sys.stderr)
        return 2
    except _EXIT as exc:
        return int(getattr(exc, "exit_code", 0))
    except _INTERRUPT:
        print(f"cogrnn: interrupted; {_KEPT}", file=sys.stderr)
        return 130
    except _USAGE as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"cogrnn: error: {message}", file=sys.stderr)
        return 2
    except BaseException:
        if _SIGINT["seen"]:  # Ctrl-C surfaced as another error (e.g. in a module's import)
            print(f"cogrnn: interrupted; {_KEPT}", file=sys.stderr)
            return 130
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if rv == 130 and _SIGINT["seen"]:  # typer turned a Ctrl-C outside the commands into status 130
        print(f"cogrnn: interrupted; {_KEPT}", file=sys.stderr)
    return int(rv) if isinstance(rv, int) else 0


_KEPT = "earlier outputs are kept unchanged, and a sweep keeps its completed tasks"


def exit_now(status: int) -> None:
    """End the process with ``status`` at once, skipping the interpreter's teardown of its modules.

    Tearing down torch, numba and matplotlib after a command has finished takes about a
    second on two cores, longer than some commands. This runs what a normal exit runs for
    the program (the ``atexit`` handlers: logging, temporary files, dask clusters; then
    flushing ``stdout`` and ``stderr``) and ends the process with :func:`os._exit`. While a
    Python thread other than the main one is alive it exits normally (``sys.exit``), so that
    the interpreter waits for that thread.

    Parameters
    ----------
    status : int
        The exit status.

    Returns
    -------
    None
        It does not return.

    Examples
    --------
    >>> import subprocess, sys
    >>> code = "from cogrnn.cli import exit_now; print('done'); exit_now(3)"
    >>> proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    >>> proc.returncode, proc.stdout
    (3, 'done\\n')
    """
    import atexit
    import os
    import threading

    if threading.active_count() > 1 or not hasattr(atexit, "_run_exitfuncs"):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed or replaced by the caller
            pass
    os._exit(status)


def entry() -> None:
    """The ``cogrnn`` program: :func:`main` on ``sys.argv``, then :func:`exit_now` with its status.

    Returns
    -------
    None
        It does not return.

    Examples
    --------
    >>> import subprocess, sys
    >>> subprocess.run([sys.executable, "-m", "cogrnn.cli", "--help"], capture_output=True).returncode
    0
    """
    exit_now(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
