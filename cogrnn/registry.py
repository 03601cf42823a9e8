"""The zoo: register and make models, tasks and replications by versioned id.

Ids look like ``"elman-v1"``; asking for ``"elman"`` gives the newest version. Three
registries share one mechanism: :data:`MODELS`, :data:`TASKS` and :data:`REPLICATIONS`.
An entry's target may be given as ``"package.module:attribute"``: the module is imported
only when the entry is used (``cogrnn list`` imports no replication module).

Plugins
-------
A distribution adds its own models, tasks and replications through the entry-point group
``cogrnn.plugins``. Each entry point names a callable that takes no argument and registers
its items with the public API (``MODELS.register``, ``TASKS.register``,
``REPLICATIONS.register``). Plugins are loaded once, lazily, at the first lookup or listing
of any registry. A plugin that fails to import or to register is skipped with a
:class:`PluginWarning` naming its distribution and the error (what it registered is
removed again); a plugin may not register a name that cogrnn or another distribution
already provides (``elman-v1``, but also ``elman-v2``). ``cogrnn list`` shows every item
with the distribution that provides it. A plugin's ``pyproject.toml``::

    [project]
    name = "cogrnn-mylab"
    dependencies = ["cogrnn"]

    [project.entry-points."cogrnn.plugins"]
    mylab = "cogrnn_mylab:register"

and ``cogrnn_mylab/__init__.py``::

    from cogrnn.registry import MODELS, REPLICATIONS, TASKS

    def register():
        MODELS.register("mylab-srn-v1", "cogrnn_mylab.models:MySRN", "An SRN with ...", "Me (2024) ...")
        TASKS.register("mylab-task-v1", "cogrnn_mylab.tasks:MyTask", "A task ...", "Me (2024) ...")
        REPLICATIONS.register("mylab-fig1-v1", "cogrnn_mylab.fig1:REPLICATION", "Fig. 1 ...", "Me (2024) ...")

A replication's registered name (``mylab-fig1``) must be its ``Replication.name``, the
name of its output folder.

Examples
--------
>>> import cogrnn
>>> model = cogrnn.make_model("elman", input_size=1, hidden_size=2, output_size=1, random_state=0)
>>> type(model).__name__
'ElmanSRN'
>>> "elman" in [entry.name for entry in cogrnn.registry.MODELS.entries()]
True
>>> cogrnn.registry.get_replication("elman-xor").name
'elman-xor'
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .exceptions import ConfigError

__all__ = [
    "Entry",
    "Registry",
    "PluginWarning",
    "MODELS",
    "TASKS",
    "REPLICATIONS",
    "PLUGIN_GROUP",
    "make_model",
    "make_task",
    "get_replication",
    "load_plugins",
]

T = TypeVar("T")
_ID = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_.-]*?)(?:-v(?P<version>[0-9]+))?$")
_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")

#: the entry-point group of plugins
PLUGIN_GROUP = "cogrnn.plugins"
#: the provider of the built-in items
BUILTIN = "cogrnn"


class PluginWarning(UserWarning):
    """A plugin of the ``cogrnn.plugins`` entry-point group could not be loaded; it is skipped.

    Examples
    --------
    >>> issubclass(PluginWarning, UserWarning)
    True
    """


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered item: its name, version, target, description, reference and provider.

    Parameters
    ----------
    name : str
        The name without version (``"elman"``).
    version : int
        The version (``1`` for ``"elman-v1"``).
    target : object or str
        The registered object (a factory, a class, a replication), or a string
        ``"module:attribute"`` imported by :attr:`factory` on first use.
    description : str
        One line.
    reference : str
        The publication it implements.
    provider : str, default "cogrnn"
        The distribution that registered it.
    _loaded : list
        Cache of the imported target (internal).

    Examples
    --------
    >>> entry = Entry("answer", 2, "math:tau", "a constant", "")
    >>> entry.id, round(entry.factory, 2)
    ('answer-v2', 6.28)
    """

    name: str
    version: int
    target: Any
    description: str
    reference: str
    provider: str = BUILTIN
    _loaded: list[Any] = field(default_factory=list, compare=False, repr=False)

    @property
    def id(self) -> str:
        """The versioned id, ``"name-vN"``.

        Returns
        -------
        str
            For example ``"elman-v1"``.

        Examples
        --------
        >>> Entry("elman", 1, dict, "", "").id
        'elman-v1'
        """
        return f"{self.name}-v{self.version}"

    @property
    def factory(self) -> Any:
        """The registered object, imported now if it was registered as ``"module:attribute"``."""
        if not isinstance(self.target, str):
            return self.target
        if not self._loaded:
            module, _, attr = self.target.partition(":")
            try:
                obj: Any = importlib.import_module(module)
                for part in attr.split("."):
                    obj = getattr(obj, part)
            except Exception as exc:  # a broken plugin item: one line naming it, never a traceback
                raise ConfigError(
                    f"{self.id} (provided by {self.provider}) cannot be loaded from {self.target!r}: "
                    f"{type(exc).__name__}: {exc}"
                ) from None
            self._loaded.append(obj)
        return self._loaded[0]


