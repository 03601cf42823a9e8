"""The documentation site: its generated API reference covers every public name, its replication pages
show the numbers of claims.json, and the built site passes the headless-browser check.

The browser check skips when the site is not built (``make docs``) or Chromium is missing.
"""

from __future__ import annotations

import importlib
import inspect
import json
import shutil
import sys
import types
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS))

import _gen  # noqa: E402
import check_site  # noqa: E402

from cogrnn._docs import _iter_modules, _public_objects  # noqa: E402


@pytest.fixture(scope="module")
def api_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("api")
    _gen.write_api(folder)
    return folder


def _resolve(name: str) -> object:
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def test_every_name_in_all_is_documented_once(api_folder: Path) -> None:
    documented = _gen.documented_names(api_folder)
    assert len(documented) > 100
    objects = [(n, _resolve(n)) for n in documented]
    # each class or function appears once in the reference
    ids = [id(o) for _, o in objects if inspect.isclass(o) or inspect.isfunction(o)]
    assert len(ids) == len(set(ids))
    by_id = {id(o) for _, o in objects}
    missing = []
    for mod in _iter_modules("cogrnn"):
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if isinstance(obj, types.ModuleType):
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                ok = id(obj) in by_id
            else:
                ok = any(n.rsplit(".", 1)[1] == name and o is obj for n, o in objects)
            if not ok:
                missing.append(f"{mod.__name__}.{name}")
    assert not missing, missing


def test_every_public_class_and_function_is_exported_and_documented(api_folder: Path) -> None:
    """Every public class and function (as ``make lint`` validates them) is in some ``__all__``, so in the API."""
    documented = {id(_resolve(n)) for n in _gen.documented_names(api_folder)}
    missing = [
        name
        for name, obj, kind in _public_objects("cogrnn")
        if kind in ("class", "function") and id(obj) not in documented
    ]
    assert not missing, missing


def test_replication_page_shows_the_numbers_of_claims_json(tmp_path: Path) -> None:
    claims = {
        "replication": "elman-xor",
        "all_passed": False,
        "claims": [
            {
                "id": "a",
                "statement": "Dips at 2, 5, 8, 11.",
                "paper": "Fig. 3: 0.169",
                "measured": "0.1234 vs 0.5678",
                "criterion": "per seed: ratio < 0.8",
                "passed": True,
                "n_seeds": 7,
                "n_seeds_passed": 6,
            },
            {
                "id": "b",
                "statement": "Unit roles.",
                "paper": "p. 186",
                "measured": "r = 0.31 | 0.02",
                "criterion": "r >= 0.3",
                "passed": False,
                "n_seeds": 7,
                "n_seeds_passed": 2,
            },
        ],
    }
    prov = {
        "mode": "quick",
        "n_seeds": 7,
        "root_seed": 11,
        "config_hash": "abc123",
        "cogrnn_version": "9.9",
        "git": {"commit": "0123456789abcdef", "dirty": False},
        "argv": ["cogrnn", "replicate"],
        "config": {"lr": 0.25},
        "free_parameters": {"lr": "0.25 (not in the paper)"},
        "wall_time_s": 1.5,
    }
    (tmp_path / "claims.json").write_text(json.dumps(claims))
    (tmp_path / "provenance.json").write_text(json.dumps(prov))
    page = _gen.replication_page("elman-xor", tmp_path, "quick")
    assert "quick run" in page
    assert "0.1234 vs 0.5678" in page and "r = 0.31 \\| 0.02" in page
    assert "6/7" in page and "2/7" in page and "**not reproduced**" in page
    assert "1 of 2 claims reproduced" in page
    assert "0.25 (not in the paper)" in page and "``0.25``" in page
    assert "0123456789" in page and "abc123" in page
    full = _gen.replication_page("elman-xor", tmp_path, "make figures")
    assert "quick run" in full  # the provenance says quick: the page says so whatever folder it came from


def test_a_quick_run_is_reused_only_with_the_current_configuration_and_version(tmp_path: Path) -> None:
    import cogrnn

    config_hash = cogrnn.get_replication("elman-xor").config(quick=True).config_hash()
    prov = {"mode": "quick", "config_hash": config_hash, "cogrnn_version": cogrnn.__version__}
    for name in ("claims.json", "figure.png"):
        (tmp_path / name).write_text("{}")
    assert not _gen.quick_run_is_current("elman-xor", tmp_path)  # no provenance.json
    (tmp_path / "provenance.json").write_text(json.dumps(prov))
    assert _gen.quick_run_is_current("elman-xor", tmp_path)
    for key, value in (("config_hash", "0" * 16), ("cogrnn_version", "0.0.1"), ("mode", "full")):
        (tmp_path / "provenance.json").write_text(json.dumps({**prov, key: value}))
        assert not _gen.quick_run_is_current("elman-xor", tmp_path), key


