"""Commands of ``cogrnn`` that work on the user's own data: ``train``, ``surprisal``, ``generate``.

They are registered on the main command by :func:`register` (called from :mod:`cogrnn.cli`),
so this module owns them without touching the replication commands.

``cogrnn train --text FILE --out DIR`` trains an ensemble of next-token predictors on a text
(one sentence per line) and writes ``DIR/model.safetensors`` (the ensemble, with the
vocabulary and the settings in its header), ``DIR/history.csv`` (one row per replica and
epoch) and ``DIR/provenance.json``; ``cogrnn surprisal CHECKPOINT --text FILE --out CSV``
writes every replica's surprisal and entropy (bits) of each token of a text;
``cogrnn generate CHECKPOINT`` writes sequences with their log-probabilities. Bad input
prints one line ``cogrnn: error: ...`` (exit status 2) and leaves no half-written output.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from ._docs import docdict, fill_doc
from .exceptions import ConfigError, DataError

__all__ = ["register", "train_text", "train_labelled", "write_surprisal", "generate_text"]

_MODELS = ("elman", "jordan", "lstm", "gru")


def _parse(option: str, value: str | None, kind: type, low: float | None = None) -> Any:
    """``value`` of ``option`` as ``kind`` (None stays None); one-line ConfigError otherwise."""
    if value is None:
        return None
    try:
        out = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{option} must be {'an integer' if kind is int else 'a number'}; got {value!r}") from None
    if kind is float and not np.isfinite(out):
        raise ConfigError(f"{option} must be finite; got {value!r}")
    if low is not None and out < low:
        raise ConfigError(f"{option} must be >= {low}; got {value!r}")
    return out


def _check_train_out(out: Path) -> None:
    """``out`` must be new, empty, or hold only what an earlier ``cogrnn train`` wrote (it is replaced)."""
    from .io import check_out_path, check_replaceable

    check_out_path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; give a folder")
    check_replaceable(out, ("model.safetensors", "history.csv", "accuracy.csv", "provenance.json"))
    if out.resolve() == Path.cwd().resolve() or out.resolve() in Path.cwd().resolve().parents:
        raise ConfigError(f"--out {out} is the current folder or above it; give a folder of its own")


docdict.update(
    {
        "train_network": """
model : {"elman", "jordan", "lstm", "gru"}, default "lstm"
    A registered recurrent model.
hidden_size, num_layers : int, default 32, 1
    Architecture.
n_seeds : int, default 10
    Replicas (networks trained side by side, each from its own seed).
seed : int, default 0
    Root seed: the replicas' initial weights and the minibatch order.""",
        "train_optimiser": """
epochs : int, default 10
    Passes through the data.
lr : float, optional
    Learning rate (default 0.01 for adam, 0.1 for sgd).
optimizer : {"adam", "sgd"}, default "adam"
    Elementwise per replica.
batch_size : int or None, default 32
    Sentences or sequences per update (``bptt``).""",
        "train_tokens": """
lowercase : bool, default False
    Lowercase the text.
min_count : int, default 1
    Rarer tokens become ``<unk>``.
max_length : int, optional
    Longest sentence or sequence allowed (tokens); a longer one is an error naming its line.
encoding : str, default "utf-8"
    The files' text encoding.
quiet : bool, default False
    No progress output.
argv : list of str, optional
    The command line, recorded in the provenance.""",
    }
)


