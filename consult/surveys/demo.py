"""Demo: the built-in instruments in the shared library, published."""

from __future__ import annotations

from consult.demo import demo_step
from consult.surveys import services


@demo_step("surveys")
def seed_surveys() -> None:
    """Load the built-in library and publish the versions it loaded (idempotent)."""
    for load in services.load_library():
        if not load.version.is_published:
            services.publish(load.version)
