"""A local stand-in for OpenAlex, ORCID and Crossref that bench/harvest.py harvests from.

Each researcher of the benchmark has an OpenAlex author id and an ORCID iD; the server answers:

- ``/openalex/works?filter=author.id:A…&cursor=…``: the researcher's works, a few pages of them
  followed by cursor, each work in OpenAlex's real shape (the first work of
  tests/harvest/data/openalex/works-page-1.json with its title, DOI, year, authorships with
  ORCID iDs, abstract_inverted_index, counts_by_year and venue replaced);
- ``/orcid/{orcid}/works`` and ``/orcid/{orcid}/works/{put-codes}``: the record's groups and
  the bulk read of their full works, shaped as tests/harvest/data/orcid/works.json and
  bulk.json: some are the OpenAlex works again (same DOI), some are on ORCID only;
- ``/crossref/works/{doi}``: Crossref's record of a DOI (the shape of
  tests/harvest/data/crossref/work-journal-article.json), or 404 for some DOIs, as for a DOI
  another agency registered.

Every answer is computed from the researcher's number and the work's number, so that the same
request always gets the same body (a second harvest reads exactly what the first read). The
server runs in a process of its own: its memory and CPU time stay out of what the benchmark
measures.
"""

import copy
import json
import multiprocessing
import random
import re
import zlib
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DATA = Path(__file__).resolve().parent.parent / "tests" / "harvest" / "data"
OPENALEX_PAGE_SIZE = 40  # works a page: 100 works come in three pages, followed by cursor
PUT_CODE_BASE = 1_000_000  # a researcher's put-codes are number * PUT_CODE_BASE + work number
ORCID_ONLY = 10  # works each ORCID record lists that OpenAlex does not

ADJECTIVES = (
    "sparse", "robust", "adaptive", "hierarchical", "stochastic", "multilingual", "causal",
    "equivariant", "federated", "low-rank", "quantised", "interpretable", "streaming",
    "differentiable", "probabilistic", "contrastive", "modular", "recurrent", "spectral",
    "Bayesian", "distributed", "incremental", "asynchronous", "self-paced", "nonparametric",
)  # fmt: skip
SUBJECTS = (
    "protein folding", "glacier retreat", "speech recognition", "crop yields", "dark matter",
    "urban traffic", "coral reefs", "legal texts", "seismic waves", "gene regulation",
    "supply chains", "medieval manuscripts", "river sediments", "sign language", "wind farms",
    "epidemic spread", "bird migration", "power grids", "music scores", "ocean acidity",
    "cell imaging", "road networks", "galaxy surveys", "soil microbes", "hospital records",
)  # fmt: skip
METHODS = (
    "kernel smoothing", "particle filters", "mixed models", "random projections",
    "graph cuts", "sparse regression", "bootstrap resampling", "wavelet shrinkage",
    "optimal transport", "Gaussian processes", "hidden Markov models", "decision forests",
    "tensor sketches", "active learning", "importance sampling", "spline bases",
    "quantile regression", "message passing", "conformal prediction", "spectral clustering",
    "copulas", "neural fields", "ranking losses", "Kalman smoothing", "beam search",
    "mirror descent", "shrinkage priors", "tree ensembles", "point processes", "diffusion maps",
    "score matching", "matrix completion", "cutting planes", "subspace tracking",
    "local polynomials", "ensemble Kalman filters", "Dirichlet processes", "hash embeddings",
    "sequential tests", "coreset selection",
)  # fmt: skip
FORMS = (
    "An {adjective} account of {subject} through {method}",
    "Estimating {subject} with {adjective} {method}",
    "What {adjective} {method} tell us about {subject}",
    "Towards {adjective} {method} for {subject}",
    "{Subject} revisited with {adjective} {method}",
    "Des {method} {adjective} pour {subject}",
)
VENUES = (
    "Journal of Applied Estimation", "Annales des sciences du calcul", "Transactions on Data",
    "Proceedings of the Northern Workshop", "Revue de statistique appliquée", "Field Methods",
)  # fmt: skip
FAMILY_NAMES = (
    "Tremblay", "Nguyen", "Okafor", "Lindqvist", "Dubois", "Kowalczyk", "García", "Sato",
    "Haddad", "Ó Briain", "Müller", "Fernandes", "Ivanova", "Chen", "Mbeki", "Rossi",
)  # fmt: skip
GIVEN_NAMES = (
    "Élise", "Kwame", "Ingrid", "Tomás", "Aiko", "Nadia", "Pierre", "Zoë", "Ravi", "Lucía",
)  # fmt: skip
WORDS = (
    "we", "show", "that", "the", "estimator", "converges", "under", "mild", "assumptions",
    "and", "report", "experiments", "on", "three", "data", "sets", "with", "gains", "over",
    "baselines", "in", "accuracy", "cost", "a", "new", "bound", "is", "given", "for", "it",
)  # fmt: skip


