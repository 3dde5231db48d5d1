"""The synthetic enterprise: a landing zone of seven systems' extracts and the truth behind it.

    from customer_truth.generate import generate_world, NoiseRates
    generate_world(persons=1000, seed=42, out=Path("world"), days=7)

writes `world/landing/` (SOURCES.md layouts) and `world/truth/` (see README.md in this folder).
"""

from customer_truth.generate.rates import KINDS, NoiseRates
from customer_truth.generate.world import GenerationSummary, generate_world

__all__ = ["KINDS", "GenerationSummary", "NoiseRates", "generate_world"]