@fill_doc
def train_text(
    text: str | Path,
    out: str | Path,
    *,
    unit: str = "word",
    model: str = "lstm",
    hidden_size: int = 32,
    num_layers: int = 1,
    n_seeds: int = 10,
    seed: int = 0,
    method: str = "bptt",
    epochs: int = 10,
    lr: float | None = None,
    optimizer: str = "adam",
    batch_size: int | None = 32,
    k1: int = 5,
    k2: int = 10,
    clip_grad_norm: float | None = 5.0,
    boundaries: bool = True,
    lowercase: bool = False,
    min_count: int = 1,
    max_length: int | None = None,
    encoding: str = "utf-8",
    quiet: bool = False,
    argv: list[str] | None = None,
) -> Path:
    """Train an ensemble of next-token predictors on a text file; write checkpoint, history, provenance.

    The networks read localist tokens and predict the next one through a softmax readout,
    trained with cross-entropy by :class:`cogrnn.training.Trainer`: ``bptt`` over the
    sentences (one sequence each, padding masked), or ``online``/``tbptt`` over the stream of
    sentences (Elman's regime).

    Parameters
    ----------
    text : str or pathlib.Path
        The corpus, one sentence per line.
    out : str or pathlib.Path
        The output folder: ``model.safetensors``, ``history.csv``, ``provenance.json``
        (written into a staging folder and published in one step).
    unit : {"word", "char"}, default "word"
        Tokens (see :class:`cogrnn.tasks.TextCorpus`).
    %(train_network)s
    method : {"bptt", "online", "tbptt"}, default "bptt"
        How to train (see :class:`cogrnn.training.TrainerConfig`).
    %(train_optimiser)s
    k1, k2 : int, default 5, 10
        Truncation of ``tbptt``.
    clip_grad_norm : float or None, default 5.0
        Per-replica gradient clipping.
    boundaries : bool, default True
        Keep sentence boundaries (an end-of-sentence token).
    %(train_tokens)s

    Returns
    -------
    pathlib.Path
        The output folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "corpus.txt").write_text("the dog sleeps\\nthe cat sleeps\\n")
    >>> out = train_text(tmp / "corpus.txt", tmp / "run", hidden_size=3, n_seeds=2, epochs=1, quiet=True)
    >>> sorted(p.name for p in out.iterdir())
    ['history.csv', 'model.safetensors', 'provenance.json']
    """
    from . import provenance as prov
    from .config import check_choice
    from .tasks import TextCorpus
    from .training import Trainer

    started, t0 = prov.utc_now(), time.perf_counter()
    check_choice("method", method, ("bptt", "online", "tbptt"))
    extra: dict[str, Any] = {"batch_size": batch_size} if method == "bptt" else {}
    if method == "tbptt":
        extra.update(k1=k1, k2=k2)
    out, n_seeds, root, cfg = _start(out, model, n_seeds, seed, method=method, epochs=epochs, lr=lr,
                                     optimizer=optimizer, clip_grad_norm=clip_grad_norm, **extra)  # fmt: skip
    layout = "sentences" if method == "bptt" else "stream"
    corpus = TextCorpus(text, unit=unit, boundaries=boundaries, unknown="map" if min_count > 1 else "error",
                        min_count=min_count, lowercase=lowercase, max_length=max_length, layout=layout,
                        encoding=encoding)  # fmt: skip
    batch = corpus.generate()
    V = len(corpus.vocabulary_)
    n_tokens = int(batch.descriptors["scored"].sum())
    net, order = _network(model, V, V, hidden_size, num_layers, n_seeds, root)
    if not quiet:
        print(
            f"cogrnn train: {n_seeds} {model} network(s), {len(corpus.sentences_)} sentences, "
            f"{n_tokens} {unit} tokens, vocabulary {V}, {method}, {epochs} epoch(s)",
            file=sys.stderr,
        )
    trainer = Trainer(cfg, quiet=quiet).fit(
        net, batch.inputs, batch.targets, mask=batch.descriptors["scored"] if layout == "sentences" else None,
        random_state=order,
    )  # fmt: skip
    settings = {
        "text": str(text), "unit": unit, "model": model, "hidden_size": hidden_size, "num_layers": num_layers,
        "seeds": n_seeds, "seed": root, "boundaries": boundaries, "lowercase": lowercase, "min_count": min_count,
        "max_length": max_length, "encoding": encoding, "trainer": cfg.to_dict(),
    }  # fmt: skip
    info = {"sentences": len(corpus.sentences_), "tokens": n_tokens, "vocabulary_size": V}
    return _write_run(out, net, trainer, corpus.describe(), settings, [text], info, {}, argv, started, t0, quiet)


