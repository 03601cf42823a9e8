"""The built-in models and tasks are registered lazily, by "module:class", and resolve to the exported classes."""

from __future__ import annotations

import pytest

import cogrnn
from cogrnn import registry


@pytest.mark.parametrize("reg, builtins, package", [
    (registry.MODELS, registry._BUILTIN_MODELS, "models"),
    (registry.TASKS, registry._BUILTIN_TASKS, "tasks"),
])  # fmt: skip
def test_builtin_targets_are_the_exported_classes(reg, builtins, package):
    exported = [getattr(getattr(cogrnn, package), name) for name in getattr(cogrnn, package).__all__]
    for id, target, description, reference in builtins:
        entry = reg.get(id)
        assert entry.target == target and entry.provider == "cogrnn" and entry.description == description
        cls = entry.factory
        assert any(cls is x for x in exported) and f"{cls.__module__}:{cls.__qualname__}" == target
        if package == "tasks":  # the listing repeats the class's own citation
            assert reference == cls.reference.cite()
    assert [e.id for e in reg.entries() if e.provider == "cogrnn"] == [b[0] for b in builtins]


def test_every_exported_model_and_task_class_is_registered():
    registered = {e.factory for reg in (registry.MODELS, registry.TASKS) for e in reg.entries()}
    from cogrnn.models import ElmanSRN, GRUNetwork, HopfieldNetwork, JordanNetwork, LSTMNetwork, ModernHopfield
    from cogrnn.tasks import Task

    assert {ElmanSRN, JordanNetwork, LSTMNetwork, GRUNetwork, HopfieldNetwork, ModernHopfield} <= registered
    tasks = [getattr(cogrnn.tasks, n) for n in cogrnn.tasks.__all__]
    concrete = {t for t in tasks if isinstance(t, type) and issubclass(t, Task) and t is not Task}
    assert concrete - registered <= {cogrnn.tasks.NeurogymTask}  # an adapter of neurogym's environments
