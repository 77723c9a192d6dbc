"""Corpora with planted copies, for the dedup benchmark (and later the 10k/100k HTML ones).

Sources: the gold main texts under ../shared/benchmarks (extraction/ground-truth.json
``articleBody``, wcxb-dev/ground-truth.jsonl ``main_content``), kept when they have at
least 50 words and share under 20% of their word 8-grams with a text kept before them
(the pool must not hold copies of its own).

A corpus of N documents holds:
- originals: gold texts first, then synthetic texts (below) once the gold runs out;
- one planted copy per original, for about 35% (N <= 5000) or 20% of N:
  exact (other whitespace, case and Unicode form), near (1-10% of words edited, other
  site chrome, re-flowed paragraphs), spun (15%, 30% or 50% of content words swapped by
  the spinner below), partial (40-100% of the original's paragraphs inside a page of
  its own text);
- unrelated documents: the remaining gold texts, then synthetic ones.

Synthetic texts ("unrelated documents on shared topics"): each picks a gold text and the
3 gold texts sharing most of its top keywords, and draws sentences from a first-order
(word bigram) Markov chain trained on those 4 texts: same topic and vocabulary, no
copied passages. Lengths are 150-700 words.

The spinner's word table lives only here (hand-written generic synonym sets plus
morphological garbling for words it has no entry for); the detector never sees it.
Metadata carries no hint: every document has trust 1 and no dates, doc ids are random.
Everything is drawn from ``random.Random(seed)``: same seed, same corpus.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SYNONYM_SETS = [
    s.split(",")
    for s in """help,assist,aid,support|use,utilize,employ,make use of|uses,utilizes,employs
make,build,create,produce|made,built,created,produced|doctor,physician,medical doctor
doctors,physicians,health professionals|cancer,most cancers,malignancy
treatment,remedy,therapy|treatments,remedies,therapies|fight,battle,combat
system,process,method|type,kind,sort|types,kinds,sorts|living,dwelling,residing
begin,start,commence|stop,halt,cease|spread,unfold,disperse
surrounding,bordering,encompassing|reason,motive,cause|keep,retain,preserve
hide,conceal,cover|easier,less complicated,simpler|find,locate,come across
destroy,demolish,ruin|attack,assault,strike|specific,particular,distinct
less,fewer,significantly less|harm,hurt,damage|normal,ordinary,regular|work,function,operate
works,functions,operates|better,superior,improved|often,frequently,usually
important,crucial,vital|big,large,huge|small,little,tiny|fast,quick,rapid
show,display,exhibit|shows,displays,exhibits|get,obtain,acquire|give,provide,offer
need,require,want|needs,requires,wants|problem,issue,difficulty|problems,issues,difficulties
result,outcome,consequence|results,outcomes,consequences|change,alter,modify
changes,alterations,modifications|study,research,examine|people,individuals,persons
person,individual,human being|child,kid,youngster|children,kids,youngsters
good,excellent,fine|bad,poor,terrible|high,elevated,substantial|low,reduced,minimal
increase,boost,raise|decrease,reduce,lower|risk,danger,hazard|risks,dangers,hazards
disease,illness,ailment|symptoms,signs,indicators|pain,ache,discomfort|body,physique,frame
blood,bloodstream,blood stream|heart,coronary heart,cardiac organ|data,information,details
information,data,facts|company,business,firm|companies,businesses,firms
customer,client,buyer|customers,clients,buyers|product,item,merchandise|products,items,goods
price,cost,value|buy,purchase,acquire|sell,market,vend|market,marketplace,industry
money,cash,funds|time,period,moment|year,12 months,calendar year|years,many years,decades
day,working day,24 hours|week,7 days,seven days|month,thirty day period,4 weeks
home,household,residence|house,home,dwelling|car,automobile,vehicle|city,town,metropolis
country,nation,state|world,globe,planet|game,match,sport|team,group,squad
player,participant,gamer|players,participants,gamers|music,tunes,songs
book,guide,publication|story,tale,narrative|film,movie,motion picture|water,h2o,liquid
food,meals,foodstuff|eat,consume,devour|drink,beverage,consume|feel,sense,experience
think,believe,consider|know,realize,recognize|say,state,declare|said,stated,explained
ask,inquire,question|answer,reply,response|idea,concept,notion|way,method,approach
part,portion,component|place,location,spot|area,region,spot|level,stage,degree
number,variety,amount|group,team,cluster|community,neighborhood,local community
government,authorities,administration|school,university,faculty|student,pupil,scholar
students,pupils,scholars|teacher,instructor,educator|job,work,occupation
worker,employee,staff member|friend,pal,buddy|family,household,relatives
life,existence,lifestyle|health,well being,wellness|healthy,wholesome,nutritious
care,treatment,attention|skin,pores and skin,epidermis|drug,medication,medicine
drugs,medications,medicines|trial,demo,test|trials,demos,tests|cell,mobile,cellular
cells,cell material,mobiles|immune,immunological,protective|effect,impact,influence
effects,impacts,influences|common,widespread,typical|rare,uncommon,unusual
severe,serious,critical|mild,moderate,delicate|early,premature,initial|late,delayed,overdue
new,novel,fresh|old,aged,ancient|large,substantial,sizeable|simple,easy,straightforward
difficult,hard,challenging|possible,feasible,achievable|different,various,distinctive
similar,comparable,alike|available,accessible,obtainable|able,capable,in a position
likely,probable,possible|clear,obvious,apparent|quickly,rapidly,swiftly
slowly,gradually,leisurely|directly,straight,right|usually,generally,normally
well,nicely,properly|also,additionally,furthermore|however,nonetheless,even so
because,since,as|about,around,roughly|software,program,application|computer,pc,laptop
website,web site,internet site|online,on the web,on-line|page,webpage,web page
user,consumer,person|users,consumers,people|service,provider,support
services,solutions,offerings|design,layout,style|feature,function,characteristic
features,functions,characteristics|tool,instrument,device|tools,instruments,devices
develop,build,create|improve,enhance,boost|provide,supply,deliver|include,contain,consist of
includes,contains,features|allow,permit,enable|allows,permits,enables|choose,select,pick
support,assist,back""".replace("\n", "|").split("|")
]
_SPINNER_FUNCTION_WORDS_TEXT = """
    a an the and or but if of to in on at by for with from as is are was were be been being
    it its this that these those he she they we you i his her their our your my me him them
    us not no do does did have has had will would can could may might must shall should so
    than then there here which who whom whose what when where why how all any each some
    such very just also into out up down over under about after before