@fill_doc
def train_labelled(
    csv: str | Path,
    out: str | Path,
    *,
    test: str | Path | None = None,
    unit: str = "word",
    model: str = "lstm",
    hidden_size: int = 32,
    num_layers: int = 1,
    n_seeds: int = 10,
    seed: int = 0,
    epochs: int = 10,
    lr: float | None = None,
    optimizer: str = "adam",
    batch_size: int | None = 32,
    clip_grad_norm: float | None = 5.0,
    lowercase: bool = False,
    min_count: int = 1,
    max_length: int | None = None,
    encoding: str = "utf-8",
    quiet: bool = False,
    argv: list[str] | None = None,
) -> Path:
    """Train an ensemble of many-to-one classifiers on a CSV of (sequence, label) rows.

    Every sequence is read token by token and classified at its last step (softmax readout,
    cross-entropy at that step only, full BPTT over minibatches of sequences). Besides the
    checkpoint, history and provenance of :func:`train_text`, ``accuracy.csv`` holds every
    replica's accuracy on the training rows and, with ``test``, on held-out rows.

    Parameters
    ----------
    csv : str or pathlib.Path
        Training rows (columns ``sequence`` and ``label``).
    out : str or pathlib.Path
        The output folder, published in one step.
    test : str or pathlib.Path, optional
        Held-out rows, read with the training vocabulary and labels.
    unit : {"word", "char"}, default "word"
        Tokens.
    %(train_network)s
    %(train_optimiser)s
    clip_grad_norm : float or None, default 5.0
        Per-replica gradient clipping.
    %(train_tokens)s

    Returns
    -------
    pathlib.Path
        The output folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "rows.csv").write_text("sequence,label\\ngood film,pos\\nbad film,neg\\n")
    >>> out = train_labelled(tmp / "rows.csv", tmp / "run", hidden_size=3, n_seeds=2, epochs=1, quiet=True)
    >>> sorted(p.name for p in out.iterdir())
    ['accuracy.csv', 'history.csv', 'model.safetensors', 'provenance.json']
    """
    import pandas as pd

    from . import provenance as prov
    from .tasks import LabelledSequences
    from .training import Trainer

    started, t0 = prov.utc_now(), time.perf_counter()
    trainer_args = {"epochs": epochs, "lr": lr, "optimizer": optimizer, "clip_grad_norm": clip_grad_norm}
    out, n_seeds, root, cfg = _start(out, model, n_seeds, seed, method="bptt", batch_size=batch_size, **trainer_args)
    task = LabelledSequences(csv, unit=unit, unknown="map" if min_count > 1 else "error", min_count=min_count,
                             lowercase=lowercase, max_length=max_length, encoding=encoding)  # fmt: skip
    held_out = None if test is None else LabelledSequences.from_description(task.describe(), test, encoding=encoding)
    batch = task.generate()
    V, C = len(task.vocabulary_), len(task.labels_)
    net, order = _network(model, V, C, hidden_size, num_layers, n_seeds, root)
    if not quiet:
        print(f"cogrnn train: {n_seeds} {model} classifier(s), {batch.n_sequences} sequences, {C} labels, "
              f"vocabulary {V}, {epochs} epoch(s)", file=sys.stderr)  # fmt: skip
    trainer = Trainer(cfg, quiet=quiet).fit(net, batch.inputs, batch.targets, mask=batch.descriptors["scored"],
                                            random_state=order)  # fmt: skip
    parts = [task.accuracy(net, batch).assign(data="train")]
    if held_out is not None:
        parts.append(held_out.accuracy(net).assign(data="test"))
    accuracy = pd.concat(parts, ignore_index=True).rename(columns={"seed": "replica"})
    accuracy = accuracy[["data", "replica", "accuracy", "n_sequences"]]
    if not quiet:
        for name, acc in accuracy.groupby("data", sort=False)["accuracy"]:
            print(f"cogrnn train: {name} accuracy median {acc.median():.3f} (range {acc.min():.3f}-{acc.max():.3f})",
                  file=sys.stderr)  # fmt: skip
    settings = {
        "csv": str(csv), "test": None if test is None else str(test), "unit": unit, "model": model,
        "hidden_size": hidden_size, "num_layers": num_layers, "seeds": n_seeds, "seed": root,
        "lowercase": lowercase, "min_count": min_count, "max_length": max_length, "encoding": encoding,
        "trainer": cfg.to_dict(),
    }  # fmt: skip
    data = [csv] if test is None else [csv, test]
    info = {"sequences": batch.n_sequences, "labels": task.labels_, "vocabulary_size": V}
    tables = {"accuracy": accuracy}
    return _write_run(out, net, trainer, task.describe(), settings, data, info, tables, argv, started, t0, quiet)


