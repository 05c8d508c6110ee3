"""Column and check builders shared by the raw-source schemas.

The pandera schemas in this package are the single source of truth for what a raw file must
hold. Every builder here produces a plain pandera object; the metadata keys it sets
(``decimal_comma``, ``references``) and the SQL carried by :func:`row_check` are what the
DuckDB validation engine (``ingestion.sql_validation``) reads to run the same rules in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd
import pandera.pandas as pa

DEPCOM_PATTERN = r"^(\d{2}|2A|2B)\d{3}$"
SIRET_PATTERN = r"^\d{14}$"
OUI_NON = ["OUI", "NON"]


def code(values: Sequence, description: str, *, nullable: bool = False, integer: bool = False):
    """A column restricted to a code list; anything else is rejected row by row."""
    dtype = "Int64" if integer else "string"
    return pa.Column(
        dtype, pa.Check.isin(list(values)), nullable=nullable, coerce=True, description=description
    )


def integer(
    description: str,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    nullable: bool = False,
    unique: bool = False,
):
    checks = []
    if min_value is not None and max_value is not None:
        checks.append(pa.Check.in_range(min_value, max_value))
    elif min_value is not None:
        checks.append(pa.Check.ge(min_value))
    return pa.Column(
        "Int64", checks, nullable=nullable, unique=unique, coerce=True, description=description
    )


def decimal(
    description: str,
    *,
    min_value: float,
    max_value: float,
    decimal_comma: bool = False,
    nullable: bool = False,
):
    """A number; with ``decimal_comma`` the file writes it the French way ('12,5')."""
    parsers = [pa.Parser(_comma_to_dot)] if decimal_comma else None
    return pa.Column(
        "Float64",
        pa.Check.in_range(min_value, max_value),
        parsers=parsers,
        nullable=nullable,
        coerce=True,
        description=description,
        metadata={"decimal_comma": decimal_comma},
    )


def text(
    description: str,
    *,
    pattern: str | None = None,
    nullable: bool = False,
    unique: bool = False,
    references: tuple[str, str] | None = None,
    pseudonymised: bool = False,
):
    """Free text, optionally constrained by a regex and/or a reference table's key.

    ``references=(table, column)`` names a validated reference table (``raw_validated.<table>``)
    whose ``column`` lists the valid codes: the list is a user input, not a schema constant.
    ``pseudonymised`` marks a personal identifier: it is checked in clear, then replaced by its
    keyed hash (HMAC-SHA256) as it is loaded, and masked the same way in rejects.
    """
    checks = [pa.Check.str_matches(pattern)] if pattern else []
    metadata = {}
    if references:
        metadata["references"] = references
    if pseudonymised:
        metadata["pseudonymised"] = True
    return pa.Column(
        "string",
        checks,
        nullable=nullable,
        unique=unique,
        coerce=True,
        description=description,
        metadata=metadata or None,
    )


def date(description: str, *, nullable: bool = False):
    """An ISO date (YYYY-MM-DD)."""
    return pa.Column("datetime64[ns]", nullable=nullable, coerce=True, description=description)


def _comma_to_dot(series: pd.Series) -> pd.Series:
    return series.astype("string").str.replace(",", ".", regex=False)


def row_check(name: str, sql: str, columns: Sequence[str], description: str) -> pa.Check:
    """A cross-column rule written once, as a SQL predicate that holds for every valid row.

    The same predicate runs in DuckDB over the landing table (production path) and, through
    DuckDB on the pandas frame, inside pandera's own ``validate`` (used by the tests to prove
    both engines agree). A NULL result passes: missing values are judged by nullability.
    """

    def _check(df: pd.DataFrame) -> pd.Series:
        frame = df[list(columns)].reset_index(drop=True)
        result = duckdb.query_df(
            frame, "frame", f"SELECT coalesce(({sql}), true) AS ok FROM frame"
        ).df()["ok"]
        return pd.Series(result.to_numpy(dtype=bool), index=df.index)

    return pa.Check(
        _check,
        name=name,
        description=description,
        statistics={"sql": sql, "columns": list(columns)},
    )
