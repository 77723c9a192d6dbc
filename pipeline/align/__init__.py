"""Align: documents -> claim sentences and the pairs that may state the same fact."""

from pipeline.align.segment import segment_claims
from pipeline.align.stage import align_claims

__all__ = ["align_claims", "segment_claims"]
