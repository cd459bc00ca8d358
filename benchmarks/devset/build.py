"""Build the retrieval development set from the bundled data only (README.md beside this).

    python benchmarks/devset/build.py            # (re)write the TSV files beside this script
    python benchmarks/devset/build.py --check    # rebuild in memory; fail if the files differ

Reads data/esco (English v1.1.1 bundle, Czech occupation labels v1.0.9), data/nsk
(qualifications.jsonl) and the two hand-written files here (cs_inflected.tsv,
cs_translations.tsv). No randomness: samples are taken in sha1 order of a fixed string, so
the same data gives the same files byte for byte. The dev/held-out split is a hash of the
query id (sha1(qid) mod 3 == 0 → held out) and was fixed before any evaluation.

Standard library only, and independent of credgraph's ingesters on purpose: the set
checks the product, so it is read from the source files directly.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "data"
ESCO_EN = DATA / "esco" / "v1.1.1_en"
ESCO_CS = DATA / "esco" / "cs"
NSK = DATA / "nsk" / "qualifications.jsonl"

SAMPLE = 300  # queries per sampled family, so one evaluation runs in minutes
FAMILIES = {
    "alt": "a: English ESCO alternative/hidden label → its skill or occupation",
    "csalt": "b: Czech alternative occupation label (not a corpus text) → the occupation",
    "csinfl": "b: hand-written inflected/plural Czech occupation form → the occupation",
    "nsk": "c: NSK competence text (competences_cs) → the qualifications listing it",
    "cstr": "d: hand-written Czech translation of an English-only ESCO skill → the skill",
}

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Zero-width characters dropped, any run of whitespace (incl. NBSP) one space."""
    return _SPACE.sub(" ", text.translate(_ZERO_WIDTH)).strip()


def key(text: str) -> str:
    """What counts as "the same text": cleaned and case-folded."""
    return clean(text).casefold()


def sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def is_heldout(qid: str) -> bool:
    return int(sha(qid), 16) % 3 == 0


# -- reading the sources -------------------------------------------------------------------


@dataclass
class Concept:
    uri: str
    label: str
    alt: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)


def _csv_gz(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _lines(value: str | None) -> list[str]:
    return [t for t in (clean(x) for x in (value or "").split("\n")) if t]


def read_concepts(name: str) -> dict[str, Concept]:
    out: dict[str, Concept] = {}
    for row in _csv_gz(ESCO_EN / name):
        uri = row["conceptUri"].strip()
        label = clean(row["preferredLabel"])
        if uri and label:
            out[uri] = Concept(uri, label, _lines(row["altLabels"]), _lines(row["hiddenLabels"]))
    return out


def read_czech_occupations(
    occupations: dict[str, Concept],
) -> tuple[dict[str, str], dict[str, list[str]], int]:
    """Czech preferred label (the `_000` row) and alternatives per occupation of v1.1.1;
    and how many occupation rows name a URI absent from v1.1.1 (skipped)."""
    preferred: dict[str, str] = {}
    alternatives: dict[str, list[str]] = defaultdict(list)
    absent = 0
    for row in _csv_gz(ESCO_CS / "occupations_cs_labels_esco_v1.0.9.csv.gz"):
        uri, text = row["conceptUri"].strip(), clean(row["surface_form"])
        if "/occupation/" not in uri or not text:
            continue  # ISCO groups share the file
        if uri not in occupations:
            absent += 1
            continue
        if row["corpus_element_id"].strip().endswith("_000"):
            preferred[uri] = text
        elif text not in alternatives[uri]:
            alternatives[uri].append(text)
    return preferred, dict(alternatives), absent


def read_czech_skill_uris() -> set[str]:
    return {r["conceptUri"].strip() for r in _csv_gz(ESCO_CS / "skills_cs_labels_partial.csv.gz")}


@dataclass
class Qualification:
    id: str  # node id: nsk:<record id>
    names: list[str]
    competences: list[str]


def read_qualifications() -> list[Qualification]:
    """Records with a real name (made-up fallback labels are not names, so not indexed)."""
    out = []
    for line in NSK.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        names: list[str] = []
        for value in (record.get("name_cs"), record.get("name_en")):
            text = clean(value or "")
            if text and key(text) not in {key(n) for n in names}:
                names.append(text)
        if not names:
            continue
        competences = [clean(c["name"]) for c in record.get("competences_cs") or []]
        out.append(Qualification(f"nsk:{record['id']}", names, [c for c in competences if c]))
    return out


def read_hand_file(name: str) -> list[dict[str, str]]:
    lines = [ln for ln in (HERE / name).read_text(encoding="utf-8").splitlines()]
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(body, delimiter="\t", quoting=csv.QUOTE_NONE))