"""
SPINNER_FUNCTION_WORDS = frozenset(_SPINNER_FUNCTION_WORDS_TEXT.split())
CHROME_LINES = [
    "Share this article",
    "Subscribe to our newsletter for weekly updates.",
    "Follow us on social media",
    "All rights reserved.",
    "Advertisement",
    "Related articles",
    "Sign up for free",
    "Read more stories like this",
    "Cookies help us deliver our services.",
    "Back to top",
]
_TOKEN = re.compile(r"(\w+)")


@dataclass(frozen=True)
class Planted:
    """One planted copy: ``copy`` derives from ``original`` by ``relation`` at ``level``."""

    copy: str
    original: str
    relation: str
    level: str


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def load_gold_texts(bench_dir: Path) -> list[tuple[str, str]]:
    """(key, text) of every gold main text, as clean text (blank line between paragraphs),
    sorted by key; keys are ``x<hash>`` (extraction) and ``w<id>`` (wcxb-dev)."""
    out: list[tuple[str, str]] = []
    truth = json.loads((bench_dir / "extraction" / "ground-truth.json").read_text("utf-8"))
    for key, item in truth.items():
        out.append((f"x{key}", "\n\n".join(_paragraphs(item.get("articleBody") or ""))))
    with open(bench_dir / "wcxb-dev" / "ground-truth.jsonl", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            out.append((f"w{item['id']}", "\n\n".join(_paragraphs(item.get("main_content") or ""))))
    return sorted(out)


def distinct_texts(texts: list[tuple[str, str]], min_words: int = 50) -> list[tuple[str, str]]:
    """Texts with >= ``min_words`` words sharing < 20% of word 8-grams with an earlier one."""
    seen: dict[int, str] = {}
    kept: list[tuple[str, str]] = []
    for key, text in texts:
        words = text.lower().split()
        if len(words) < min_words:
            continue
        grams = {hash(tuple(words[i : i + 8])) for i in range(len(words) - 7)}
        if sum(1 for g in grams if g in seen) >= 0.2 * len(grams):
            continue
        seen.update(dict.fromkeys(grams, key))
        kept.append((key, text))
    return kept


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _garble(word: str, rng: random.Random) -> str:
    for old, new in (("ing", "ed"), ("ed", "ing"), ("ies", "y"), ("tion", "ting"), ("ly", "")):
        if word.endswith(old) and len(word) > len(old) + 3:
            return word[: -len(old)] + new
    if word.endswith("s") and len(word) > 4:
        return word[:-1]
    return word + rng.choice(["s", "ing", "ed"])


def spin(text: str, rate: float, rng: random.Random) -> str:
    """Swap ``rate`` of the content words for a synonym (or a garbled form)."""
    table: dict[str, list[str]] = defaultdict(list)
    for group in SYNONYM_SETS:
        for word in group:
            table[word].extend(w for w in group if w != word)
    parts = _TOKEN.split(text)
    content = [i for i in range(1, len(parts), 2) if parts[i].lower() not in SPINNER_FUNCTION_WORDS]
    for i in rng.sample(content, round(rate * len(content))):
        word = parts[i].lower()
        new = rng.choice(table[word]) if word in table else _garble(word, rng)
        parts[i] = _match_case(parts[i], new)
    return "".join(parts)


def edit_words(text: str, rate: float, rng: random.Random) -> str:
    """Light edits: ``rate`` of the words deleted, replaced or doubled with a neighbour."""
    paragraphs = []
    vocab = text.split()
    for para in text.split("\n\n"):
        words = para.split()
        out = []
        for word in words:
            roll = rng.random()
            if roll < rate / 3:
                continue
            if roll < 2 * rate / 3:
                out.append(rng.choice(vocab))
            elif roll < rate:
                out.extend([word, rng.choice(vocab)])
            else:
                out.append(word)
        paragraphs.append(" ".join(out))
    return "\n\n".join(p for p in paragraphs if p)


def reflow(text: str, rng: random.Random) -> str:
    """Other paragraph breaks: some paragraphs joined, others split at a sentence end."""
    paras = text.split("\n\n")
    out: list[str] = []
    for para in paras:
        if out and rng.random() < 0.2:
            out[-1] += " " + para
            continue
        sentences = re.split(r"(?<=[.!?]) ", para)
        if len(sentences) > 3 and rng.random() < 0.3:
            cut = rng.randrange(1, len(sentences))
            out.extend([" ".join(sentences[:cut]), " ".join(sentences[cut:])])
        else:
            out.append(para)
    return "\n\n".join(out)


def add_chrome(text: str, rng: random.Random) -> str:
    """Other site chrome: a few template lines before and after the text."""
    top = rng.sample(CHROME_LINES, rng.randint(0, 2))
    bottom = rng.sample(CHROME_LINES, rng.randint(1, 3))
    return "\n\n".join([*top, text, *bottom])


class TopicTexts:
    """Synthetic same-topic texts from word-bigram chains over keyword neighbours."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.keywords = [self._top_keywords(t) for t in texts]
        index: dict[str, list[int]] = defaultdict(list)
        for i, words in enumerate(self.keywords):
            for w in words:
                index[w].append(i)
        self.index = index
        self.chains: dict[int, dict[str, list[str]]] = {}

    @staticmethod
    def _top_keywords(text: str) -> list[str]:
        words = [
            w for w in re.findall(r"[a-z]{5,}", text.lower()) if w not in SPINNER_FUNCTION_WORDS
        ]
        return [w for w, _ in sorted(Counter(words).items(), key=lambda kv: (-kv[1], kv[0]))[:10]]

    def _chain(self, base: int) -> dict[str, list[str]]:
        if base not in self.chains:
            shared = Counter(j for w in self.keywords[base] for j in self.index[w] if j != base)
            near = [j for j, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
            chain: dict[str, list[str]] = defaultdict(list)
            for j in [base, *near]:
                words = self.texts[j].split()
                for left, right in itertools.pairwise(words):
                    chain[left].append(right)
            self.chains[base] = dict(chain)
        return self.chains[base]

    def generate(self, rng: random.Random, base: int | None = None, n_words: int = 0) -> str:
        """One synthetic text on the topic of gold text ``base`` (random if None)."""
        base = rng.randrange(len(self.texts)) if base is None else base
        chain = self._chain(base)
        starts = [w for w in chain if w[:1].isupper()] or list(chain)
        n_words = n_words or rng.randint(150, 700)
        paragraphs, words = [], [rng.choice(starts)]
        total = 1
        while total < n_words:
            nxt = chain.get(words[-1])
            word = rng.choice(nxt) if nxt else rng.choice(starts)
            words.append(word)
            total += 1
            if word.endswith((".", "?", "!")) and len(words) > 40:
                paragraphs.append(" ".join(words))
                words = [rng.choice(starts)]
        paragraphs.append(" ".join(words))
        return "\n\n".join(paragraphs)


def _copy_of(text: str, kind: str, rng: random.Random, topics: TopicTexts) -> tuple[str, str]:
    if kind == "exact":
        lines = text.split("\n\n")
        lines = [ln.upper() if rng.random() < 0.2 else ln.replace(" ", "  ", 3) for ln in lines]
        return "\n\n\n".join(lines), "exact"
    if kind == "near":
        rate = rng.choice([0.01, 0.02, 0.03, 0.05, 0.07, 0.10])
        return add_chrome(reflow(edit_words(text, rate, rng), rng), rng), f"near{round(rate * 100)}"
    if kind == "spun":
        rate = rng.choice([0.15, 0.30, 0.50])
        return spin(text, rate, rng), f"spun{round(rate * 100)}"
    paras = text.split("\n\n")
    share = rng.uniform(0.4, 1.0)
    take = max(1, round(share * len(paras)))
    start = rng.randrange(len(paras) - take + 1)
    taken = "\n\n".join(paras[start : start + take])
    own = topics.generate(rng, n_words=max(100, round(len(taken.split()) * rng.uniform(0.5, 1.5))))
    own_paras = own.split("\n\n")
    cut = rng.randrange(len(own_paras) + 1)
    return "\n\n".join([*own_paras[:cut], taken, *own_paras[cut:]]), f"partial{round(share * 100)}"


def make_corpus(
    gold: list[tuple[str, str]], size: int, seed: int = 0
) -> tuple[pd.DataFrame, list[Planted]]:
    """A corpus of ``size`` documents (columns as dedup's input) and its planted copies."""
    rng = random.Random(seed)
    texts = [t for _, t in gold]
    topics = TopicTexts(texts)
    n_copies = round(size * (0.35 if size <= 5000 else 0.2))
    pool = list(range(len(texts)))
    rng.shuffle(pool)
    docs: list[tuple[str, str]] = []
    planted: list[Planted] = []
    ids = set()

    def new_id() -> str:
        while True:
            doc_id = f"d{rng.getrandbits(48):012x}"
            if doc_id not in ids:
                ids.add(doc_id)
                return doc_id

    kinds = ["exact"] * 10 + ["near"] * 25 + ["spun"] * 45 + ["partial"] * 20
    for k in range(n_copies):
        original = texts[pool[k]] if k < len(pool) else topics.generate(rng)
        copy_text, level = _copy_of(original, rng.choice(kinds), rng, topics)
        oid, cid = new_id(), new_id()
        docs += [(oid, original), (cid, copy_text)]
        planted.append(Planted(cid, oid, _RELATION[re.sub(r"\d+", "", level)], level))
    rest = pool[n_copies:]
    while len(docs) < size:
        text = texts[rest.pop()] if rest else topics.generate(rng)
        docs.append((new_id(), text))
    docs.sort()
    frame = pd.DataFrame(
        {
            "doc_id": [d for d, _ in docs],
            "text": [t for _, t in docs],
            "url": [f"https://site{i % 97}.example/{d}" for i, (d, _) in enumerate(docs)],
            "publisher": [f"site{i % 97}" for i in range(len(docs))],
            "title": [""] * len(docs),
            "trust": [1] * len(docs),
            "retrieved": [None] * len(docs),
            "updated": [None] * len(docs),
            "flags": [[] for _ in docs],
        }
    )
    return frame, planted


_RELATION = {
    "exact": "exact_duplicate",
    "near": "near_duplicate",
    "spun": "spun_copy",
    "partial": "partial_copy",
}