def orcid_with_check(digits: str) -> str:
    """An ORCID iD from its first 15 digits, with its ISO 7064 11-2 check character."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    full = digits + ("X" if check == 10 else str(check))
    return "-".join(full[start : start + 4] for start in range(0, 16, 4))


@dataclass(frozen=True)
class StoredWork:
    """A publication the database already holds, served again under its DOI."""

    doi: str
    title: str
    year: int


@dataclass(frozen=True)
class Person:
    """One benchmark researcher as the server knows them."""

    number: int
    openalex_id: str
    orcid: str
    name: str
    stored: tuple[StoredWork, ...] = ()


def person_identifiers(number: int) -> tuple[str, str]:
    """The OpenAlex author id and ORCID iD the benchmark gives researcher ``number``."""
    return f"A59{number:08d}", orcid_with_check(f"0000000291{number:05d}")


@dataclass(frozen=True)
class Plan:
    """What the server serves: the researchers, their works a head, how many of those ORCID
    lists too (the first ones, same DOIs), and how often a DOI is missing or unknown to
    Crossref."""

    people: tuple[Person, ...]
    works: int = 100
    on_orcid: int = 40
    without_doi_every: int = 10  # every tenth work has no DOI (matched by OpenAlex id only)
    crossref_missing_every: int = 10  # Crossref answers 404 to one DOI in ten


@dataclass
class Catalogue:
    """The plan with its look-ups by identifier, built once when the server starts."""

    plan: Plan
    by_openalex: dict[str, Person] = field(default_factory=dict)
    by_orcid: dict[str, Person] = field(default_factory=dict)
    by_doi: dict[str, tuple[Person, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for person in self.plan.people:
            self.by_openalex[person.openalex_id] = person
            self.by_orcid[person.orcid] = person
            for number in [*range(self.plan.works), *self.orcid_only_numbers()]:
                doi = self.doi(person, number)
                if doi:
                    self.by_doi[doi] = (person, number)

    def orcid_only_numbers(self) -> range:
        return range(self.plan.works, self.plan.works + ORCID_ONLY)

    def doi(self, person: Person, number: int) -> str:
        if number < len(person.stored):
            return person.stored[number].doi
        if number % self.plan.without_doi_every == self.plan.without_doi_every - 1:
            return ""
        return f"10.7777/harvest.{person.number}.{number}"

    def orcid_numbers(self) -> list[int]:
        """The works each ORCID record lists: the first OpenAlex works that have a DOI, and
        those on ORCID only."""
        shared = [n for n in range(self.plan.on_orcid) if n < self.plan.works]
        return [*shared, *self.orcid_only_numbers()]


# Work descriptions shared by the three sources --------------------------------------------


@dataclass(frozen=True)
class Work:
    """One work of one researcher, as every source describes it (each in its own shape)."""

    person: Person
    number: int
    doi: str
    title: str
    year: int
    month: int
    venue: str
    coauthors: tuple[tuple[str, str, str], ...]  # (given name, family name, ORCID iD or "")
    abstract: tuple[str, ...]
    cited_by_count: int
    counts_by_year: tuple[tuple[int, int], ...]

    @property
    def openalex_id(self) -> str:
        return f"W7{self.person.number:05d}{self.number:04d}"

    @property
    def put_code(self) -> int:
        return self.person.number * PUT_CODE_BASE + self.number


def distinct_title(index: int) -> str:
    """A title of its own for each work number ``index`` (below some 150,000): two works of the
    benchmark never read the same, so that only the DOIs served twice join works."""
    sizes = (len(FORMS), len(ADJECTIVES), len(SUBJECTS), len(METHODS))
    combinations = sizes[0] * sizes[1] * sizes[2] * sizes[3]
    # A step prime to the number of combinations visits each once, in a scattered order.
    code = (index * 7_919) % combinations
    choices = []
    for size in sizes:
        code, choice = divmod(code, size)
        choices.append(choice)
    subject = SUBJECTS[choices[2]]
    return FORMS[choices[0]].format(
        adjective=ADJECTIVES[choices[1]],
        subject=subject,
        Subject=subject.capitalize(),
        method=METHODS[choices[3]],
    )


def work_of(catalogue: Catalogue, person: Person, number: int) -> Work:
    rng = random.Random(person.number * 100_003 + number)
    doi = catalogue.doi(person, number)
    if number < len(person.stored):
        title, year = person.stored[number].title, person.stored[number].year
    else:
        title = distinct_title(person.number * (catalogue.plan.works + ORCID_ONLY) + number)
        year = rng.randint(1998, 2025)
    coauthors = []
    for _ in range(rng.randint(1, 7)):
        orcid = orcid_with_check(f"0000000392{rng.randrange(100_000):05d}")
        coauthors.append(
            (rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES), orcid if rng.random() < 0.4 else "")
        )
    counts = tuple((y, rng.randint(0, 60)) for y in range(max(year, 2020), 2026))
    return Work(
        person=person,
        number=number,
        doi=doi,
        title=title,
        year=year,
        month=rng.randint(1, 12),
        venue=rng.choice(VENUES),
        coauthors=tuple(coauthors),
        abstract=tuple(rng.choice(WORDS) for _ in range(rng.randint(40, 160))),
        cited_by_count=sum(count for _, count in counts) + rng.randint(0, 200),
        counts_by_year=counts,
    )


@cache
def _template(path: str) -> dict:
    return json.loads((DATA / path).read_text())


def _signers(work: Work) -> list[tuple[str, str, str]]:
    """The researcher first, then the co-authors."""
    given, _, family = work.person.name.partition(" ")
    return [(given, family, work.person.orcid), *work.coauthors]


def _author_id(given: str, family: str) -> str:
    """The same OpenAlex author id for the same name, in every process."""
    return f"A58{zlib.crc32(f'{given} {family}'.encode()) % 10**8:08d}"


def inverted_index(words: tuple[str, ...]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    return index


def openalex_record(work: Work) -> dict:
    """The work in OpenAlex's shape."""
    record = copy.deepcopy(_template("openalex/works-page-1.json")["results"][0])
    doi_url = f"https://doi.org/{work.doi}" if work.doi else None
    record.update(
        id=f"https://openalex.org/{work.openalex_id}",
        doi=doi_url,
        title=work.title,
        display_name=work.title,
        publication_year=work.year,
        publication_date=f"{work.year}-{work.month:02d}-01",
        ids={"openalex": f"https://openalex.org/{work.openalex_id}", "doi": doi_url},
        abstract_inverted_index=inverted_index(work.abstract),
        cited_by_count=work.cited_by_count,
        counts_by_year=[{"year": y, "cited_by_count": n} for y, n in reversed(work.counts_by_year)],
        biblio={"volume": str(work.number % 40 + 1), "issue": "2", "first_page": "1"},
        cited_by_api_url=f"https://api.openalex.org/works?filter=cites:{work.openalex_id}",
    )
    authorship = record["authorships"][0]
    record["authorships"] = []
    for position, (given, family, orcid) in enumerate(_signers(work)):
        one = copy.deepcopy(authorship)
        author_id = work.person.openalex_id if position == 0 else _author_id(given, family)
        one["author"] = {
            "id": f"https://openalex.org/{author_id}",
            "display_name": f"{given} {family}",
            "orcid": f"https://orcid.org/{orcid}" if orcid else None,
        }
        one["raw_author_name"] = f"{given} {family}"
        one["author_position"] = "first" if position == 0 else "middle"
        record["authorships"].append(one)
    location = record["primary_location"]
    location["landing_page_url"] = doi_url
    location["source"]["display_name"] = work.venue
    record["locations"] = [location]
    record["best_oa_location"] = None
    return record


