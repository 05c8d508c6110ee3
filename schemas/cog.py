"""COG: INSEE's official geographic code, the communes of France at 1 January of its vintage
(``raw/cog/communes_<vintage>.csv``, UTF-8, ``,``-separated). Reference data, committed: the
2026 vintage has 34,875 communes (metropolitan France and the overseas départements; the
overseas collectivities, outside the RPLS and the SNE, are not in it). Extracted from the
npm package ``@etalab/decoupage-administratif`` 6.0.0 (data: INSEE, Licence Ouverte 2.0)."""

import pandera.pandas as pa

from schemas.columns import DEPCOM_PATTERN, integer, text
from schemas.source import RawSource

COMMUNES = pa.DataFrameSchema(
    {
        "DEPCOM": text("INSEE code of the commune.", pattern=DEPCOM_PATTERN, unique=True),
        "LIBCOM": text("Name of the commune (COG spelling, with its article)."),
        "DEP": text(
            "Code of its département (01-95, 2A, 2B, 971-976).", pattern=r"^(\d{2,3}|2A|2B)$"
        ),
        "REG": text("Code of its region.", pattern=r"^\d{2}$"),
        "POPULATION": integer("Municipal population (INSEE census).", min_value=0, nullable=True),
    },
    name="cog_communes",
)

SOURCE = RawSource(
    name="cog_communes",
    title="COG communes (INSEE)",
    schema=COMMUNES,
    folder="cog",
    pattern=r"communes_(?P<vintage>\d{4})",
    file_columns={"vintage": "_file_vintage"},
    unique_per_file=True,
)
