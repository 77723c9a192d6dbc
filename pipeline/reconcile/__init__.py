"""Reconcile: sentences and alignments -> claims with citations, conflicts and corpus.md."""

from pipeline.reconcile.corpus_md import render_corpus_md
from pipeline.reconcile.sources import title_without_site
from pipeline.reconcile.stage import reconcile_claims

__all__ = ["reconcile_claims", "render_corpus_md", "title_without_site"]