def _external_ids(work: Work) -> dict:
    if not work.doi:
        return {"external-id": []}
    return {
        "external-id": [
            {
                "external-id-type": "doi",
                "external-id-value": work.doi,
                "external-id-normalized": {"value": work.doi, "transient": True},
                "external-id-normalized-error": None,
                "external-id-url": {"value": f"https://doi.org/{work.doi}"},
                "external-id-relationship": "self",
            }
        ]
    }


def orcid_summary(work: Work) -> dict:
    """The work's summary in an ORCID /works answer."""
    summary = copy.deepcopy(_template("orcid/works.json")["group"][0]["work-summary"][0])
    summary.update(
        {
            "put-code": work.put_code,
            "title": {"title": {"value": work.title}, "subtitle": None, "translated-title": None},
            "external-ids": _external_ids(work),
            "url": {"value": f"https://doi.org/{work.doi}"} if work.doi else None,
            "type": "journal-article",
            "publication-date": _orcid_date(work),
            "journal-title": {"value": work.venue},
            "path": f"/{work.person.orcid}/work/{work.put_code}",
            "display-index": "1",
        }
    )
    return summary


def _orcid_date(work: Work) -> dict:
    return {"year": {"value": str(work.year)}, "month": {"value": f"{work.month:02d}"}, "day": None}


