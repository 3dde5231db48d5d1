"""Identity's rules are written once: the given-name rule lives in one dbt macro that the pair
guards render. (That its SQL is data, one statement per file and none of it in Python strings,
is `test_sql_as_data.py`'s, for every module.)"""

from __future__ import annotations

from customer_truth.settings import DBT_PROJECT_DIR, REPO_ROOT
from customer_truth.statements import PACKAGE_DIR, statement

IDENTITY_DIR = PACKAGE_DIR / "identity"


def test_the_given_name_rule_is_written_once_and_the_pair_guards_render_it() -> None:
    # the list of gendered suffixes (Eric / Erica) stands for the rule: it appears in one file
    holders = [
        path.relative_to(REPO_ROOT).as_posix()
        for root in (IDENTITY_DIR, DBT_PROJECT_DIR / "macros", DBT_PROJECT_DIR / "models")
        for path in root.rglob("*")
        if path.suffix in {".py", ".sql", ".yml"} and "'ette'" in path.read_text()
    ]
    assert holders == ["dbt_project/macros/identity_given_names_compatible.sql"]
    guards = statement("identity/sql/resolve/guarded_pairs")
    assert "'ette'" in guards and "jaro_winkler_similarity(l.family_name, r.given_name)" in guards
