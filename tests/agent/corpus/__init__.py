"""A corpus of simulated people setting things up in their own words (issue 22).

Each conversation is a row in a TOML table under ``conversations/``, one file per category
of what people do (yes and no in context, edits at the review, type names, streams in words,
schedules in words, pasted blocks, nothing asked twice, questions mid-flow, no password,
secrets never echoed, terse English). :mod:`tests.agent.corpus.replay` plays a row against a
running app whose connectors reach real services (SeaweedFS S3, PostgreSQL, MariaDB, an
HTTPS server on loopback); ``tests/agent/test_corpus.py`` asserts every row and
``python -m tests.agent.corpus`` prints the completion rate by category.

A row's messages name the world's values as ``{s3.bucket}``, ``{pg.db}``, ``{hook.url}`` and
so on (see :mod:`tests.agent.corpus.world`), so the same row runs against fresh buckets and
databases every time.
"""
