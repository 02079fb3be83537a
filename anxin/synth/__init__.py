"""The synthetic province: realistic feeds with planted problems and their ground truth.

Plain Python (numpy + pyarrow), no Django: ``generate(...)`` writes a batch folder that
``anxin ingest`` loads unchanged, and the truth beside it (see docs/synth.md).
"""

from anxin.synth.generator import SCALES, Summary, generate

__all__ = ["SCALES", "Summary", "generate"]
