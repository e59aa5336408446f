"""seedgate for Python training programs: the protocol, seeding and determinism.

A program run by ``seedgate run`` reads its seed and mode from the
environment, seeds every generator, applies the determinism switches and
reports metrics, digests and predictions as protocol records::

    import seedgate

    applied = seedgate.configure()          # mode, threads, seeds, env record
    with seedgate.guard():                  # a nondeterministic op -> its event
        model = train(...)
        seedgate.log(accuracy=accuracy)
        seedgate.artifact("weights", model)  # digest(model)
        seedgate.write_predictions(probabilities, labels)

Run by hand (no SEEDGATE_* variables), it trains seed 0 in deterministic
mode on the CPU and prints its records. Only the standard library is
required; numpy, torch, scikit-learn and XGBoost are used where installed.
"""
from ._protocol import (
    SOURCES,
    ConfigurationError,
    Settings,
    Writer,
    event,
    importance,
    json_number,
    json_string,
    log,
    settings,
    settings_from_environment,
)

__version__ = "0.1.0"

from ._determinism import (  # noqa: E402
    Applied,
    Seeded,
    SeedgateWarning,
    configure,
    dataloader_generator,
    device,
    numpy_generator,
    random_state,
    seed,
    seed_dropout,
    worker_init_fn,
)
from ._digest import artifact, digest  # noqa: E402
from ._env import available, env  # noqa: E402
from ._guard import guard, nondeterministic_op  # noqa: E402
from ._predictions import write_classes, write_predictions, write_probabilities, write_values  # noqa: E402

__all__ = [
    "SOURCES", "Applied", "ConfigurationError", "Seeded", "SeedgateWarning", "Settings", "Writer", "__version__",
    "artifact", "available", "configure", "dataloader_generator", "device", "digest", "env", "event", "guard",
    "importance", "json_number", "json_string", "log", "nondeterministic_op", "numpy_generator", "random_state",
    "seed", "seed_dropout", "settings", "settings_from_environment", "worker_init_fn", "write_classes",
    "write_predictions", "write_probabilities", "write_values",
]
