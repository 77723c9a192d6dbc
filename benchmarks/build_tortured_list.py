"""Build pipeline/data/tortured_phrases.tsv from the PPS lists in ../shared/benchmarks/spin.

Filtering (as that folder's README asks, plus one data check):
1. fingerprints are the CSV's first quoted phrase (its AND/NOT/~N parts are context
   conditions, not tortured phrases); JSON entries are added only when they are not a
   CSV context term;
2. entries whose tortured text contains, or is contained in, the correct text are dropped
   (e.g. "neural network" -> "neural network"), as are one-word entries;
3. entries that fire in real, unspun web text are dropped: the gold main texts of
   ../shared/benchmarks (extraction + wcxb-dev) with an even hash of their id are
   scanned; any phrase found there is ordinary English. The odd half is kept aside so
   the false-positive rate can be reported on text the filter never saw.

Run: .venv/bin/python benchmarks/build_tortured_list.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus_gen import load_gold_texts
from pipeline.dedup.lexicon import count_hits, phrase_words

HEADER = """# Tortured phrases (filtered) from the Problematic Paper Screener (PPS)
# by Guillaume Cabanac, Cyril Labbe and Alexander Magazinov (arXiv:2107.06751),
# data licensed CC BY 4.0; taken from github.com/giladfeldman/torturedcheck
# (src/data/tortured-phrases.json, MIT) and github.com/hahuyhoang411/tortured-phrase
# (data/tortured.csv, MIT), filtered by benchmarks/build_tortured_list.py.
# Columns: tortured phrase <TAB> established phrase it replaced.
"""


def _clean_correct(text: str) -> str:
    text = re.sub(r"\(.*?\)|\[.*?\]|\?+", " ", text)
    return " ".join(text.lower().split())


def read_entries(spin_dir: Path) -> dict[str, str]:
    """tortured -> correct, after steps 1 and 2 of the module docstring."""
    entries: dict[str, str] = {}
    context_terms: set[str] = set()
    with open(spin_dir / "pps_tortured_phrases_with_counts.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            quoted = re.findall(r'"([^"]+)"', row["tortured_phrase"])
            if not quoted:
                continue
            context_terms.update(q.lower() for q in quoted[1:])
            entries.setdefault(quoted[0].lower().strip(), _clean_correct(row["expected_phrase"]))
    data = json.loads((spin_dir / "pps_tortured_phrases.json").read_text(encoding="utf-8"))
    for item in data["phrases"]:
        tortured = item["tortured"].lower().strip()
        if tortured not in context_terms:
            entries.setdefault(tortured, _clean_correct(item["correct"]))
    kept = {}
    for tortured, correct in entries.items():
        t, c = " ".join(phrase_words(tortured)), " ".join(phrase_words(correct))
        if len(t.split()) < 2 or not c or t in c or c in t:
            continue
        kept[t] = c
    return kept


def main() -> None:
    """Write the filtered list and print how often it fires on held-out clean text."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared"
    )
    args = parser.parse_args()
    entries = read_entries(args.shared / "benchmarks" / "spin")
    gold = load_gold_texts(args.shared / "benchmarks")
    tune = [text for key, text in gold if int(key[-1], 16) % 2 == 0]
    held = [text for key, text in gold if int(key[-1], 16) % 2 == 1]
    lexicon = {tuple(t.split()): c for t, c in entries.items()}
    fired: set[tuple[str, ...]] = set()
    for text in tune:
        fired.update(count_hits(text, lexicon))
    final = {k: v for k, v in lexicon.items() if k not in fired}
    out = Path(__file__).resolve().parents[1] / "pipeline" / "data" / "tortured_phrases.tsv"
    lines = [f"{' '.join(k)}\t{v}" for k, v in sorted(final.items())]
    out.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    hits = [len(count_hits(text, final)) for text in held]
    print(
        f"entries after steps 1-2: {len(lexicon)}; fired on tuning half: {len(fired)}; "
        f"written: {len(final)}"
    )
    for least in (1, 2, 3):
        flagged = sum(1 for h in hits if h >= least)
        print(f"held-out clean texts with >= {least} distinct phrases: {flagged}/{len(held)}")


if __name__ == "__main__":
    main()
