"""An example cogrnn plugin (a fixture of tests/test_plugins.py): one model, one task, one replication.

``register`` is the entry point of the group ``cogrnn.plugins`` (see pyproject.toml); it
registers by ``"module:attribute"``, so nothing heavy is imported until an item is used.
"""

from __future__ import annotations

from cogrnn.registry import MODELS, REPLICATIONS, TASKS

REFERENCE = "Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179-211."


def register() -> None:
    """Register the plugin's model, task and replication."""
    MODELS.register(
        "example-srn-v1",
        "cogrnn_example_plugin.items:ExampleSRN",
        "An Elman SRN with tanh hidden units and a linear readout (example plugin).",
        REFERENCE,
    )
    TASKS.register(
        "example-echo-v1",
        "cogrnn_example_plugin.items:EchoTask",
        "Random bits; predict the bit shown one step earlier (example plugin).",
        REFERENCE,
    )
    REPLICATIONS.register(
        "example-echo-memory-v1",
        "cogrnn_example_plugin.items:REPLICATION",
        "Example plugin: an SRN's context holds the previous bit, so it echoes it.",
        REFERENCE,
    )
