"""The placeholder rewriting for PostgreSQL: ``?`` outside string literals only."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pyplow.analytics.models.database import _to_psycopg


def test_placeholders_and_percent_signs() -> None:
    sql = "select coalesce(a, '?'), b like 'x%' from t where c = ? and d = ?"
    assert _to_psycopg(sql) == (
        "select coalesce(a, '?'), b like 'x%%' from t where c = %s and d = %s"
    )
    assert _to_psycopg("select 'it''s ?', ?") == "select 'it''s ?', %s"


@given(st.lists(st.sampled_from(["?", "'a?b'", " x ", "%", "'%'", "''"]), max_size=12))
def test_only_bare_question_marks_become_parameters(parts: list[str]) -> None:
    out = _to_psycopg("".join(parts))
    assert out.count("%s") == parts.count("?")
    assert out.replace("%s", "").replace("%%", "").count("%") == 0
