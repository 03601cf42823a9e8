"""Issue 14, item 7: every registered model, task and replication passes the common checks.

The entries come from the registry (plugins included), never from a list written here. The
quick runs of all replications take minutes, so only elman-xor's runs in ``make test``; the
others are marked slow. The last tests show that the checks can fail: each breaks one part
of the contract and expects the check to say which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import torch

from cogrnn import registry
from cogrnn.checks import CheckFailure, check_entry, check_model, check_replication_run, check_task, registry_entries
from cogrnn.models import ElmanSRN
from cogrnn.registry import MODELS, REPLICATIONS, TASKS, get_replication
from cogrnn.replication import run_replication
from cogrnn.tasks import TemporalXOR

FAST_REPLICATION = "elman-xor-v1"


def _replication_params() -> list[object]:
    return [
        pytest.param(id, marks=() if id == FAST_REPLICATION else pytest.mark.slow, id=id)
        for _, id in registry_entries(("replication",))
    ]


@pytest.mark.parametrize(("kind", "id"), registry_entries(("model", "task")))
def test_every_model_and_task_passes_the_common_checks(kind, id):
    check_entry(kind, id)


@pytest.mark.parametrize("id", _replication_params())
def test_every_replication_passes_the_common_checks(id, tmp_path):
    check_entry("replication", id, tmp_path)


def test_the_entries_come_from_the_registry():
    ids = registry_entries()
    assert ("model", "hopfield-v1") in ids and ("task", "first-bit-recall-v1") in ids
    assert [id for kind, id in ids if kind == "replication"] == [e.id for e in REPLICATIONS.entries()]
    assert FAST_REPLICATION in [id for _, id in ids]


# -- the checks can fail ---------------------------------------------------------------------------


@pytest.fixture
def scratch_registry():
    """Entries registered in a test are removed afterwards."""
    registry.load_plugins()
    saved = [(reg, dict(reg._entries)) for reg in (MODELS, TASKS, REPLICATIONS)]
    yield
    for reg, entries in saved:
        reg._entries = entries


class _SharedSeed(ElmanSRN):
    """Every replica draws from the first replica's seed: the ensemble is not R separate networks."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        seeds = self.replica_seeds
        self.replica_seeds = [seeds[0]] * self.n_replicas
        for name in [n for n, _ in self.named_parameters()]:
            delattr(self, name)
        self._build_parameters()
        self.replica_seeds = seeds


class _FreshWeights(ElmanSRN):
    """Ignores random_state: new weights every time."""

    def __init__(self, *args, random_state=None, **kw):
        super().__init__(*args, random_state=None if kw.get("replica_seeds") else torch.seed() % 2**62, **kw)


class _LeakyState(ElmanSRN):
    """Returns a final state shaped unlike ``init_state``."""

    def forward(self, inputs, state=None):
        out = super().forward(inputs, state)
        return out._replace(state=tuple(s[..., :1] for s in out.state))


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (_SharedSeed, "is not its own seed's"),
        (_FreshWeights, "random_state=0 twice gives two networks"),
        (_LeakyState, "the final state has shapes"),
    ],
)
def test_check_model_finds_a_broken_model(scratch_registry, cls, message):
    MODELS.register("broken-srn-v1", cls, "a broken SRN", "none")
    with pytest.raises(CheckFailure, match=message):
        check_model("broken-srn")


class _Unseeded(TemporalXOR):
    def generate(self, random_state=None, n_streams=1):
        return super().generate(None, n_streams)


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (_Unseeded, r"generate\(random_state=0, n_streams=1\) twice gives two batches"),
        (type("_NoReference", (TemporalXOR,), {"reference": None}), "carries no Reference"),
    ],
)
def test_check_task_finds_a_broken_task(scratch_registry, cls, message):
    TASKS.register("broken-task-v1", cls, "a broken task", "none")
    with pytest.raises(CheckFailure, match=message):
        check_task("broken-task")


def test_a_registered_text_that_differs_from_the_replication_fails(scratch_registry, tmp_path):
    REPLICATIONS._entries.pop(("elman-xor", 1))
    target = "cogrnn.replications.elman_xor:REPLICATION"
    REPLICATIONS.register("elman-xor-v1", target, "another description", REPLICATIONS.get("elman-letters").reference)
    with pytest.raises(CheckFailure, match="the registered description is not the replication's"):
        check_entry("replication", "elman-xor", tmp_path)


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    rep = get_replication("elman-xor")
    run_replication(rep, n_seeds=2, quick=True, out=out, quiet=True, overrides={"epochs": 2, "test_triples": 10})
    return out / "elman-xor"


@dataclass
class _Damage:
    file: str
    change: object
    message: str


def _claims_without_n_seeds(doc):
    del doc["claims"][0]["n_seeds"]


def _claims_string_passed(doc):
    doc["claims"][0]["passed"] = "yes"


def _provenance_other_seeds(doc):
    doc["n_seeds"] = 3


@pytest.mark.parametrize(
    "damage",
    [
        _Damage("claims.json", _claims_without_n_seeds, "a claim has keys"),
        _Damage("claims.json", _claims_string_passed, "passed is 'yes', not bool"),
        _Damage("provenance.json", _provenance_other_seeds, "provenance records other seeds"),
        _Damage("figure.pdf", None, "wrote no figure.pdf"),
    ],
    ids=["claim-keys", "claim-types", "provenance-seeds", "missing-figure"],
)
def test_check_replication_run_finds_damaged_files(xor_run, tmp_path, damage):
    import shutil

    folder = tmp_path / "elman-xor"
    shutil.copytree(xor_run, folder)
    if damage.change is None:
        (folder / damage.file).unlink()
    else:
        doc = json.loads((folder / damage.file).read_text())
        damage.change(doc)
        (folder / damage.file).write_text(json.dumps(doc))
    with pytest.raises(CheckFailure, match=damage.message):
        check_replication_run("elman-xor", folder, n_seeds=2)


def test_check_replication_run_passes_an_intact_run_and_finds_a_changed_file(xor_run, tmp_path):
    import shutil

    folder = tmp_path / "elman-xor"
    shutil.copytree(xor_run, folder)
    check_replication_run("elman-xor", folder, n_seeds=2, mode="quick")
    with pytest.raises(CheckFailure, match="provenance records mode 'quick', not 'full'"):
        check_replication_run("elman-xor", folder, mode="full")
    (folder / "figure.png").write_bytes(b"not a figure")
    with pytest.raises(CheckFailure, match=r"the sha256 of figure\.png is not the one in provenance\.json"):
        check_replication_run("elman-xor", folder)
