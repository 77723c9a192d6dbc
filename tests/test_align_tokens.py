"""BERTScore over MiniLM token vectors, copy inheritance and the mutual-best rule."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from pipeline.align.embed import embed_with_tokens, minilm_model_path
from pipeline.align.segment import segment_claims
from pipeline.align.select import inherit_through_copies, select_pairs
from pipeline.align.stage import align_claims
from pipeline.align.tokens import TokenStore, fit_projection, idf_weights, pair_bertscore
from pipeline.settings import AlignSettings


def _store(vectors: list[list[list[float]]], ids: list[list[int]]) -> TokenStore:
    flat = np.array([v for sentence in vectors for v in sentence], dtype=np.float32)
    flat /= np.linalg.norm(flat, axis=1, keepdims=True)
    offsets = np.cumsum([0] + [len(s) for s in vectors]).astype(np.int64)
    return TokenStore(flat.astype(np.float16), offsets, np.concatenate(ids).astype(np.int64))


def test_idf_weights_give_a_piece_in_every_sentence_less_weight():
    store = _store([[[1, 0], [0, 1]], [[1, 0], [1, 1]], [[1, 0]]], [[7, 8], [7, 9], [7]])
    weights = idf_weights(store)
    assert weights[0] < weights[1]  # piece 7 is in all three sentences, piece 8 in one
    assert np.allclose(weights[[0, 2, 4]], weights[0])


def test_bertscore_is_one_for_the_same_tokens_and_lower_for_others():
    store = _store(
        [[[1, 0, 0], [0, 1, 0]], [[0, 1, 0], [1, 0, 0]], [[0, 0, 1]], [[1, 0, 0]]],
        [[1, 2], [2, 1], [3], [1]],
    )
    scores = pair_bertscore(store, np.array([0, 0, 0]), np.array([1, 2, 3]))
    assert scores[0] == pytest.approx(1.0, abs=1e-3)  # word order does not matter
    assert scores[1] == pytest.approx(0.0, abs=1e-3)  # nothing in common
    assert 0.0 < scores[2] < 1.0  # one of two pieces matched


def test_projection_keeps_the_main_axes_only_when_asked():
    rng = np.random.default_rng(0)
    sample = rng.normal(size=(500, 16)).astype(np.float32)
    assert fit_projection(sample, 0) is None
    mean, basis = fit_projection(sample, 4)
    assert basis.shape == (16, 4) and mean.shape == (16,)


def test_a_configured_model_gets_a_token_basis_fitted_to_its_own_vectors():
    # the shipped basis belongs to the packaged MiniLM; another model's token space (of
    # another size, say 768) must not be projected on it. A folder given as the model
    # takes the fitted path, whatever it holds.
    folder = str(minilm_model_path())  # MiniLM is a dependency: missing is a failure
    texts = [
        f"Immunotherapy sentence number {n} about {w} and side effects."
        for n, w in enumerate(["fatigue", "rash", "fever", "cough", "nausea", "diarrhoea"] * 30)
    ]
    vectors, method, store = embed_with_tokens(texts, model=folder, token_dims=128)
    assert method == "minilm" and vectors.shape == (len(texts), 384)
    assert store.vectors.shape[1] == 128
    assert np.allclose(np.linalg.norm(store.vectors.astype(np.float32), axis=1), 1, atol=1e-2)


@pytest.fixture(scope="module")
def minilm_tokens():
    texts = [
        "Chemotherapy is sometimes called chemo.",
        "Chemo is a short name for chemotherapy.",
        "Chemotherapy can make your hair fall out.",
        "Radiation therapy uses high-energy beams to shrink tumours.",
    ]
    vectors, method, store = embed_with_tokens(texts, token_dims=0)
    assert method == "minilm"
    return vectors, store


def test_bertscore_ranks_a_paraphrase_above_a_same_topic_sentence(minilm_tokens):
    _, store = minilm_tokens
    scores = pair_bertscore(store, np.array([0, 0, 0]), np.array([1, 2, 3]))
    assert scores[0] > scores[1] > scores[2]


def _table(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    a, b, score = zip(*rows, strict=True)
    values = ("score", "cosine", "margin", "similarity", "lexical")
    return pd.DataFrame({"a": a, "b": b, **{name: score for name in values}})


def test_a_copy_sentence_takes_its_original_sentences_alignments():
    docs = np.array(["orig", "orig", "copy", "copy", "other", "other"])
    # rows: orig0~copy2 (copy link), orig0~other4, copy2~other5 (direct, noisy)
    kept = _table([(0, 2, 0.9), (0, 4, 0.7), (2, 5, 0.6)])
    out = inherit_through_copies(kept, docs, {"copy": "orig"})
    pairs = {frozenset((int(a), int(b))) for a, b in zip(out["a"], out["b"], strict=True)}
    assert pairs == {frozenset((0, 2)), frozenset((0, 4)), frozenset((2, 4))}
    inherited = out[(out["a"] == 2) & (out["b"] == 4)].iloc[0]
    assert inherited["score"] == pytest.approx(0.7)


def test_a_mutual_best_pair_needs_only_the_mutual_score():
    claims = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b"],
            "sentence_id": ["a#s000", "a#s001", "b#s000", "b#s001"],
            "list_id": ["", "", "", ""],
        }
    )
    # 0~2 is the best of both its sentences; 1~2 is the best of sentence 1 only.
    table = _table([(0, 2, 0.57), (1, 2, 0.57 - 0.01), (1, 3, 0.3)])
    settings = dataclasses.replace(AlignSettings(), min_score=0.6, mutual_score=0.55)
    out = select_pairs(claims, table, {}, {}, "test", settings)
    assert list(zip(out["sentence_a"], out["sentence_b"], strict=True)) == [("a#s000", "b#s000")]


def _doc(doc_id: str, text: str, derived_from: str | None = None) -> dict:
    return {
        "doc_id": doc_id,
        "text": text,
        "group_id": derived_from or doc_id,
        "derived_from": derived_from,
        "relation": "spun_copy" if derived_from else "original",
    }


def test_a_spun_copy_aligns_with_third_pages_through_its_original():
    docs = pd.DataFrame(
        [
            _doc(
                "a_nhs",
                "Chemotherapy is a treatment that uses medicine to kill cancer cells.\n\n"
                "It is usually given in cycles with rest periods in between.\n\n"
                "Hair loss is a common side effect of many chemotherapy drugs.",
            ),
            _doc(
                "b_spun",
                "Chemotherapy is a remedy that utilizes medication to eliminate most cancers cells."
                "\n\nIt is generally presented in cycles with rest intervals in among.\n\n"
                "Hair reduction is a prevalent aspect influence of many chemotherapy medicines.",
                derived_from="a_nhs",
            ),
            _doc(
                "c_clinic",
                "Chemo uses strong drugs to destroy cancer cells in your body.\n\n"
                "Many people lose some or all of their hair during chemo.\n\n"
                "Your care team will check your blood counts before each session.",
            ),
        ]
    )
    # low cuts: this is about what a copy inherits, not about how high paraphrases score
    settings = dataclasses.replace(AlignSettings(), min_score=0.05, mutual_score=0.05)
    sentences = segment_claims(docs, settings)
    alignments = align_claims(sentences, docs, settings)
    pairs = set(zip(alignments["doc_a"].str[:1], alignments["doc_b"].str[:1], strict=True))
    assert ("a", "b") in pairs and ("a", "c") in pairs
    copy_rows = alignments[(alignments["doc_a"] == "b_spun") & (alignments["doc_b"] == "c_clinic")]
    orig_rows = alignments[(alignments["doc_a"] == "a_nhs") & (alignments["doc_b"] == "c_clinic")]
    assert len(copy_rows) == len(orig_rows)  # every copy pair with c is its original's pair
    assert sorted(copy_rows["score"]) == sorted(orig_rows["score"])


def test_a_documents_vectors_do_not_depend_on_the_rest_of_the_corpus():
    first = ["Chemotherapy is sometimes called chemo.", "Chemo can make you tired."]
    other = ["Radiation therapy uses high-energy beams to shrink tumours."] * 3
    alone, method, _ = embed_with_tokens(first, groups=[2])
    assert method == "minilm"
    together, _, _ = embed_with_tokens(other + first, groups=[3, 2])
    assert np.array_equal(alone, together[3:])


def test_pair_tokens_remove_what_the_pair_shares_and_count_idf_over_it():
    from pipeline.align.tokens import doc_tokens, pair_tokens

    shared = np.array([5.0, 5.0, 0.0], dtype=np.float32)
    rows = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], np.float32) + shared
    # three documents of one sentence each; piece 7 is in the first two
    store = TokenStore(rows.astype(np.float16), np.array([0, 2, 3, 4]), np.array([7, 8, 7, 9]))
    raw = rows[:3]
    raw_cos = raw @ raw.T / np.outer(np.linalg.norm(raw, axis=1), np.linalg.norm(raw, axis=1))
    pair = pair_tokens(doc_tokens(store, 0, 1), doc_tokens(store, 1, 2))  # the third is out
    out = pair.vectors.astype(np.float32)
    assert len(out) == 3 and list(pair.offsets) == [0, 2, 3] and list(pair.ids) == [7, 8, 7]
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-3)
    assert (out @ out.T)[0, 1] < raw_cos[0, 1] - 0.5  # alike only through the shared part
    # piece 7 is in both sentences of the pair, piece 8 in one: 8 weighs more
    assert pair.weights[1] > pair.weights[0] == pair.weights[2]
    assert np.allclose(pair.weights, idf_weights(pair))  # the same IDF as over the pair alone


def test_a_partner_without_word_pieces_scores_zero():
    vectors = np.array([[1, 0], [0, 1]], np.float16)
    store = TokenStore(vectors, np.array([0, 2, 2]), np.array([5, 6]))  # sentence 1: no pieces
    assert pair_bertscore(store, np.array([0]), np.array([1])).tolist() == [0.0]
