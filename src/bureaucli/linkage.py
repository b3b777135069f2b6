"""Link normalized person mentions across the corpus into persons.

Blocking: mentions are grouped by their surname key (`PersonName.key`: lowercase, ё→е, OCR
look-alikes repaired), so the cost grows near-linearly with the corpus. Within a block, mentions are
taken from the most complete (first name and patronymic) to the least (surname only), each joining
the compatible person it scores best against:

* incompatible initials, first names or genders never link (И.П. ↔ А.С.);
* a link resting on one initial or on the surname alone loses score, more so for a common surname
  (one carried by more than `common_surname_count` distinct initials), so a mention with the surname
  alone links only to a unique compatible person, and only while the surname is not common;
* agreeing organizations add score, a gap of more than `date_gap_years` takes score off.

Keys one OCR error apart (`шмелев` / `шмедев`, found through one-letter-deletion buckets) are then
compared person to person, scored by rapidfuzz on the surnames with OCR-confusable letters folded.
Scores at or above `link_threshold` link; scores from `review_low` go to the review list.

Overrides — `corrections/persons.csv`, UTF-8, one header row, columns
``action,mention_id,other_mention_id,canonical_name`` (rows whose action starts with `#` are comments):

* ``split,M1,,`` — mention M1 is a person of its own (kept out of automatic linking);
* ``merge,M1,M2,`` — mentions M1 and M2 are one person (applied after linking; wins over split);
* ``rename,M1,,Шмелёв И. П.`` — the canonical name of M1's person.

Overrides are read on every run and never written by the tool; rows naming mentions that no longer
exist are reported in `LinkResult.unused_overrides`.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from bureaucli.errors import ConfigError
from bureaucli.names import PersonName, fold_yo, initials_compatible, spaced_initials
from bureaucli.settings import NamesSettings

OVERRIDE_ACTIONS = ("merge", "split", "rename")
OVERRIDE_COLUMNS = ("action", "mention_id", "other_mention_id", "canonical_name")
OCR_SKELETON = str.maketrans("йщзэъыпнлдсцбвгт", "ишзеьыииллссввгт")
"""Letters OCR of typewritten Cyrillic confuses, folded when comparing two near surnames."""
FUZZY_KEY_MIN_LENGTH = 5
SAME_FIRST_NAME = 85.0
"""rapidfuzz ratio at which two written first names (or patronymics) count as the same."""
SAME_ORGANIZATION = 80.0


@dataclass(frozen=True)
class LinkMention:
    mention_id: str
    """A stable case id, e.g. "Dab12cd34ef.m1.i5.c1"."""
    name: PersonName
    date: str | None
    """ISO meeting date (possibly partial: YYYY-MM, YYYY)."""
    organization: str | None
    """Position/organization text as written (supporting evidence)."""


@dataclass
class Person:
    person_id: str
    """Derived from content (surname key, gender, initials) — stable across runs and input order."""
    canonical_name: str
    """"Шмелев И. П.": the most frequent surname spelling (ё preferred when written), fullest initials."""
    variants: list[str]
    mention_ids: list[str]
    """In date order: what happened to this person next."""


@dataclass
class ReviewPair:
    mention_a: str
    mention_b: str
    score: float
    evidence: str


@dataclass(frozen=True)
class OverrideRow:
    line: int
    action: str
    mention_id: str
    other_mention_id: str = ""
    canonical_name: str = ""

    def describe(self) -> str:
        parts = [self.action, self.mention_id, self.other_mention_id, self.canonical_name]
        return f"line {self.line}: " + ",".join(parts).rstrip(",")


@dataclass
class Overrides:
    """The rows of persons.csv, in file order."""

    rows: list[OverrideRow] = field(default_factory=list)


@dataclass
class LinkResult:
    persons: list[Person]
    person_of: dict[str, str]
    review: list[ReviewPair]
    unused_overrides: list[str]


def read_overrides(path: Path) -> Overrides:
    """Parse persons.csv; a missing file means no overrides, a bad row is a ConfigError naming the line."""
    if not path.exists():
        return Overrides()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in OVERRIDE_COLUMNS[:2] if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(
            f"{path}:1: missing column(s) {', '.join(missing)}; expected {','.join(OVERRIDE_COLUMNS)}"
        )
    unknown = set(reader.fieldnames or []) - set(OVERRIDE_COLUMNS)
    if unknown:
        raise ConfigError(f"{path}:1: unknown column(s) {', '.join(sorted(unknown))}")
    rows = []
    for record in reader:
        line = reader.line_num
        values = {k: (record.get(k) or "").strip() for k in OVERRIDE_COLUMNS}
        action = values["action"].lower()
        if not any(values.values()) or action.startswith("#"):
            continue
        if action not in OVERRIDE_ACTIONS:
            raise ConfigError(
                f"{path}:{line}: unknown action {values['action']!r}; use {', '.join(OVERRIDE_ACTIONS)}"
            )
        if not values["mention_id"]:
            raise ConfigError(f"{path}:{line}: mention_id is empty")
        if action == "merge" and not values["other_mention_id"]:
            raise ConfigError(f"{path}:{line}: merge needs other_mention_id")
        if action == "rename" and not values["canonical_name"]:
            raise ConfigError(f"{path}:{line}: rename needs canonical_name")
        rows.append(
            OverrideRow(
                line, action, values["mention_id"], values["other_mention_id"], values["canonical_name"]
            )
        )
    return Overrides(rows)


# ---------------------------------------------------------------- mention profiles and clusters


def _letters(initials: str | None) -> tuple[str, ...]:
    return tuple(p for p in fold_yo(initials or "").split(".") if p)


def _completeness(name: PersonName) -> int:
    """3 first name and patronymic, 2 two initials, 1 one initial, 0 surname only."""
    if name.first_name and name.patronymic:
        return 3
    return min(2, len(_letters(name.initials)))


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


@dataclass
class _Cluster:
    """Mentions believed to be one person, with what they tell about him or her together."""

    key: str
    gender: str | None
    initials: tuple[str, ...]
    first_name: str | None
    patronymic: str | None
    mentions: list[LinkMention] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    organizations: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, mention: LinkMention) -> _Cluster:
        name = mention.name
        cluster = cls(
            name.key, name.gender, _letters(name.initials), _folded(name.first_name), _folded(name.patronymic)
        )
        cluster.add(mention)
        return cluster

    def add(self, mention: LinkMention) -> None:
        name = mention.name
        self.mentions.append(mention)
        self.gender = self.gender or name.gender
        if len(_letters(name.initials)) > len(self.initials):
            self.initials = _letters(name.initials)
        self.first_name = self.first_name or _folded(name.first_name)
        self.patronymic = self.patronymic or _folded(name.patronymic)
        if (year := _year(mention.date)) is not None:
            self.years.add(year)
        if mention.organization:
            self.organizations.add(mention.organization.lower())

    @property
    def rank(self) -> int:
        return 3 if self.first_name and self.patronymic else min(2, len(self.initials))

    @property
    def anchor(self) -> str:
        """The cluster's first mention id in sorted order (used in review pairs)."""
        return min(m.mention_id for m in self.mentions)


