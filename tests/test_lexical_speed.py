"""The lean elman-lexical analysis computes the numbers of the straightforward code, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from cogrnn.analysis.clustering import _linkage_and_nearest, _nearest_other, linkage
from cogrnn.analysis.recording import evaluate
from cogrnn.exceptions import ConfigError
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LexicalSentences
from cogrnn.tasks.sentences import bounded_draws


def _one_at_a_time(task: LexicalSentences, rng: np.random.Generator) -> list[list[str]]:
    """LexicalSentences.sentences as it was: one draw of the generator per word."""
    cats, templates = task.categories(), task.templates()
    picks = rng.integers(len(templates), size=task.n_sentences)
    out = []
    for k in picks:
        words = [cats[c][int(rng.integers(len(cats[c])))] for c in templates[int(k)]]
        out.append([task.replace.get(w, w) for w in words])
    return out


def _same_state(a: np.random.Generator, b: np.random.Generator) -> bool:
    """Whether two generators are at the same point (their next 32-bit and 64-bit draws agree)."""
    draws = [(g.integers(2**32, size=3, dtype=np.uint64), g.integers(2**63, size=3)) for g in (a, b)]
    return all(np.array_equal(x, y) for x, y in zip(*draws))


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.MT19937, np.random.Philox, np.random.SFC64])
def test_sentences_draw_what_one_draw_per_word_drew(bit_generator):
    task = LexicalSentences(n_sentences=301, replace={"man": "zog"})
    for seed in range(5):
        fast, slow = np.random.Generator(bit_generator(seed)), np.random.Generator(bit_generator(seed))
        fast.integers(5, size=seed)  # a stream that does not start at a fresh 64-bit draw
        slow.integers(5, size=seed)
        assert task.sentences(fast) == _one_at_a_time(task, slow)
        assert _same_state(fast, slow)  # the stream advanced as far


def test_bounded_draws_redraw_as_integers_does():
    # bounds near 2**32 make numpy's bounded draw reject (and draw again) often: the slow path
    highs = [1, 2**32 - 1, 3, 2**31 + 7, 1, 2**32 - 5] * 20
    for seed in range(5):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        assert bounded_draws(a, highs) == [int(b.integers(h)) for h in highs]
        assert _same_state(a, b)
    assert bounded_draws(np.random.default_rng(0), []) == []
    with pytest.raises(ConfigError, match="bounded_draws"):
        bounded_draws(np.random.default_rng(0), [0])


@pytest.mark.parametrize("n", [2, 3, 40, 600])
def test_one_distance_computation_gives_the_linkage_and_nearest_rows(n):
    rng = np.random.default_rng(n)
    X = rng.random((n, 150)).astype(np.float32).astype(np.float64)
    X[-1] = X[0]  # a tie: the first of the equally near rows
    Z, nearest = _linkage_and_nearest(X, "average", "euclidean")
    np.testing.assert_array_equal(Z, linkage(X, "average", "euclidean"))
    np.testing.assert_array_equal(nearest, _nearest_other(X, "euclidean"))
    d = cdist(X, X)
    np.fill_diagonal(d, np.inf)
    np.testing.assert_array_equal(nearest, d.argmin(1))
    for method, metric in (("ward", "euclidean"), ("average", "cityblock")):  # computed as before
        Z, nearest = _linkage_and_nearest(X, method, metric)
        np.testing.assert_array_equal(Z, linkage(X, method, metric))
        np.testing.assert_array_equal(nearest, _nearest_other(X, metric))


def test_evaluate_in_the_models_dtype_records_the_same_numbers():
    net = ElmanSRN(31, 12, 31, n_replicas=2, random_state=0)
    x = LexicalSentences(n_sentences=20).generate(0).inputs
    wide, narrow = evaluate(net, x), evaluate(net, x, dtype="model")
    assert wide.states.dtype == np.float64 and narrow.states.dtype == np.float32
    assert narrow.outputs.dtype == np.float32 and narrow.layer_states["h0"].dtype == np.float32
    np.testing.assert_array_equal(narrow.states, wide.states)
    np.testing.assert_array_equal(narrow.outputs, wide.outputs)
    assert evaluate(net, x, dtype=np.float32).states.dtype == np.float32
    with pytest.raises(ConfigError, match="dtype must be a floating dtype"):
        evaluate(net, x, dtype="int32")
    with pytest.raises(ConfigError, match="dtype must be a floating dtype"):
        evaluate(net, x, dtype="wide")


def _descriptors_as_before(task: LexicalSentences, sentences: list[list[str]]) -> dict[str, np.ndarray]:
    """The string descriptors of LexicalSentences.encode as they were made: one Python object per step."""
    vocab = task.vocabulary()
    words = [w for s in sentences for w in s]
    ids = np.array([vocab.index(w) for w in words])
    classes = task.word_classes()
    category = dict(zip(classes["word"], classes["category"]))
    lexical_class = dict(zip(classes["word"], classes["lexical_class"]))
    T = len(words) if task.wrap else len(words) - 1
    return {
        "word": np.array(words[:T], dtype=object).astype(str),
        "target_word": np.array(vocab, dtype=object)[np.roll(ids, -1)[:T]].astype(str),
        "category": np.array([category[w] for w in words[:T]], dtype=object).astype(str),
        "lexical_class": np.array([lexical_class[w] for w in words[:T]], dtype=object).astype(str),
        "prev_word": np.array(["", *words[:-1]], dtype=object)[:T].astype(str),
    }


@pytest.mark.parametrize(
    "options", [{}, {"wrap": False}, {"replace": {"man": "zog"}}, {"n_sentences": 1}, {"lexicon": "printed"}]
)
def test_encode_makes_the_string_descriptors_it_made_word_by_word(options):
    task = LexicalSentences(**{"n_sentences": 40, **options})
    for seed in range(3):
        sentences = task.sentences(seed)
        descriptors = task.encode(sentences).descriptors
        for key, expected in _descriptors_as_before(task, sentences).items():
            assert descriptors[key][:, 0].dtype == expected.dtype, key  # as wide as the longest string present
            np.testing.assert_array_equal(descriptors[key][:, 0], expected)
    one_word = LexicalSentences(n_sentences=1, wrap=False).encode([["man", "sleep"]]).descriptors
    assert one_word["prev_word"][:, 0].tolist() == [""] and one_word["prev_word"].dtype == np.dtype("<U1")


def _long_stream(n_replicas: int, n_steps: int, batch: int, seed: int = 0) -> np.ndarray:
    codes = np.random.default_rng(seed).integers(29, size=(n_replicas, n_steps, batch))
    return np.eye(31, dtype=np.float32)[codes]


@pytest.mark.parametrize(("batch", "dtype"), [(1, "float32"), (2, "float32"), (2, "float64")])
def test_compiled_elman_pass_records_the_models_own_numbers(batch, dtype, monkeypatch):
    import torch

    from cogrnn.analysis import _elman_pass

    net = ElmanSRN(31, 24, 31, n_replicas=3, random_state=1, dtype=getattr(torch, dtype))
    x = _long_stream(3, 7000, batch).astype(dtype)
    calls = []
    real = _elman_pass.ElmanPass.__call__
    monkeypatch.setattr(_elman_pass.ElmanPass, "__call__", lambda *a: calls.append(1) or real(*a))
    fast = evaluate(net, x, chunk_size=3000)
    assert len(calls) == 1 + 3  # the check, then three chunks
    monkeypatch.setattr(_elman_pass.ElmanPass, "applies", staticmethod(lambda model, inputs: False))
    slow = evaluate(net, x, chunk_size=3000)  # the model's own forward
    for name in ("states", "outputs"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))


def test_compiled_elman_pass_runs_only_where_it_reproduces_the_model(monkeypatch):
    import torch

    from cogrnn.analysis import _elman_pass
    from cogrnn.models import JordanNetwork

    x = torch.from_numpy(_long_stream(3, 7000, 1))
    applies = _elman_pass.ElmanPass.applies
    net = ElmanSRN(31, 8, 31, n_replicas=3, random_state=0)
    assert not applies(net, x)  # gradients enabled (evaluate runs without)
    with torch.no_grad():
        assert applies(net, x)
        assert not applies(net, x[:, :100])  # short: not worth compiling and checking
        assert not applies(ElmanSRN(31, 8, 31, n_replicas=1, random_state=0), x[:1])
        assert not applies(ElmanSRN(31, 8, 31, n_replicas=3, nonlinearity="tanh", random_state=0), x)
        assert not applies(ElmanSRN(31, 8, 31, n_replicas=3, num_layers=2, random_state=0), x)
        assert not applies(JordanNetwork(31, 8, 31, n_replicas=3, random_state=0), x)
        assert _elman_pass.ElmanPass(net).matches(net, x, net.init_state(1))
    # a pass that differs from the model in its first steps is not used: the model's forward runs
    calls = []
    real = _elman_pass.ElmanPass.__call__

    def off_by_one_ulp(self, inputs, state):
        calls.append(inputs.shape[1])
        out = real(self, inputs, state)
        return out._replace(outputs=torch.nextafter(out.outputs, torch.ones_like(out.outputs)))

    monkeypatch.setattr(_elman_pass.ElmanPass, "__call__", off_by_one_ulp)
    rec = evaluate(net, x)
    assert calls == [_elman_pass.CHECK_STEPS]  # the check only
    with torch.no_grad():
        np.testing.assert_array_equal(rec.outputs, net(x).outputs.reshape(-1, 31).numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compiled_group_sums_add_the_rows_in_order_as_bincount(dtype):
    import numba  # noqa: F401  (loaded: the compiled sums run)

    from cogrnn.analysis import Recording
    from cogrnn.analysis.recording import _COMPILED_SUMS, _group_sums

    rng = np.random.default_rng(0)
    values = rng.standard_normal((_COMPILED_SUMS // 40 + 7, 80)).astype(dtype)[:, ::2]  # a strided view, like a pass's
    values[3] = -0.0
    codes = rng.integers(29, size=values.shape[0])
    expected = np.stack([np.bincount(codes, weights=values[:, j], minlength=30) for j in range(values.shape[1])], 1)
    np.testing.assert_array_equal(_group_sums(codes, values, 30), expected)  # group 29 empty: zeros
    assert values.size >= _COMPILED_SUMS
    words = np.array([f"w{c}" for c in codes])
    means = Recording(values, {"word": words}).mean_by("word")
    order = np.argsort([f"w{c}" for c in range(29)], kind="stable")
    np.testing.assert_array_equal(means.states, (expected[:29] / np.bincount(codes)[:, None])[order])


def test_adjusted_rand_is_scikit_learns_to_the_bit():
    from sklearn.metrics import adjusted_rand_score

    from cogrnn.analysis.clustering import _adjusted_rand

    rng = np.random.default_rng(0)
    for trial in range(400):
        n = int(rng.integers(1, 300))
        a, b = rng.integers(int(rng.integers(1, 6)), size=n), rng.integers(int(rng.integers(1, 6)), size=n)
        if trial % 3 == 0:
            a = np.array(["noun", "verb"])[a % 2]
        if trial % 5 == 0:
            b = a.copy()
        expected = adjusted_rand_score(a, b)
        assert _adjusted_rand(a, b) == expected and type(_adjusted_rand(a, b)) is type(expected)
    assert _adjusted_rand(np.array([], dtype=int), np.array([], dtype=int)) == adjusted_rand_score([], [])
    with_missing = np.array(["a", None, "b", "a"], dtype=object)  # scikit-learn's own handling: it cannot sort them
    with pytest.raises(TypeError):
        adjusted_rand_score(with_missing, [0, 1, 1, 0])
    with pytest.raises(TypeError):
        _adjusted_rand(with_missing, [0, 1, 1, 0])