# -- the set ---------------------------------------------------------------------------------


@dataclass
class Query:
    family: str
    text: str
    relevant: list[str]
    source: str  # where the text comes from (field or file)
    qid: str = ""


@dataclass
class DevSet:
    corpus: dict[str, list[str]]
    queries: list[Query]
    notes: dict[str, int]


def _sampled(
    family: str, candidates: dict[str, list[tuple[str, str]]], n: int
) -> Iterator[tuple[str, str, str]]:
    """At most one (target, text, source) per target, for the first n targets in
    sha1(family, target) order; per target the candidate with the smallest sha1."""
    targets = sorted((t for t, c in candidates.items() if c), key=lambda t: sha(f"{family}\t{t}"))
    for target in targets[:n]:
        text, source = min(candidates[target], key=lambda c: sha(f"{target}\t{c[0]}"))
        yield target, text, source


def _ambiguous(labels: Iterable[tuple[str, str]]) -> set[str]:
    """Keys of texts that label more than one concept."""
    owners: dict[str, set[str]] = defaultdict(set)
    for uri, text in labels:
        owners[key(text)].add(uri)
    return {k for k, uris in owners.items() if len(uris) > 1}


def build() -> DevSet:
    skills = read_concepts("skills_en.csv.gz")
    occupations = read_concepts("occupations_en.csv.gz")
    cs_preferred, cs_alternatives, cs_absent = read_czech_occupations(occupations)
    qualifications = read_qualifications()

    corpus: dict[str, list[str]] = {}
    for uri, concept in skills.items():
        corpus[uri] = [concept.label]
    for uri, concept in occupations.items():
        corpus[uri] = [concept.label]
        cs = cs_preferred.get(uri)
        if cs and key(cs) != key(concept.label):
            corpus[uri].append(cs)
    for q in qualifications:
        corpus[q.id] = list(q.names)
    corpus = dict(sorted(corpus.items()))
    corpus_keys = {key(t) for texts in corpus.values() for t in texts}
    queries: list[Query] = []

    # a: English alternative and hidden labels
    concepts = {**skills, **occupations}
    en_labels = [(c.uri, t) for c in concepts.values() for t in (*c.alt, *c.hidden)]
    shared = _ambiguous(en_labels)
    candidates: dict[str, list[tuple[str, str]]] = {}
    for c in concepts.values():
        fields = [(t, "alt_label") for t in c.alt] + [(t, "hidden_label") for t in c.hidden]
        candidates[c.uri] = [
            (t, f) for t, f in fields if key(t) not in corpus_keys and key(t) not in shared
        ]
    kind = {**dict.fromkeys(skills, "skill"), **dict.fromkeys(occupations, "occupation")}
    for uri, text, source in _sampled("alt", candidates, SAMPLE):
        queries.append(Query("alt", text, [uri], f"en {kind[uri]} {source}"))

    # b: Czech alternative occupation labels, then the hand-written inflected forms
    cs_labels = [(u, t) for u, t in cs_preferred.items()]
    cs_labels += [(u, t) for u, ts in cs_alternatives.items() for t in ts]
    shared_cs = _ambiguous(cs_labels)
    candidates = {
        uri: [(t, "cs alt_label") for t in texts if key(t) not in corpus_keys | shared_cs]
        for uri, texts in cs_alternatives.items()
    }
    queries.extend(
        Query("csalt", text, [uri], source)
        for uri, text, source in _sampled("csalt", candidates, SAMPLE)
    )
    cs_label_keys = {key(t) for _, t in cs_labels}
    for row in read_hand_file("cs_inflected.tsv"):
        uri, text = row["occupation_uri"], clean(row["query"])
        _require(uri in occupations, f"cs_inflected.tsv: {uri} is not an occupation")
        _require(
            cs_preferred.get(uri) == clean(row["cs_label"]),
            f"cs_inflected.tsv: the Czech label of {uri} is {cs_preferred.get(uri)!r}",
        )
        _require(
            key(text) not in corpus_keys | cs_label_keys,
            f"cs_inflected.tsv: {text!r} is a label already, not an unseen form",
        )
        queries.append(Query("csinfl", text, [uri], f"cs_inflected.tsv ({row['form']})"))

    # c: NSK competence texts → every named qualification that lists the text
    holders: dict[str, list[str]] = defaultdict(list)
    first_text: dict[str, str] = {}
    for q in qualifications:
        for text in q.competences:
            if text.endswith("…") or key(text) in corpus_keys:
                continue  # truncated in the source, or a qualification's own name
            first_text.setdefault(key(text), text)
            if q.id not in holders[key(text)]:
                holders[key(text)].append(q.id)
    ordered = sorted(holders, key=lambda k: sha(f"nsk\t{k}"))[:SAMPLE]
    queries.extend(
        Query("nsk", first_text[k], sorted(holders[k]), "nsk competences_cs") for k in ordered
    )

    # d: hand-written Czech translations of English-only skills
    czech_skills = read_czech_skill_uris()
    for row in read_hand_file("cs_translations.tsv"):
        uri, text = row["skill_uri"], clean(row["cs_query"])
        _require(uri in skills, f"cs_translations.tsv: {uri} is not a skill")
        _require(
            skills[uri].label == clean(row["en_label"]),
            f"cs_translations.tsv: the English label of {uri} is {skills[uri].label!r}",
        )
        _require(uri not in czech_skills, f"cs_translations.tsv: {uri} has a Czech label")
        _require(key(text) not in corpus_keys, f"cs_translations.tsv: {text!r} is a corpus text")
        queries.append(Query("cstr", text, [uri], "cs_translations.tsv"))

    numbers: dict[str, int] = defaultdict(int)
    for query in queries:
        numbers[query.family] += 1
        query.qid = f"{query.family}-{numbers[query.family]:04d}"
    for family in FAMILIES:
        texts = [q.text for q in queries if q.family == family]
        _require(len(set(texts)) == len(texts), f"family {family} repeats a query text")
    notes = {
        "cs_occupation_rows_absent_from_v1.1.1": cs_absent,
        "nsk_named_qualifications": len(qualifications),
        "nsk_competence_texts_usable": len(holders),
    }
    return DevSet(corpus, queries, notes)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"error: {message}")