def orcid_group(work: Work) -> dict:
    return {
        "last-modified-date": {"value": 1715299200000},
        "external-ids": _external_ids(work),
        "work-summary": [orcid_summary(work)],
    }


def orcid_full(work: Work) -> dict:
    """The work as ORCID's bulk read gives it in full, with its contributors."""
    full = copy.deepcopy(_template("orcid/bulk.json")["bulk"][0]["work"])
    contributor = full["contributors"]["contributor"][0]
    contributors = []
    for position, (given, family, orcid) in enumerate(_signers(work)):
        one = copy.deepcopy(contributor)
        one["credit-name"] = {"value": f"{given} {family}"}
        one["contributor-orcid"] = (
            {"uri": f"https://orcid.org/{orcid}", "path": orcid, "host": "orcid.org"}
            if orcid
            else None
        )
        sequence = "first" if position == 0 else "additional"
        one["contributor-attributes"] = {
            "contributor-sequence": sequence,
            "contributor-role": "author",
        }
        contributors.append(one)
    full.update(
        {
            "put-code": work.put_code,
            "path": f"/{work.person.orcid}/work/{work.put_code}",
            "title": {"title": {"value": work.title}, "subtitle": None, "translated-title": None},
            "journal-title": {"value": work.venue},
            "short-description": " ".join(work.abstract),
            "publication-date": _orcid_date(work),
            "external-ids": _external_ids(work),
            "url": {"value": f"https://doi.org/{work.doi}"} if work.doi else None,
            "contributors": {"contributor": contributors},
            "language-code": "en",
        }
    )
    return full


def crossref_answer(work: Work) -> dict:
    """Crossref's answer for the work's DOI."""
    answer = copy.deepcopy(_template("crossref/work-journal-article.json"))
    message = answer["message"]
    authors = []
    for position, (given, family, orcid) in enumerate(_signers(work)):
        author = {"given": given, "family": family, "affiliation": []}
        author["sequence"] = "first" if position == 0 else "additional"
        if orcid:
            author.update({"ORCID": f"https://orcid.org/{orcid}", "authenticated-orcid": False})
        authors.append(author)
    message.update(
        {
            "DOI": work.doi,
            "URL": f"https://doi.org/{work.doi}",
            "title": [work.title],
            "container-title": [work.venue],
            "short-container-title": [work.venue],
            "is-referenced-by-count": work.cited_by_count,
            "abstract": f"<jats:p>{' '.join(work.abstract)}</jats:p>",
            "author": authors,
            "issued": {"date-parts": [[work.year, work.month]]},
            "published": {"date-parts": [[work.year, work.month]]},
            "published-print": {"date-parts": [[work.year, work.month]]},
            "published-online": {"date-parts": [[work.year, work.month]]},
            "volume": str(work.number % 40 + 1),
            "issue": "2",
            "page": f"{work.number + 1}-{work.number + 12}",
            # No preprint relation: an arXiv id here would join every work into one.
            "relation": {},
            "resource": {"primary": {"URL": f"https://doi.org/{work.doi}"}},
            "link": [],
            "alternative-id": [],
        }
    )
    return answer


