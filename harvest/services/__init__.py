"""Writes of the harvest: staging works as candidates, citation counts, editors' rejections,
and a run over researchers and sources."""