def _write_run(
    out: Path,
    net: Any,
    trainer: Any,
    task: dict[str, Any],
    settings: dict[str, Any],
    data: list[Any],
    info: dict[str, Any],
    tables: dict[str, Any],
    argv: list[str] | None,
    started: str,
    t0: float,
    quiet: bool,
) -> Path:
    """Write checkpoint, history, further tables and provenance into a staging folder; publish it as ``out``."""
    from . import provenance as prov
    from .checkpoint import save
    from .io import publish_dir, sha256_file, staging_dir, write_csv, write_json

    history = trainer.history_.rename(columns={"seed": "replica"})
    history.insert(0, "model", settings["model"])
    hashes = {str(p): sha256_file(p) for p in data}
    stage = staging_dir(out)
    try:
        meta = {"task": task, "settings": settings, "data_sha256": hashes, "backend": trainer.backend_}
        save(net, stage / "model.safetensors", **meta)
        written = [stage / "model.safetensors", write_csv(stage / "history.csv", history)]
        written += [write_csv(stage / f"{name}.csv", df) for name, df in tables.items()]
        record = {
            "command": "cogrnn train",
            "argv": list(sys.argv if argv is None else argv),
            "settings": settings,
            "root_seed": settings["seed"],
            "replica_seeds": [{"entropy": str(s.entropy), "spawn_key": list(s.spawn_key)} for s in net.replica_seeds],
            "data": hashes,
            "corpus": info,
            "backend": trainer.backend_,
            "code": prov.code_version(),
            "packages": prov.package_versions(),
            "platform": prov.platform_info(),
            "threads": prov.thread_info(),
            "started": started,
            "finished": prov.utc_now(),
            "wall_time_s": round(time.perf_counter() - t0, 3),
            "outputs": prov.file_hashes(written, root=stage),
        }
        write_json(stage / "provenance.json", record)
        final = publish_dir(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)  # no half-written folder left behind
        raise
    if not quiet:
        last = history[history["epoch"] == history["epoch"].max()]["loss"]
        names = ", ".join(p.name for p in written[1:])
        print(f"cogrnn train: final loss median {last.median():.4g} (range {last.min():.4g}-{last.max():.4g}); "
              f"wrote {final}/model.safetensors, {names}, provenance.json", file=sys.stderr)  # fmt: skip
    return final


def _start(out: str | Path, model: str, n_seeds: int, seed: int, **trainer: Any) -> tuple[Path, int, int, Any]:
    """Checked output folder, replicas, root seed and trainer configuration (cross-entropy) of a run."""
    from .config import check_choice, check_int
    from .training import TrainerConfig

    out = Path(out)
    _check_train_out(out)
    check_choice("model", model, _MODELS)
    n_seeds = check_int("seeds", n_seeds, low=1)
    root = check_int("seed", seed, low=0)
    if trainer.get("lr") is None:
        trainer["lr"] = 0.01 if trainer.get("optimizer") == "adam" else 0.1
    return out, n_seeds, root, TrainerConfig(loss="cross_entropy", **trainer)


def _network(
    model: str, n_in: int, n_out: int, hidden_size: int, num_layers: int, n_seeds: int, root: int
) -> tuple[Any, np.random.Generator]:
    """The ensemble (softmax readout) and the generator of the minibatch order, both from the root seed."""
    from .random import seed_sequence
    from .registry import make_model

    init_seed, order_seed = seed_sequence(root).spawn(2)
    net = make_model(model, input_size=n_in, hidden_size=hidden_size, output_size=n_out, num_layers=num_layers,
                     n_replicas=n_seeds, output_activation="softmax", random_state=init_seed)  # fmt: skip
    return net, np.random.default_rng(order_seed)


