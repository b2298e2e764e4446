"""Works as the sources' adapters give them, for the staging and command tests."""

from harvest.sources.base import HarvestedAuthor, HarvestedWork

TITLE = "On the difficulty of training recurrent neural networks"
DOI = "10.5555/3042817.3043083"
ARXIV_ID = "1211.5063"
OPENALEX_ID = "W2152839228"
DBLP_KEY = "conf/icml/PascanuMB13"
AUTHORS = (
    HarvestedAuthor("Razvan Pascanu", "Razvan", "Pascanu"),
    HarvestedAuthor("Tomas Mikolov", "Tomas", "Mikolov"),
    HarvestedAuthor("Yoshua Bengio", "Yoshua", "Bengio"),
)


def harvested(source: str, source_id: str, **fields) -> HarvestedWork:
    """A work as ``source`` describes it; what the source said (its payload) is every field
    given, so that a different description is a different answer."""
    values = {"title": TITLE, "year": 2013, "kind": "inproceedings", "authors": AUTHORS}
    values.update(fields)
    payload = {name: repr(value) for name, value in sorted(values.items()) if name != "payload"}
    values.setdefault("payload", {"source": source, "id": source_id, **payload})
    return HarvestedWork(source=source, source_id=source_id, **values)


def three_records() -> list[HarvestedWork]:
    """One work as OpenAlex (which knows its DOI and arXiv id), Crossref and arXiv give it."""
    return [
        harvested(
            "openalex",
            OPENALEX_ID,
            doi=DOI,
            arxiv_id=ARXIV_ID,
            openalex_id=OPENALEX_ID,
            venue="International Conference on Machine Learning",
            kind="article",
            cited_by_count=5000,
            counts_by_year={2023: 600, 2024: 700},
        ),
        harvested(
            "crossref",
            DOI,
            doi=DOI,
            venue="ICML 2013",
            pages="1310–1318",
            publisher="JMLR.org",
            cited_by_count=3000,
        ),
        harvested(
            "arxiv",
            ARXIV_ID,
            arxiv_id=ARXIV_ID,
            arxiv_version="v2",
            kind="preprint",
            year=2012,
            abstract="There are two widely known issues with properly training RNNs.",
        ),
    ]