# -- files -----------------------------------------------------------------------------------


def render(devset: DevSet) -> dict[str, str]:
    """File name → content."""
    files: dict[str, list[str]] = {
        "corpus.tsv": [f"{i}\t{t}" for i, texts in devset.corpus.items() for t in texts],
        "queries_meta.tsv": ["qid\tsplit\tfamily\tsource\trelevant"],
    }
    for split in ("dev", "heldout"):
        files[f"queries_{split}.tsv"] = []
        files[f"qrels_{split}.tsv"] = []
    for q in devset.queries:
        split = "heldout" if is_heldout(q.qid) else "dev"
        files[f"queries_{split}.tsv"].append(f"{q.qid}\t{q.text}")
        files[f"qrels_{split}.tsv"].extend(f"{q.qid}\t0\t{doc}\t1" for doc in q.relevant)
        files["queries_meta.tsv"].append(
            f"{q.qid}\t{split}\t{q.family}\t{q.source}\t{' '.join(q.relevant)}"
        )
    return {name: "\n".join(lines) + "\n" for name, lines in files.items()}


def summary(devset: DevSet) -> list[str]:
    out = [f"corpus: {len(devset.corpus)} items, {sum(map(len, devset.corpus.values()))} texts"]
    for family, description in FAMILIES.items():
        qs = [q for q in devset.queries if q.family == family]
        held = sum(1 for q in qs if is_heldout(q.qid))
        split = f"({len(qs) - held} dev, {held} held out)"
        out.append(f"{family}: {len(qs)} queries {split} — {description}")
    held = sum(1 for q in devset.queries if is_heldout(q.qid))
    out.append(f"all: {len(devset.queries)} ({len(devset.queries) - held} dev, {held} held out)")
    out.extend(f"{name}: {value}" for name, value in devset.notes.items())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the files differ")
    args = parser.parse_args()
    devset = build()
    files = render(devset)
    if args.check:
        stale = [n for n, text in files.items() if (HERE / n).read_text("utf-8") != text]
        if stale:
            sys.exit(f"error: out of date: {', '.join(stale)} (run build.py)")
    else:
        for name, text in files.items():
            (HERE / name).write_text(text, encoding="utf-8")
    print("\n".join(summary(devset)))


if __name__ == "__main__":
    main()
