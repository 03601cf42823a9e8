"""Sphinx configuration of the cogrnn documentation site (``make docs``; offline, warnings are errors)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))

import _gen  # noqa: E402

import cogrnn  # noqa: E402

project = "cogrnn"
author = "The cogrnn developers"
copyright = "2026, The cogrnn developers"
release = cogrnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# the API reference and the replication pages are generated from the code and from runs, before reading
_t0 = time.perf_counter()
_gen.write_api()
_gen.write_replications()
print(f"[cogrnn docs] API and replication pages generated in {time.perf_counter() - _t0:.1f} s", flush=True)


def _compile_training_kernels() -> float:
    """Train two tiny networks online (one alone, ten side by side), so that numba compiles the training kernels
    the examples use (or loads them from its disk cache) before the gallery runs; return the seconds it took.

    The first use of a kernel after an install compiles it (tens of seconds) and numba caches it on disk; without
    this, that one-time cost would land in the time of whichever example trains first.
    """
    from cogrnn.models import ElmanSRN
    from cogrnn.tasks import TemporalXOR
    from cogrnn.training import Trainer

    start = time.perf_counter()
    data = TemporalXOR(n_triples=2).generate(random_state=0)
    for n_replicas in (1, 10):
        net = ElmanSRN(1, 2, 1, n_replicas=n_replicas, random_state=0)
        Trainer(method="online", lr=0.1, epochs=1, quiet=True).fit(net, data.inputs, data.targets)
    return time.perf_counter() - start


if os.environ.get("COGRNN_DOCS_PLOT_GALLERY", "True") == "True":
    print(f"[cogrnn docs] training kernels compiled or loaded in {_compile_training_kernels():.1f} s", flush=True)

templates_path = ["_templates"]
exclude_patterns = ["_build", "examples/README.rst", "tutorials/README.rst", "**/GALLERY_HEADER.rst", "analysis.md"]
root_doc = "index"
source_suffix = {".rst": "restructuredtext"}

autosummary_generate = True
autosummary_generate_overwrite = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc sections carry the types
autodoc_inherit_docstrings = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()  # validated by cogrnn._docs in `make lint`

# no intersphinx: the build has no network; other projects are linked by plain URL
html_theme = "pydata_sphinx_theme"
html_title = f"cogrnn {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False


def _minigallery_reset(gallery_conf, fname, when):
    """Close figures and reset matplotlib between examples (each example starts clean)."""
    import matplotlib.pyplot as plt

    plt.close("all")
    matplotlib.rcdefaults()


sphinx_gallery_conf = {
    "examples_dirs": ["tutorials", "examples"],
    "gallery_dirs": ["auto_tutorials", "auto_examples"],
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "reset_modules": ("matplotlib",),  # each example starts with matplotlib's defaults and no figure
    "reset_modules_order": "before",
    "show_memory": False,
    "plot_gallery": os.environ.get("COGRNN_DOCS_PLOT_GALLERY", "True"),
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "min_reported_time": 0,
    "write_computation_times": True,
    "show_signature": False,
}