def _folded(text: str | None) -> str | None:
    return fold_yo(text).lower() if text else None


def _same_written(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b or fuzz.ratio(a, b) >= SAME_FIRST_NAME


def _compatible(mention: LinkMention, cluster: _Cluster) -> bool:
    """Nothing in the mention contradicts the cluster: gender, initials, first name, patronymic."""
    name = mention.name
    if name.gender and cluster.gender and name.gender != cluster.gender:
        return False
    if not initials_compatible(name.initials, ".".join(cluster.initials)):
        return False
    return _same_written(_folded(name.first_name), cluster.first_name) and _same_written(
        _folded(name.patronymic), cluster.patronymic
    )


def _reference(cluster: _Cluster) -> LinkMention:
    """The cluster's most complete mention, standing for it when clusters are compared."""
    return max(cluster.mentions, key=lambda m: (_completeness(m.name), m.mention_id))


@dataclass
class _Scored:
    score: float
    evidence: str


def _score(
    mention: LinkMention, cluster: _Cluster, surname_similarity: float, common: bool, settings: NamesSettings
) -> _Scored:
    """Score (0-100) that a compatible mention belongs to a cluster, with the evidence in words."""
    score = surname_similarity
    evidence = [f"surname {surname_similarity:.0f}"]
    weakest = min(_completeness(mention.name), cluster.rank)
    if weakest < 2:
        score -= settings.single_initial_penalty if weakest == 1 else settings.surname_only_penalty
        evidence.append("one initial" if weakest == 1 else "surname only")
        if common:
            score -= settings.common_surname_penalty
            evidence.append("common surname")
    if mention.organization and cluster.organizations:
        written = mention.organization.lower()
        if max(fuzz.token_set_ratio(written, org) for org in cluster.organizations) >= SAME_ORGANIZATION:
            score += settings.organization_bonus
            evidence.append("same organization")
    year = _year(mention.date)
    if (
        year is not None
        and cluster.years
        and min(abs(year - y) for y in cluster.years) > settings.date_gap_years
    ):
        score -= settings.date_gap_penalty
        evidence.append(f"more than {settings.date_gap_years} years apart")
    return _Scored(min(100.0, score), ", ".join(evidence))


# ---------------------------------------------------------------- linking


class _Linker:
    def __init__(self, settings: NamesSettings):
        self.settings = settings
        self.review: dict[tuple[str, str], ReviewPair] = {}

    def note_review(self, a: str, b: str, scored: _Scored) -> None:
        pair = (min(a, b), max(a, b))
        old = self.review.get(pair)
        if old is None or old.score < scored.score:
            self.review[pair] = ReviewPair(pair[0], pair[1], round(scored.score, 1), scored.evidence)

    def link_block(self, mentions: Sequence[LinkMention]) -> list[_Cluster]:
        """Cluster the mentions of one surname key."""
        settings = self.settings
        ordered = sorted(mentions, key=lambda m: (-_completeness(m.name), m.mention_id))
        signatures = {(m.name.gender, _letters(m.name.initials)) for m in mentions if m.name.initials}
        common = len(signatures) > settings.common_surname_count
        clusters: list[_Cluster] = []
        by_first_initial: dict[str, list[_Cluster]] = defaultdict(list)
        for mention in ordered:
            letters = _letters(mention.name.initials)
            pool = by_first_initial.get(letters[0], []) if letters else clusters
            candidates = [c for c in pool if _compatible(mention, c)]
            scored = sorted(
                ((_score(mention, c, 100.0, common, settings), c) for c in candidates),
                key=lambda pair: (-pair[0].score, pair[1].anchor),
            )
            plausible = [(s, c) for s, c in scored if s.score >= settings.review_low]
            if len(plausible) == 1 and plausible[0][0].score >= settings.link_threshold:
                plausible[0][1].add(mention)
                continue
            if 0 < len(plausible) <= settings.max_review_candidates:
                for scored_pair, cluster in plausible:
                    self.note_review(mention.mention_id, cluster.anchor, scored_pair)
            cluster = _Cluster.of(mention)
            clusters.append(cluster)
            if cluster.initials:
                by_first_initial[cluster.initials[0]].append(cluster)
        return clusters

    def run(self, mentions: Sequence[LinkMention]) -> list[_Cluster]:
        blocks: dict[str, list[LinkMention]] = defaultdict(list)
        for mention in mentions:
            blocks[mention.name.key or fold_yo(mention.name.surname).lower()].append(mention)
        return [cluster for key in sorted(blocks) for cluster in self.link_block(blocks[key])]

    def near_key_links(self, by_key: dict[str, list[_Cluster]]) -> list[tuple[_Cluster, _Cluster]]:
        """Pairs of clusters under keys one OCR error apart that score high enough to be one person."""
        buckets: dict[str, set[str]] = defaultdict(set)
        for key in by_key:
            if len(key) >= FUZZY_KEY_MIN_LENGTH:
                for i in range(len(key)):
                    buckets[key[:i] + key[i + 1 :]].add(key)
                buckets[key].add(key)
        key_pairs = {
            (a, b)
            for keys in buckets.values()
            if len(keys) > 1
            for a in keys
            for b in keys
            if a < b and a[0] == b[0]
        }
        links = []
        for a, b in sorted(key_pairs):
            similarity = max(
                fuzz.ratio(a, b), fuzz.ratio(a.translate(OCR_SKELETON), b.translate(OCR_SKELETON)) - 2
            )
            for left in by_key[a]:
                for right in by_key[b]:
                    reference = _reference(right)
                    if left.rank < 2 or right.rank < 2 or not _compatible(reference, left):
                        continue
                    scored = _score(reference, left, similarity, False, self.settings)
                    if scored.score >= self.settings.link_threshold:
                        links.append((left, right))
                    elif scored.score >= self.settings.review_low:
                        self.note_review(left.anchor, right.anchor, scored)
        return links


class _UnionFind:
    def __init__(self, items: Iterable[int]):
        self.parent = {i: i for i in items}

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _canonical_name(mentions: Sequence[LinkMention]) -> str:
    surnames = Counter(fold_yo(m.name.surname) for m in mentions if m.name.surname)
    if not surnames:
        return ""
    top = min(surnames, key=lambda s: (-surnames[s], s))
    spellings = sorted({m.name.surname for m in mentions if fold_yo(m.name.surname) == top})
    surname = next((s for s in spellings if "ё" in s.lower()), spellings[0])
    longest = max(len(_letters(m.name.initials)) for m in mentions)
    initials = Counter(
        m.name.initials for m in mentions if m.name.initials and len(_letters(m.name.initials)) == longest
    )
    best_initials = min(initials, key=lambda i: (-initials[i], i)) if initials else None
    return f"{surname} {spaced_initials(best_initials)}".strip()


def _short_hash(text: str, length: int = 10) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def link_persons(
    mentions: Sequence[LinkMention], settings: NamesSettings, overrides: Overrides
) -> LinkResult:
    """Group mentions into persons; the result does not depend on the order of `mentions`."""
    known = {m.mention_id: m for m in mentions}
    unused = [
        row.describe()
        for row in overrides.rows
        if row.mention_id not in known or (row.action == "merge" and row.other_mention_id not in known)
    ]
    split_ids = {r.mention_id for r in overrides.rows if r.action == "split" and r.mention_id in known}
    linker = _Linker(settings)
    clusters = linker.run([m for m in mentions if m.mention_id not in split_ids])
    clusters += [_Cluster.of(known[mention_id]) for mention_id in sorted(split_ids)]

    by_key: dict[str, list[_Cluster]] = defaultdict(list)
    for cluster in clusters:
        if cluster.mentions[0].mention_id not in split_ids:
            by_key[cluster.key].append(cluster)
    index_of = {id(c): i for i, c in enumerate(clusters)}
    cluster_of = {m.mention_id: index_of[id(c)] for c in clusters for m in c.mentions}
    groups = _UnionFind(range(len(clusters)))
    for left, right in linker.near_key_links(by_key):
        groups.union(index_of[id(left)], index_of[id(right)])
    for row in overrides.rows:
        if row.action == "merge" and row.mention_id in known and row.other_mention_id in known:
            groups.union(cluster_of[row.mention_id], cluster_of[row.other_mention_id])

    members: dict[int, list[LinkMention]] = defaultdict(list)
    for index, cluster in enumerate(clusters):
        members[groups.find(index)].extend(cluster.mentions)
    renames = {
        groups.find(cluster_of[r.mention_id]): r.canonical_name
        for r in overrides.rows
        if r.action == "rename" and r.mention_id in known
    }
    persons = _build_persons(members, renames)
    person_of = {mention_id: p.person_id for p in persons for mention_id in p.mention_ids}
    review = [
        pair
        for pair in sorted(linker.review.values(), key=lambda r: (-r.score, r.mention_a, r.mention_b))
        if person_of[pair.mention_a] != person_of[pair.mention_b]
    ]
    return LinkResult(persons, person_of, review, unused)


def _build_persons(members: dict[int, list[LinkMention]], renames: dict[int, str]) -> list[Person]:
    drafts = []
    for root, group in members.items():
        ordered = sorted(group, key=lambda m: (m.date or "9999", m.mention_id))
        name = max(ordered, key=lambda m: (_completeness(m.name), m.mention_id)).name
        base = _short_hash(
            f"{name.key}|{name.gender}|{'.'.join(_letters(name.initials))}|{_folded(name.first_name)}"
        )
        drafts.append((base, root, ordered))
    bases = Counter(base for base, _, _ in drafts)
    persons = []
    for base, root, ordered in sorted(drafts, key=lambda d: (d[0], d[2][0].mention_id)):
        person_id = "P" + base
        if bases[base] > 1:
            person_id += "-" + _short_hash(min(m.mention_id for m in ordered), 6)
        persons.append(
            Person(
                person_id=person_id,
                canonical_name=renames.get(root) or _canonical_name(ordered),
                variants=sorted({m.name.display for m in ordered}),
                mention_ids=[m.mention_id for m in ordered],
            )
        )
    return persons