# The server -------------------------------------------------------------------------------

_OPENALEX_AUTHOR = re.compile(r"author\.id:(A\d+)")
_ORCID_WORKS = re.compile(r"^/orcid/([0-9X-]{19})/works(?:/([0-9,]+))?$")


class Answers:
    """Which body answers which request; None for 404."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def answer(self, target: str) -> dict | None:
        parts = urlsplit(target)
        path = unquote(parts.path)
        if path == "/openalex/works":
            return self.openalex_page(parse_qs(parts.query))
        if match := _ORCID_WORKS.match(path):
            return self.orcid(match.group(1), match.group(2))
        if path.startswith("/crossref/works/"):
            return self.crossref(path.removeprefix("/crossref/works/").lower())
        return None

    def openalex_page(self, query: dict[str, list[str]]) -> dict | None:
        match = _OPENALEX_AUTHOR.search(query.get("filter", [""])[0])
        person = self.catalogue.by_openalex.get(match.group(1)) if match else None
        if person is None:
            return None
        cursor = query.get("cursor", ["*"])[0]
        start = 0 if cursor == "*" else int(cursor.removeprefix("page-"))
        end = min(start + OPENALEX_PAGE_SIZE, self.catalogue.plan.works)
        page = copy.deepcopy(_template("openalex/works-page-1.json"))
        page["meta"].update(count=self.catalogue.plan.works, per_page=OPENALEX_PAGE_SIZE)
        page["meta"]["next_cursor"] = f"page-{end}" if end < self.catalogue.plan.works else None
        page["results"] = [
            openalex_record(work_of(self.catalogue, person, number)) for number in range(start, end)
        ]
        return page

    def orcid(self, orcid: str, codes: str | None) -> dict | None:
        person = self.catalogue.by_orcid.get(orcid)
        if person is None:
            return None
        if codes is None:
            groups = [
                orcid_group(work_of(self.catalogue, person, number))
                for number in self.catalogue.orcid_numbers()
            ]
            return {"last-modified-date": {"value": 1715299200000}, "group": groups, "path": ""}
        numbers = [int(code) - person.number * PUT_CODE_BASE for code in codes.split(",")]
        works = [orcid_full(work_of(self.catalogue, person, number)) for number in numbers]
        return {"bulk": [{"work": work} for work in works]}

    def crossref(self, doi: str) -> dict | None:
        found = self.catalogue.by_doi.get(doi)
        if found is None:
            return None
        person, number = found
        if number % self.catalogue.plan.crossref_missing_every == 3:
            return None
        return crossref_answer(work_of(self.catalogue, person, number))


def _handler(answers: Answers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs
        # Headers and body leave in two writes: without this, the client's delayed
        # acknowledgement holds every answer back some 40 ms.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            body = answers.answer(self.path)
            status = 200 if body is not None else 404
            payload = json.dumps(body if body is not None else {"error": "not found"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args) -> None:
            pass

    return Handler


def _serve(plan: Plan, ready: multiprocessing.Queue) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Answers(Catalogue(plan))))
    ready.put(server.server_address[1])
    server.serve_forever()


class HarvestServer:
    """The server in a process of its own; ``base_url`` once started. Use it in a with block."""

    def __init__(self, plan: Plan):
        context = multiprocessing.get_context("spawn")
        self._ready = context.Queue()
        self._process = context.Process(target=_serve, args=(plan, self._ready), daemon=True)
        self.base_url = ""

    def __enter__(self) -> "HarvestServer":
        self._process.start()
        port = self._ready.get(timeout=60)
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc_info) -> None:
        self._process.terminate()
        self._process.join(timeout=10)