def _check_csv_out(out: str | Path) -> Path:
    """``out`` names a file (not a folder) in a folder that can be written, checked before any work."""
    from .io import check_out_path, ensure_writable_dir

    out = check_out_path(out)
    if out.is_dir():
        raise ConfigError(f"--out {out} is a folder; give the CSV file's name")
    ensure_writable_dir(out.parent)
    return out


def _corpus_of(header: dict[str, Any], name: str) -> dict[str, Any]:
    task = header.get("metadata", {}).get("task")
    if not isinstance(task, dict) or task.get("task") != "text-corpus":
        raise DataError(f"{name} was not trained on a text corpus (no text-corpus task in its header)")
    return task


def write_surprisal(checkpoint: str | Path, text: str | Path, out: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write every replica's surprisal and entropy (bits) of each token of a text to a tidy CSV.

    The text is tokenised as the training corpus was (unit, boundaries, vocabulary, from
    the checkpoint's header) and run as it was trained: one sentence at a time from the
    initial state (``bptt``), or as one stream (``online``/``tbptt``). For character models
    the per-word sums are written beside it, to ``<out stem>.words.csv``.

    Parameters
    ----------
    checkpoint : str or pathlib.Path
        A checkpoint of ``cogrnn train``.
    text : str or pathlib.Path
        The text, one sentence per line.
    out : str or pathlib.Path
        The CSV written (atomically): ``replica``, ``sentence`` (0-based), ``line``, ``position``,
        ``token``, ``known`` (False: out of the vocabulary, scored as ``<unk>``), ``word_index``,
        ``word``, ``surprisal``, ``entropy``.
    encoding : str, default "utf-8"
        The text's encoding.

    Returns
    -------
    pathlib.Path
        The CSV.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cogrnn.io import data_path
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> run = train_text(data_path("corpora/elman_sentences.txt"), tmp / "run", hidden_size=4, n_seeds=2,
    ...                  epochs=1, quiet=True)
    >>> (tmp / "s.txt").write_text("boy eat cookie\\n")
    15
    >>> import pandas as pd
    >>> df = pd.read_csv(write_surprisal(run / "model.safetensors", tmp / "s.txt", tmp / "s.csv"))
    >>> len(df), df["token"].tolist()[:4]
    (8, ['boy', 'eat', 'cookie', '<eos>'])
    """
    from .analysis.likelihood import token_surprisal, word_surprisal
    from .checkpoint import load_checkpoint
    from .io import write_csv
    from .tasks import TextCorpus

    out = _check_csv_out(out)
    ckpt = load_checkpoint(checkpoint)
    task = _corpus_of(ckpt.header, str(checkpoint))
    corpus = TextCorpus.from_description(task, text, encoding=encoding)
    df = token_surprisal(ckpt.model, corpus.generate())
    df = df.rename(columns={"next_token": "token", "token": "context_token"})
    cols = ["replica", "sentence", "line", "position", "token", "known", "word_index", "word", "surprisal", "entropy"]
    table = df[cols]
    words_path = out.with_name(out.stem + ".words.csv")
    if task.get("unit") == "char":
        words = word_surprisal(table).merge(
            table.drop_duplicates(["replica", "sentence", "word_index"])[["replica", "sentence", "word_index", "line"]],
            on=["replica", "sentence", "word_index"],
        )
        write_csv(words_path, words[["replica", "sentence", "line", "word_index", "word", "surprisal",
                                     "n_tokens", "entropy"]])  # fmt: skip
    return write_csv(out, table)


def generate_text(
    checkpoint: str | Path,
    *,
    strategy: str = "sample",
    temperature: float = 1.0,
    beam_width: int = 5,
    n: int = 5,
    max_tokens: int = 50,
    prefix: str | None = None,
    replica: int | None = 0,
    seed: int | None = None,
) -> Any:
    """Sequences from a trained next-token predictor, with their log-probabilities.

    Parameters
    ----------
    checkpoint : str or pathlib.Path
        A checkpoint of ``cogrnn train``.
    strategy : {"sample", "greedy", "beam"}, default "sample"
        Sampling (with ``temperature``), the most probable token at each step, or beam search.
    temperature : float, default 1.0
        Sampling temperature (> 0).
    beam_width : int, default 5
        Hypotheses kept by beam search (at least ``n``).
    n : int, default 5
        Sequences per replica: samples, or the best ``n`` beams (greedy makes one).
    max_tokens : int, default 50
        Longest continuation; a sentence also ends at the end-of-sentence token.
    prefix : str, optional
        Text the sequences continue (tokenised as in training); default the start of a
        sentence (needs boundaries; without them a prefix is required).
    replica : int or None, default 0
        Which network generates; None: every replica.
    seed : int, optional
        Seed of the sampling (None: fresh entropy).

    Returns
    -------
    pandas.DataFrame
        One row per sequence: ``replica``, ``rank`` (1 = best beam, or the sample number),
        ``strategy``, ``temperature``, ``prefix``, ``text``, ``n_tokens``, ``log_prob``
        (natural log, under the untempered model) and ``bits`` (its negative in bits).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "corpus.txt").write_text("the dog sleeps\\nthe cat sleeps\\n")
    >>> run = train_text(tmp / "corpus.txt", tmp / "run", hidden_size=3, n_seeds=1, epochs=1, quiet=True)
    >>> df = generate_text(run / "model.safetensors", strategy="beam", n=2, max_tokens=5)
    >>> df["rank"].tolist(), bool(df["log_prob"].is_monotonic_decreasing)
    ([1, 2], True)
    """
    import pandas as pd

    from .analysis.generation import generate, next_token_fn
    from .checkpoint import load_checkpoint
    from .config import check_choice, check_float, check_int
    from .random import check_random_state
    from .tasks import EOS, Vocabulary, tokenise

    check_choice("strategy", strategy, ("sample", "greedy", "beam"))
    temperature = check_float("temperature", temperature, low=0.0, low_inclusive=False)
    n = check_int("n", n, low=1)
    max_tokens = check_int("max_tokens", max_tokens, low=1)
    if strategy == "greedy" and n != 1:
        raise ConfigError("--strategy greedy gives one sequence per replica; use --n 1, sample or beam")
    if strategy == "beam" and check_int("beam_width", beam_width, low=1) < n:
        raise ConfigError(f"--beam-width ({beam_width}) must be at least --n ({n})")
    ckpt = load_checkpoint(checkpoint)
    task = _corpus_of(ckpt.header, str(checkpoint))
    vocab = Vocabulary.from_dict(task["vocabulary"])
    net = ckpt.model
    replicas = (
        list(range(net.n_replicas)) if replica is None else [check_int("replica", replica, 0, net.n_replicas - 1)]
    )
    if prefix is None or not prefix.strip():
        if not task.get("boundaries", True):
            raise ConfigError("this model was trained without sentence boundaries; give --prefix TEXT to continue")
        tokens = [EOS]
    else:
        words = tokenise(prefix, task.get("unit", "word"), bool(task.get("lowercase", False)))
        tokens = ([EOS] if task.get("boundaries", True) else []) + words
    codes = [vocab.index(t, "--prefix") for t in tokens]
    stop = vocab.index(EOS) if EOS in vocab else None
    rng = check_random_state(seed)
    joiner = "" if task.get("unit") == "char" else " "
    rows = []
    for r in replicas:
        step, state = next_token_fn(net, r)
        for code in codes[:-1]:
            _, state = step(state, code)
        results = generate(step, state, codes[-1], max_tokens, strategy=strategy, temperature=temperature,
                           beam_width=beam_width, n_samples=n, random_state=rng, stop=stop)  # fmt: skip
        for rank, res in enumerate(results[:n], start=1):
            words = [vocab.tokens[t] for t in res["tokens"]]
            if words and words[-1] == EOS:
                words = words[:-1]
            rows.append({
                "replica": r, "rank": rank, "strategy": strategy,
                "temperature": temperature if strategy == "sample" else np.nan, "prefix": prefix or "",
                "text": joiner.join(words), "n_tokens": len(res["tokens"]), "log_prob": res["log_prob"],
                "bits": -res["log_prob"] / np.log(2.0),
            })  # fmt: skip
    return pd.DataFrame(rows)


def _opt(*names: str, help: str) -> Any:
    """A typer option with its names and help (shortens the command signatures below)."""
    return typer.Option(*names, help=help)


def register(app: Any) -> None:
    """Register the data commands on the ``cogrnn`` typer application.

    Parameters
    ----------
    app : typer.Typer
        The application of :mod:`cogrnn.cli`.

    Examples
    --------
    >>> import typer
    >>> register(typer.Typer())
    """

    @app.command(
        "train",
        help="Train an ensemble of next-token predictors on a text file (--text, one sentence a line), or of "
        "classifiers on a CSV of sequence,label rows (--csv; scored at the last step, accuracy.csv written).",
    )
    def train_cmd(
        out: Annotated[str, _opt("--out", help="Output folder (model.safetensors, history.csv, provenance.json).")],
        text: Annotated[str | None, _opt("--text", help="The corpus: a text file, one sentence per line.")] = None,
        csv: Annotated[str | None, _opt("--csv", help="Or: a CSV of sequence,label rows to classify.")] = None,
        test: Annotated[str | None, _opt("--test", help="With --csv: held-out rows for accuracy.csv.")] = None,
        unit: Annotated[str, _opt("--unit", help="Tokens: word or char.")] = "word",
        model: Annotated[str, _opt("--model", help="elman, jordan, lstm or gru.")] = "lstm",
        hidden_size: Annotated[str, _opt("--hidden-size", help="Hidden units per layer.")] = "32",
        layers: Annotated[str, _opt("--layers", help="Stacked layers.")] = "1",
        epochs: Annotated[str, _opt("--epochs", help="Passes through the corpus.")] = "10",
        seeds: Annotated[str, _opt("--seeds", help="Networks (replicas), each from its own seed.")] = "10",
        seed: Annotated[str, _opt("--seed", help="Root seed (integer >= 0).")] = "0",
        method: Annotated[str, _opt("--method", help="bptt (over sentences), online or tbptt (stream).")] = "bptt",
        lr: Annotated[str | None, _opt("--lr", help="Learning rate (default 0.01 adam, 0.1 sgd).")] = None,
        optimizer: Annotated[str, _opt("--optimizer", help="adam or sgd.")] = "adam",
        batch_size: Annotated[str, _opt("--batch-size", help="Sentences per update (bptt).")] = "32",
        k1: Annotated[str, _opt("--k1", help="tbptt: update every k1 steps.")] = "5",
        k2: Annotated[str, _opt("--k2", help="tbptt: backpropagate k2 steps.")] = "10",
        clip: Annotated[str, _opt("--clip", help="Gradient norm clip per replica (0: none).")] = "5",
        no_boundaries: Annotated[bool, _opt("--no-boundaries", help="Remove sentence boundaries.")] = False,
        lowercase: Annotated[bool, _opt("--lowercase", help="Lowercase the text.")] = False,
        min_count: Annotated[str, _opt("--min-count", help="Rarer tokens become <unk>.")] = "1",
        max_length: Annotated[str | None, _opt("--max-length", help="Longest sentence allowed (tokens).")] = None,
        encoding: Annotated[str, _opt("--encoding", help="Text encoding of the file.")] = "utf-8",
        quiet: Annotated[bool, _opt("--quiet", help="No progress output.")] = False,
    ) -> None:
        if (text is None) == (csv is None):
            raise ConfigError("give the data as --text FILE (next-token prediction) or --csv FILE (classification)")
        if test is not None and csv is None:
            raise ConfigError("--test goes with --csv (held-out labelled rows)")
        common: dict[str, Any] = {
            "unit": unit, "model": model, "hidden_size": _parse("--hidden-size", hidden_size, int, 1),
            "num_layers": _parse("--layers", layers, int, 1), "n_seeds": _parse("--seeds", seeds, int, 1),
            "seed": _parse("--seed", seed, int, 0), "epochs": _parse("--epochs", epochs, int, 1),
            "lr": _parse("--lr", lr, float), "optimizer": optimizer,
            "batch_size": _parse("--batch-size", batch_size, int, 1),
            "clip_grad_norm": _parse("--clip", clip, float, 0.0) or None, "lowercase": lowercase,
            "min_count": _parse("--min-count", min_count, int, 1),
            "max_length": _parse("--max-length", max_length, int, 1), "encoding": encoding, "quiet": quiet,
            "argv": ["cogrnn", *sys.argv[1:]],
        }  # fmt: skip
        if csv is not None:
            if method != "bptt" or no_boundaries:
                raise ConfigError("--csv trains with --method bptt, one sequence per row (no boundaries to remove)")
            train_labelled(csv, out, test=test, **common)
        else:
            k = {"k1": _parse("--k1", k1, int, 1), "k2": _parse("--k2", k2, int, 1)}
            train_text(str(text), out, method=method, boundaries=not no_boundaries, **k, **common)

    @app.command("surprisal", help="Surprisal and entropy (bits) of every token of a text, per network, to a CSV.")
    def surprisal_cmd(
        checkpoint: Annotated[str, typer.Argument(help="A model.safetensors written by cogrnn train.")],
        text: Annotated[str, _opt("--text", help="The text, one sentence per line.")],
        out: Annotated[str, _opt("--out", help="The CSV (character models: also OUT.words.csv).")],
        encoding: Annotated[str, _opt("--encoding", help="Text encoding of the file.")] = "utf-8",
    ) -> None:
        path = write_surprisal(checkpoint, text, out, encoding=encoding)
        print(f"cogrnn surprisal: wrote {path}", file=sys.stderr)

    @app.command("generate", help="Generate sequences from a trained model, with their log-probabilities.")
    def generate_cmd(
        checkpoint: Annotated[str, typer.Argument(help="A model.safetensors written by cogrnn train.")],
        strategy: Annotated[str, _opt("--strategy", help="sample, greedy or beam.")] = "sample",
        temperature: Annotated[str, _opt("--temperature", help="Sampling temperature (> 0).")] = "1.0",
        beam_width: Annotated[str, _opt("--beam-width", help="Beam search width (>= --n).")] = "5",
        n: Annotated[str, _opt("--n", help="Sequences per network.")] = "5",
        max_tokens: Annotated[str, _opt("--max-tokens", help="Longest continuation (tokens).")] = "50",
        prefix: Annotated[str | None, _opt("--prefix", help="Text to continue (default: a new sentence).")] = None,
        replica: Annotated[str, _opt("--replica", help="Which network (0-based) or 'all'.")] = "0",
        seed: Annotated[str | None, _opt("--seed", help="Seed of the sampling (integer >= 0).")] = None,
        out: Annotated[str | None, _opt("--out", help="Write a CSV instead of printing.")] = None,
    ) -> None:
        from .io import write_csv

        out_path = None if out is None else _check_csv_out(out)
        df = generate_text(
            checkpoint, strategy=strategy, temperature=_parse("--temperature", temperature, float),
            beam_width=_parse("--beam-width", beam_width, int, 1), n=_parse("--n", n, int, 1),
            max_tokens=_parse("--max-tokens", max_tokens, int, 1), prefix=prefix,
            replica=None if replica == "all" else _parse("--replica", replica, int, 0),
            seed=_parse("--seed", seed, int, 0),
        )  # fmt: skip
        if out_path is not None:
            print(f"cogrnn generate: wrote {write_csv(out_path, df)}", file=sys.stderr)
            return
        for row in df.itertuples():
            print(f"{row.replica}\t{row.rank}\t{row.log_prob:.3f}\t{row.text}")