class Registry(Generic[T]):
    """A table of factories addressed by versioned ids (``name-vN``).

    Parameters
    ----------
    kind : str
        What the entries are (``"model"``), used in messages.

    Examples
    --------
    >>> reg = Registry("thing")
    >>> _ = reg.register("foo-v1", lambda: 1, "one")
    >>> _ = reg.register("foo-v2", "math:pi", "two (imported on first use)")
    >>> reg.get("foo").id, reg.make("foo-v1"), round(reg.get("foo-v2").factory, 2)
    ('foo-v2', 1, 3.14)
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[tuple[str, int], Entry[T]] = {}

    def register(
        self, id: str, factory: Any, description: str, reference: str = "", provider: str | None = None
    ) -> Any:
        """Register ``factory`` under ``id``.

        Parameters
        ----------
        id : str
            ``"name-vN"``; ``"name"`` means v1.
        factory : object or str
            The factory (class, function) or, for replications, the :class:`~cogrnn.replication.Replication`;
            or ``"module:attribute"``, imported on first use.
        description, reference : str
            One line each, shown by ``cogrnn list``.
        provider : str, optional
            The distribution providing it; default: the plugin being loaded, else ``"cogrnn"``.

        Returns
        -------
        object
            ``factory`` (so that ``register`` can decorate).

        Examples
        --------
        >>> reg = Registry("thing")
        >>> reg.register("bar", dict, "a dict") is dict
        True
        """
        name, version = self._parse(id)
        version = version or 1
        if isinstance(factory, str) and not _TARGET.match(factory):
            raise ConfigError(f"{self.kind} {id!r}: a target string must look like 'module:attribute'; got {factory!r}")
        provider = provider or _LOADING.get("provider") or BUILTIN
        owners = {e.provider for (n, _), e in self._entries.items() if n == name}
        if owners and provider not in owners:
            raise ConfigError(
                f"{provider} cannot register {self.kind} {name}-v{version}: the name {name!r} "
                f"belongs to {', '.join(sorted(owners))}"
            )
        key = (name, version)
        old = self._entries[key].target if key in self._entries else factory
        if old is not factory and not (isinstance(old, str) and old == factory):  # the same target again is fine
            raise ConfigError(f"{self.kind} id {name}-v{version} is already registered")
        self._entries[key] = Entry(name, version, factory, description, reference, provider)
        return factory

    def _parse(self, id: str) -> tuple[str, int]:
        match = _ID.match(id) if isinstance(id, str) else None
        if match is None:
            raise ConfigError(f"{self.kind} id must look like 'name' or 'name-v2'; got {id!r}")
        version = match["version"]
        if version is not None and (version.startswith("0") or len(version) > 6):  # v0, v01: no such version
            raise ConfigError(f"{self.kind} versions are v1, v2, ... (no leading zero); got {id!r}")
        return match["name"], int(version or 0)

    def get(self, id: str) -> Entry[T]:
        """The entry for ``id``; without a version, the newest one.

        Parameters
        ----------
        id : str
            ``"name"`` or ``"name-vN"``.

        Returns
        -------
        Entry
            The registered entry.

        Examples
        --------
        >>> MODELS.get("elman").id
        'elman-v1'
        """
        load_plugins()
        name, version = self._parse(id)
        versions = sorted(v for (n, v) in self._entries if n == name)
        if not versions:
            known = ", ".join(self.names()) or "(none)"
            raise ConfigError(f"unknown {self.kind} {id!r}; known: {known}")
        if version == 0:
            version = versions[-1]
        if (name, version) not in self._entries:
            raise ConfigError(
                f"unknown version {version} of {self.kind} {name!r}; known versions: "
                + ", ".join(f"v{v}" for v in versions)
            )
        return self._entries[(name, version)]

    def make(self, id: str, /, **kwargs: Any) -> T:
        """Call the factory registered under ``id`` with ``kwargs``.

        Parameters
        ----------
        id : str
            ``"name"`` or ``"name-vN"``.
        **kwargs
            Passed to the factory.

        Returns
        -------
        object
            What the factory returns.

        Examples
        --------
        >>> TASKS.make("temporal-xor", n_triples=3).n_triples
        3
        """
        entry = self.get(id)
        factory = entry.factory
        if not callable(factory):
            raise ConfigError(f"{self.kind} {entry.id} (provided by {entry.provider}) is not callable: {factory!r}")
        return factory(**kwargs)

    def names(self) -> list[str]:
        """The registered names, in the order they were first registered.

        Returns
        -------
        list of str
            Names without version.

        Examples
        --------
        >>> REPLICATIONS.names()[0]
        'elman-xor'
        """
        load_plugins()
        return list(dict.fromkeys(n for (n, _) in self._entries))

    def entries(self) -> list[Entry[T]]:
        """Every entry, by name (in registration order), then version.

        Returns
        -------
        list of Entry
            Every version of every name.

        Examples
        --------
        >>> [e.id for e in TASKS.entries()][0]
        'temporal-xor-v1'
        """
        order = {n: i for i, n in enumerate(self.names())}
        return [self._entries[k] for k in sorted(self._entries, key=lambda k: (order[k[0]], k[1]))]

    def __contains__(self, id: object) -> bool:
        try:
            self.get(id)  # type: ignore[arg-type]
        except ConfigError:
            return False
        return True


MODELS: Registry[Any] = Registry("model")
TASKS: Registry[Any] = Registry("task")
REPLICATIONS: Registry[Any] = Registry("replication")

#: state of plugin loading: "done" once loaded; "provider" while a plugin registers
_LOADING: dict[str, Any] = {}

_ELMAN_1990 = "Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179-211."
_HOPFIELD_1982 = (
    "Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective computational "
    "abilities. PNAS 79(8), 2554-2558."
)
_ELMAN_1990_DOI = f"{_ELMAN_1990} doi:10.1207/s15516709cog1402_1"
#: the built-in models: (id, "module:class", description, reference); ``tests/test_registry_builtins.py``
#: checks that each target is the class ``cogrnn.models`` exports
_BUILTIN_MODELS = [
    (
        "elman-v1",
        "cogrnn.models.srn:ElmanSRN",
        "Elman simple recurrent network: context units copy the hidden layer (logistic units).",
        _ELMAN_1990,
    ),
    (
        "jordan-v1",
        "cogrnn.models.srn:JordanNetwork",
        "Jordan network: state units hold a decaying copy of the output.",
        "Jordan, M. I. (1986). Serial order: a parallel distributed processing approach. ICS Report 8604.",
    ),
    (
        "lstm-v1",
        "cogrnn.models.gated:LSTMNetwork",
        "Long short-term memory network with a linear readout.",
        "Hochreiter, S. & Schmidhuber, J. (1997). Long short-term memory. Neural Computation 9(8).",
    ),
    (
        "gru-v1",
        "cogrnn.models.gated:GRUNetwork",
        "Gated recurrent unit network with a linear readout.",
        "Cho, K. et al. (2014). Learning phrase representations using RNN encoder-decoder. EMNLP.",
    ),
    (
        "hopfield-v1",
        "cogrnn.models.hopfield:HopfieldNetwork",
        "Classical Hopfield network: binary units; Hebbian, Storkey or pseudo-inverse storage; energy.",
        _HOPFIELD_1982,
    ),
    (
        "modern-hopfield-v1",
        "cogrnn.models.hopfield:ModernHopfield",
        "Modern continuous Hopfield network: xi <- X softmax(beta X^T xi), one-step retrieval.",
        "Ramsauer, H. et al. (2021). Hopfield networks is all you need. ICLR.",
    ),
]
#: the built-in tasks: (id, "module:class", description, reference); each reference is the class's
#: ``reference.cite()`` (checked by ``tests/test_registry_builtins.py``)
_BUILTIN_TASKS = [
    (
        "temporal-xor-v1",
        "cogrnn.tasks.temporal_xor:TemporalXOR",
        "Two random bits then their XOR, concatenated; predict the next bit.",
        _ELMAN_1990_DOI,
    ),
    (
        "letters-v1",
        "cogrnn.tasks.letters:LetterSequence",
        "Random consonants b, d, g expanded to ba, dii, guuu; 6 phonetic features; predict the next letter.",
        _ELMAN_1990_DOI,
    ),
    (
        "letters-in-words-v1",
        "cogrnn.tasks.letters:LetterInWord",
        "Sentences spelled letter by letter without breaks (5-bit codes); predict the next letter.",
        _ELMAN_1990_DOI,
    ),
    (
        "lexical-sentences-v1",
        "cogrnn.tasks.sentences:LexicalSentences",
        "2- and 3-word sentences from Elman's 16 templates, localist words, no breaks; predict the next word.",
        _ELMAN_1990_DOI,
    ),
    (
        "first-bit-recall-v1",
        "cogrnn.tasks.memory:FirstBitRecall",
        "Random bits; report the first one after a lag (a long-term dependency).",
        "Bengio, Y., Simard, P. & Frasconi, P. (1994). Learning long-term dependencies with gradient descent is "
        "difficult. IEEE Transactions on Neural Networks 5(2), 157-166. doi:10.1109/72.279181",
    ),
    (
        "text-corpus-v1",
        "cogrnn.tasks.corpus:TextCorpus",
        "A text file or strings, a sentence a line, words or chars; predict the next.",
        _ELMAN_1990_DOI,
    ),
    (
        "labelled-sequences-v1",
        "cogrnn.tasks.corpus:LabelledSequences",
        "A CSV of (sequence, label) rows; classify each sequence at its last step.",
        _ELMAN_1990_DOI,
    ),
    (
        "review-sentiment-v1",
        "cogrnn.tasks.reviews:ReviewSentiment",
        "Generated movie reviews, a negation a set number of words before the sentiment word; label at the last word.",
        "Maas, A. L., Daly, R. E., Pham, P. T., Huang, D., Ng, A. Y. & Potts, C. (2011). Learning word vectors for "
        "sentiment analysis. Proceedings of the 49th Annual Meeting of the Association for Computational "
        "Linguistics, 142-150.",
    ),
]


@contextmanager
def _transaction() -> Iterator[None]:
    """Undo every registration made inside the block if it raises."""
    saved = [(reg, dict(reg._entries)) for reg in (MODELS, TASKS, REPLICATIONS)]
    try:
        yield
    except BaseException:
        for reg, entries in saved:
            reg._entries = entries
        raise


def _distribution(ep: Any) -> str:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return f"the distribution of entry point {ep.name!r}"
    return f"{dist.metadata['Name']} {dist.version}"


def load_plugins() -> None:
    """Register the built-in items and every plugin of the ``cogrnn.plugins`` entry-point group, once.

    Called by every lookup and listing; a failing plugin is skipped with a :class:`PluginWarning`.

    Examples
    --------
    >>> load_plugins()
    >>> "elman-xor" in REPLICATIONS
    True
    """
    if _LOADING.get("done"):
        return
    _LOADING["done"] = True  # first, so that a plugin's own lookups do not recurse
    from importlib.metadata import entry_points

    # the built-ins first: a plugin may not take their names; registered as "module:attribute",
    # so that listing them imports neither torch nor the modules that define them
    for registry, builtins in ((MODELS, _BUILTIN_MODELS), (TASKS, _BUILTIN_TASKS)):
        for id, target, description, reference in builtins:
            registry.register(id, target, description, reference, BUILTIN)
    importlib.import_module("cogrnn.replications")
    for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda ep: ep.name):
        provider = _distribution(ep)
        _LOADING["provider"] = provider.split(" ")[0] if getattr(ep, "dist", None) is not None else ep.name
        try:
            with _transaction():
                ep.load()()
        except Exception as exc:
            warnings.warn(
                f"cogrnn plugin {ep.name!r} of {provider} was not loaded: {type(exc).__name__}: {exc}",
                PluginWarning,
                stacklevel=2,
            )
        finally:
            _LOADING.pop("provider", None)


def make_model(id: str, /, **kwargs: Any) -> Any:
    """Make a model of the zoo by id.

    Parameters
    ----------
    id : str
        A model id (``cogrnn list``), e.g. ``"elman"`` or ``"elman-v1"``.
    **kwargs
        The model's constructor arguments.

    Returns
    -------
    object
        The model.

    Examples
    --------
    >>> make_model("elman", input_size=1, hidden_size=2, output_size=1, random_state=0).hidden_size
    2
    """
    return MODELS.make(id, **kwargs)


def make_task(id: str, /, **kwargs: Any) -> Any:
    """Make a task by id.

    Parameters
    ----------
    id : str
        A task id (``cogrnn list``), e.g. ``"temporal-xor"``.
    **kwargs
        The task's constructor arguments.

    Returns
    -------
    Task
        The task.

    Examples
    --------
    >>> make_task("temporal-xor", n_triples=10).n_triples
    10
    """
    return TASKS.make(id, **kwargs)


def get_replication(id: str, /) -> Any:
    """The replication registered under ``id`` (its module is imported now).

    Parameters
    ----------
    id : str
        A replication id (``cogrnn list``), e.g. ``"elman-xor"`` or ``"elman-xor-v1"``.

    Returns
    -------
    Replication
        The replication (its ``name`` is the registered name).

    Examples
    --------
    >>> get_replication("elman-xor-v1").default_seeds >= 1
    True
    """
    entry = REPLICATIONS.get(id)
    rep = entry.factory
    if getattr(rep, "name", None) != entry.name:
        raise ConfigError(
            f"replication {entry.id} ({entry.provider}) is registered under the name {entry.name!r} "
            f"but is called {getattr(rep, 'name', None)!r}; the two must agree (it names the output folder)"
        )
    return rep
