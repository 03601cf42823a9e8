"""Generate the API reference and the per-replication pages of the documentation site.

Imported by ``docs/conf.py`` before Sphinx reads the sources; also used by ``tests/test_docs_site.py``.
Every page is written only when its text changes, so an incremental ``make docs`` rebuilds only what changed.

- :func:`write_api` writes ``docs/api/<module>.rst`` for every public module of cogrnn with an ``__all__``
  (found by walking the package, so new modules and names appear without editing the docs). Each public
  object is documented once, under the first module in :data:`PRIMARY` order (then discovery order) whose
  ``__all__`` lists it.
- :func:`write_replications` writes ``docs/replications/<name>.rst`` for every entry of
  ``cogrnn.registry.REPLICATIONS`` from an actual run: the full outputs of ``make figures``
  (``paper/generated/<name>/``) where they exist, else a ``--quick`` run made here into
  ``docs/_build/replication-runs/<name>/`` (reused by later builds while its claims.json exists).
"""

from __future__ import annotations

import importlib
import inspect
import json
import shutil
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

#: modules documented first, in this order: an object listed by several ``__all__`` is documented here
PRIMARY = [
    "cogrnn",
    "cogrnn.models",
    "cogrnn.tasks",
    "cogrnn.training",
    "cogrnn.analysis",
    "cogrnn.viz",
    "cogrnn.replication",
    "cogrnn.registry",
    "cogrnn.replications",
    "cogrnn.sweep",
    "cogrnn.checks",
    "cogrnn.config",
    "cogrnn.random",
    "cogrnn.exceptions",
    "cogrnn.io",
    "cogrnn.provenance",
]


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds it (keeps mtimes for incremental builds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def _heading(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


# ---------------------------------------------------------------------------------------------------
# API reference


def public_modules() -> list[types.ModuleType]:
    """Every public module of cogrnn (replications included), PRIMARY ones first."""
    sys.path.insert(0, str(ROOT))
    from cogrnn._docs import _iter_modules

    found = {m.__name__: m for m in _iter_modules("cogrnn")}
    order = [n for n in PRIMARY if n in found] + [n for n in found if n not in PRIMARY]
    return [found[n] for n in order]


def _kind(obj: Any) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj) or (callable(obj) and hasattr(obj, "__wrapped__")):
        return "function"
    return "data"


def api_entries() -> dict[str, list[tuple[str, str]]]:
    """Map each module name to its ``(name, kind)`` entries, every public object once.

    A class or function is identified by the object itself; a constant by its name and value, so two
    constants that happen to be equal are both documented.
    """
    seen: set[Any] = set()
    out: dict[str, list[tuple[str, str]]] = {}
    for mod in public_modules():
        names = getattr(mod, "__all__", None)
        if names is None:  # a module without __all__ (the CLI): its own public classes and functions
            names = [
                n
                for n, o in sorted(vars(mod).items())
                if not n.startswith("_")
                and (inspect.isclass(o) or inspect.isfunction(o))
                and getattr(o, "__module__", None) == mod.__name__
            ]
        entries = []
        for name in names:
            obj = getattr(mod, name)
            if isinstance(obj, types.ModuleType):
                continue
            kind = _kind(obj)
            key: Any = id(obj) if kind != "data" else (name, id(obj))
            if key in seen:
                continue
            seen.add(key)
            entries.append((name, kind))
        out[mod.__name__] = entries
    return out


_SECTIONS = [("class", "Classes"), ("exception", "Exceptions"), ("function", "Functions"), ("data", "Constants")]


def write_api(folder: Path | None = None) -> list[Path]:
    """Write one reference page per public module and the index ``api/index.rst``; return the pages."""
    folder = folder or DOCS / "api"
    pages = []
    entries = api_entries()
    elsewhere = [m for m, items in entries.items() if not items]
    for modname, items in entries.items():
        if not items:
            continue
        doc = inspect.getdoc(importlib.import_module(modname)) or ""
        summary = doc.split("\n\n")[0].replace("\n", " ").strip()
        lines = [_heading(f"``{modname}``"), f".. automodule:: {modname}\n   :no-members:\n"]
        for kind, title in _SECTIONS:
            names = [n for n, k in items if k == kind]
            if not names:
                continue
            template = "class.rst" if kind in ("class", "exception") else "base.rst"
            lines.append(_heading(title, "-"))
            lines.append(f".. currentmodule:: {modname}\n")
            lines.append(f".. autosummary::\n   :toctree: generated/\n   :template: {template}\n")
            lines.extend(f"   {n}" for n in names)
            lines.append("")
        path = folder / f"{modname}.rst"
        write_if_changed(path, "\n".join(lines) + "\n")
        pages.append((modname, summary, path))
    index = [
        _heading("API reference"),
        "Generated from the ``__all__`` of every public module of cogrnn (the replications included): each",
        "public object is documented once, under the module users import it from (``cogrnn.analysis.rdm``,",
        "not ``cogrnn.analysis.rsa.rdm``).\n",
        ".. list-table::\n   :header-rows: 1\n   :widths: 30 70\n",
        "   * - module\n     - summary",
    ]
    for modname, summary, _ in pages:
        index.append(f"   * - :doc:`{modname}`\n     - {summary}")
    if elsewhere:
        index.append(
            "\nThese modules hold no name of their own in the reference: their package re-exports all of them: "
            + ", ".join(f"``{m}``" for m in elsewhere)
            + "."
        )
    index.append("\n.. toctree::\n   :hidden:\n")
    index.extend(f"   {m}" for m, _, _ in pages)
    write_if_changed(folder / "index.rst", "\n".join(index) + "\n")
    # pages and autosummary stubs of names no longer public would be orphans (a warning, so an error)
    keep = {p for _, _, p in pages} | {folder / "index.rst"}
    for stale in set(folder.glob("*.rst")) - keep:
        stale.unlink()
    names = {f"{m}.{n}" for m, items in entries.items() for n, _ in items}
    for stub in (folder / "generated").glob("*.rst"):
        if stub.stem not in names:
            stub.unlink()
    if folder == DOCS / "api":  # their HTML from an earlier build too: Sphinx keeps the pages of deleted sources
        remove_stale_html("api", {p.stem for _, _, p in pages} | {"index"})
        remove_stale_html("api/generated", names)
    return [p for _, _, p in pages]


def remove_stale_html(rel: str, keep: set[str], html: Path | None = None) -> list[Path]:
    """Delete the built pages ``<html>/<rel>/*.html`` whose name is not in ``keep``; return them.

    Sphinx does not delete the HTML of a source that was removed, so an incremental build would keep serving
    the page of a name that is no longer public (with links to anchors that no longer exist).
    """
    folder = (html or DOCS / "_build" / "html") / rel
    stale = [page for page in folder.glob("*.html") if page.stem not in keep]
    for page in stale:
        page.unlink()
    return stale


def documented_names(folder: Path | None = None) -> set[str]:
    """Full dotted names listed in the generated API pages (for the coverage test)."""
    folder = folder or DOCS / "api"
    names = set()
    for page in folder.glob("*.rst"):
        module = None
        in_summary = False
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith(".. currentmodule::"):
                module = line.split("::")[1].strip()
            elif line.startswith(".. autosummary::"):
                in_summary = True
            elif in_summary and line.startswith("   ") and not line.strip().startswith(":") and line.strip():
                names.add(f"{module}.{line.strip()}")
            elif in_summary and line and not line.startswith("   "):
                in_summary = False
    return names


# ---------------------------------------------------------------------------------------------------
# replication pages


def replication_names() -> list[str]:
    """Names of every registered replication (newest version of each)."""
    from cogrnn.registry import REPLICATIONS

    return sorted(REPLICATIONS.names()) if hasattr(REPLICATIONS, "names") else sorted(REPLICATIONS)


def run_folder(name: str, runs: Path) -> tuple[Path, str]:
    """The folder holding ``name``'s outputs and where it came from (``"make figures"`` or ``"quick"``).

    Full outputs of ``make figures`` in ``paper/generated/<name>`` are used when complete; otherwise a
    quick run is made into ``runs/<name>`` unless one of the current quick configuration and cogrnn version
    is there already (:func:`quick_run_is_current`).
    """
    full = ROOT / "paper" / "generated" / name
    if all((full / f).is_file() for f in ("claims.json", "provenance.json", "figure.png")):
        return full, "make figures"
    out = runs / name
    if not quick_run_is_current(name, out):
        cli = Path(sys.executable).with_name("cogrnn")
        cmd = [str(cli), "replicate", name, "--quick", "--out", str(runs), "--quiet"]
        print(f"[cogrnn docs] quick run: {' '.join(cmd[1:])}", flush=True)
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out, "quick"


def quick_run_is_current(name: str, folder: Path) -> bool:
    """Whether ``folder`` holds a complete quick run of ``name`` made with the current quick configuration
    (its config hash) and the current cogrnn version, so that an earlier build's run can be shown again."""
    import cogrnn

    files = [folder / f for f in ("claims.json", "provenance.json", "figure.png")]
    if not all(f.is_file() for f in files):
        return False
    prov = json.loads(files[1].read_text(encoding="utf-8"))
    config = cogrnn.get_replication(name).config(quick=True)
    return (
        prov.get("mode") == "quick"
        and prov.get("config_hash") == config.config_hash()
        and prov.get("cogrnn_version") == cogrnn.__version__
    )


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") or "--"


def _list_table(header: list[str], rows: list[list[Any]], widths: str) -> str:
    lines = [f".. list-table::\n   :header-rows: 1\n   :widths: {widths}\n"]
    for row in [header, *rows]:
        lines.append("\n".join(f"   {'*' if i == 0 else ' '} - {_cell(c)}" for i, c in enumerate(row)))
    return "\n".join(lines) + "\n"


def format_reference(ref: Any) -> str:
    """A task's or replication's :class:`cogrnn.tasks.Reference` as one line of text with a DOI link."""
    if not hasattr(ref, "authors"):
        return str(ref)
    text = f"{ref.authors} ({ref.year}). {ref.title}. {ref.venue}."
    if getattr(ref, "doi", None):
        text += f" https://doi.org/{ref.doi}"
    if getattr(ref, "figure", None):
        text += f" ({ref.figure})"
    return text


def replication_page(name: str, folder: Path, source: str) -> str:
    """The reStructuredText of one replication's page, from the outputs in ``folder``."""
    import cogrnn

    rep = cogrnn.get_replication(name)
    claims = json.loads((folder / "claims.json").read_text(encoding="utf-8"))
    prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    module = type(rep).__module__
    config_class = rep.config_class
    git = prov.get("git", {})
    commit = str(git.get("commit") or "unknown")[:10] + (" (uncommitted changes)" if git.get("dirty") else "")
    mode = prov.get("mode", "unknown")
    n_passed = sum(bool(c["passed"]) for c in claims["claims"])
    out = [f".. _replication-{name}:\n", _heading(f"{name}: {rep.description}")]
    if source == "quick" or mode == "quick":
        out.append(
            ".. note::\n\n   This page shows a **quick run** (``cogrnn replicate "
            f"{name} --quick``, {prov.get('n_seeds')} seeds, smaller sizes) made by ``make docs``, because the full"
            " outputs of ``make figures`` (``paper/generated/" + name + "/``) were not there when the site was built."
            " The numbers below are that quick run's; the full run's can differ.\n"
        )
    else:
        out.append(
            ".. note::\n\n   This page shows the **full run** written by ``make figures`` into ``paper/generated/"
            f"{name}/``.\n"
        )
    out.append(
        f"**Run**: ``{' '.join(prov.get('argv', []))}``; mode {mode}; {prov.get('n_seeds')} seeds from root seed"
        f" {prov.get('root_seed')}; config hash ``{prov.get('config_hash')}``; cogrnn {prov.get('cogrnn_version')}"
        f" at commit ``{commit}``; {prov.get('start_time')}; wall time {prov.get('wall_time_s')} s.\n"
    )
    out.append(_heading("What the paper did, and what is run here", "-"))
    out.append(f"**Reference**: {format_reference(rep.reference)}\n")
    doc = inspect.getdoc(sys.modules[module]) or ""
    out.append(doc + "\n")
    out.append(_heading("Claims", "-"))
    out.append(
        f"Read from the run's ``claims.json``: {n_passed} of {len(claims['claims'])} claims reproduced. Each"
        " criterion was fixed before the run.\n"
    )
    rows = [
        [
            c["statement"],
            "reproduced" if c["passed"] else "**not reproduced**",
            c["measured"],
            c["paper"],
            c["criterion"],
            f"{c.get('n_seeds_passed', '--')}/{c.get('n_seeds', '--')}",
        ]
        for c in claims["claims"]
    ]
    out.append(
        _list_table(["claim", "verdict", "measured", "paper", "criterion", "seeds passed"], rows, "18 8 24 22 20 8")
    )
    out.append(_heading("Figure", "-"))
    out.append(f".. figure:: /_generated_figures/{name}.png\n   :width: 100%\n   :alt: {name} figure\n")
    out.append("   The figure of this run (``figure.png``; the PDF beside it in the run's folder).\n")
    out.append(_heading("Free parameters", "-"))
    out.append("Choices the paper leaves open, as recorded in the run's ``provenance.json``:\n")
    free = prov.get("free_parameters") or rep.free_parameters
    out.append(_list_table(["parameter", "choice"], [[k, v] for k, v in free.items()], "25 75"))
    out.append(
        f"The configuration of this run (``{config_class.__module__}.{config_class.__name__}``; change any field"
        f" with ``cogrnn replicate {name} --set field=value``):\n"
    )
    out.append(_list_table(["field", "value"], [[k, f"``{v}``"] for k, v in prov.get("config", {}).items()], "30 70"))
    cdoc = inspect.getdoc(config_class) or ""
    params = cdoc.split("Parameters\n----------", 1)
    if len(params) == 2:
        body = params[1].split("\n\n" + "Examples", 1)[0]
        for stop in ("\nAttributes\n", "\nExamples\n", "\nNotes\n", "\nSee Also\n"):
            body = body.split(stop, 1)[0]
        out.append("What each field means (from the config class's docstring):\n")
        out.append(".. code-block:: text\n\n" + textwrap.indent(body.strip("\n"), "   ") + "\n")
    out.append(_heading("How to cite", "-"))
    out.append(
        f"Cite the original paper ({format_reference(rep.reference)}) and cogrnn (``CITATION.cff`` at the"
        " repository root, see"
        " :doc:`/citing`), and keep the run's ``provenance.json``: it records the version and commit, the"
        " configuration and its hash, the seeds, the package versions and the sha256 of every output and data"
        f" input. Rerun with ``cogrnn replicate {name}`` (full) or ``cogrnn replicate {name} --quick``.\n"
    )
    return "\n".join(out)


def write_replications(runs: Path | None = None, folder: Path | None = None) -> list[Path]:
    """Write one page per registered replication and their index; return the pages."""
    runs = runs or DOCS / "_build" / "replication-runs"
    folder = folder or DOCS / "replications"
    figures = DOCS / "_generated_figures"
    figures.mkdir(exist_ok=True)
    pages = []
    rows = []
    for name in replication_names():
        run, source = run_folder(name, runs)
        fig = figures / f"{name}.png"
        data = (run / "figure.png").read_bytes()
        if not fig.exists() or fig.read_bytes() != data:
            shutil.copyfile(run / "figure.png", fig)
        path = folder / f"{name}.rst"
        write_if_changed(path, replication_page(name, run, source))
        claims = json.loads((run / "claims.json").read_text(encoding="utf-8"))["claims"]
        n_ok = sum(bool(c["passed"]) for c in claims)
        rows.append([f":doc:`{name}`", f"{n_ok} of {len(claims)}", "full" if source != "quick" else "quick"])
        pages.append(path)
    index = [
        _heading("Replications"),
        "One page per replication of ``cogrnn.registry.REPLICATIONS``, generated when the site is built from an",
        "actual run: its ``claims.json``, ``provenance.json`` and ``figure.png``. No number on these pages is",
        "typed by hand. Where ``make figures`` has written the full outputs the page shows them; otherwise",
        "``make docs`` makes a quick run and the page says so.\n",
        _list_table(["replication", "claims reproduced", "run"], rows, "40 30 30"),
        ".. toctree::\n   :hidden:\n",
    ]
    index.extend(f"   {p.stem}" for p in pages)
    write_if_changed(folder / "index.rst", "\n".join(index) + "\n")
    for stale in set(folder.glob("*.rst")) - set(pages) - {folder / "index.rst"}:
        stale.unlink()
    if folder == DOCS / "replications":
        remove_stale_html("replications", {p.stem for p in pages} | {"index"})
    return pages


def iter_pages(html: Path) -> Iterator[Path]:
    """Every HTML page of a built site (the browser check's list)."""
    skip = {"_static", "_sources", "_images", "_downloads"}
    for page in sorted(html.rglob("*.html")):
        if not skip.intersection(page.relative_to(html).parts):
            yield page