def test_citation_cff_names_the_current_version() -> None:
    """The site's citing page shows CITATION.cff: its version is the package's."""
    import cogrnn

    text = (DOCS.parent / "CITATION.cff").read_text(encoding="utf-8")
    versions = [line.split(":", 1)[1].strip().strip("\"'") for line in text.splitlines() if line.startswith("version:")]
    assert versions == [cogrnn.__version__]


def test_check_link_finds_dead_targets_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<html><body><h1 id="top">x</h1></body></html>')
    page = tmp_path / "index.html"
    page.write_text("<html></html>")
    assert check_site._check_link(tmp_path, page, "a.html#top") is None
    assert check_site._check_link(tmp_path, page, "https://example.org/x") is None
    assert "missing target" in check_site._check_link(tmp_path, page, "b.html")
    assert "missing anchor" in check_site._check_link(tmp_path, page, "a.html#nowhere")


SITE = DOCS / "_build" / "html"
HAS_CHROMIUM = shutil.which("chromium") is not None and shutil.which("chromedriver") is not None


def test_remove_stale_html_keeps_the_pages_of_current_sources(tmp_path: Path) -> None:
    folder = tmp_path / "api" / "generated"
    folder.mkdir(parents=True)
    for stem in ("cogrnn.make_model", "cogrnn.cli.app"):
        (folder / f"{stem}.html").write_text("<html></html>")
    stale = _gen.remove_stale_html("api/generated", {"cogrnn.make_model"}, html=tmp_path)
    assert [p.name for p in stale] == ["cogrnn.cli.app.html"]
    assert sorted(p.name for p in folder.iterdir()) == ["cogrnn.make_model.html"]


@pytest.mark.slow
@pytest.mark.skipif(not HAS_CHROMIUM, reason="no chromium")
def test_browser_check_waits_for_a_slow_page_and_fails_a_blank_one(tmp_path: Path) -> None:
    """A page whose text appears late passes; a page that never shows text, and a site without a working
    search, fail (after the second load)."""
    slow = "document.addEventListener('DOMContentLoaded', () => setTimeout(() => {{ {} }}, 1500));"
    fill = "document.querySelector('main').innerText = 'text that arrived late, as on a loaded machine';"
    (tmp_path / "index.html").write_text(
        f"<html><head><title>slow</title><script>{slow.format(fill)}</script></head>"
        '<body><main></main><a href="blank.html">blank</a></body></html>'
    )
    (tmp_path / "blank.html").write_text("<html><head><title>blank</title></head><body><main></main></body></html>")
    (tmp_path / "search.html").write_text(
        '<html><head><title>Search</title></head><body><main><div id="search-results"></div></main></body></html>'
    )
    report = check_site.check_site(tmp_path, timeout=4)
    assert report.pages == 3 and report.links == 1
    assert report.reloaded == 1  # blank.html only: the slow page rendered within the first load
    assert len(report.failures) == 2, report.failures
    assert report.failures[0].startswith("blank.html: did not render in two loads")
    assert report.failures[1].startswith("searchindex.js: missing")
    (tmp_path / "searchindex.js").write_text("Search.setIndex(" + "{}" * 60 + ")")
    driver = check_site.WebDriver("/usr/bin/chromium", "/usr/bin/chromedriver")
    server, base = check_site._serve(tmp_path)
    try:
        failures = check_site.check_search(driver, tmp_path, base, timeout=2)
    finally:
        driver.close()
        server.shutdown()
    assert len(failures) == 1 and "the search did not finish" in failures[0] and "2 loads" in failures[0]


@pytest.mark.slow
@pytest.mark.skipif(not (SITE / "index.html").is_file(), reason="site not built (make docs)")
@pytest.mark.skipif(not HAS_CHROMIUM, reason="no chromium")
def test_built_site_passes_the_browser_check() -> None:
    import cogrnn

    assert f"cogrnn {cogrnn.__version__}" in (SITE / "index.html").read_text(encoding="utf-8")
    report = check_site.check_site(SITE)
    assert report.pages > 50 and report.images > 10 and report.links > 1000
    assert not report.failures, report.failures[:20]
