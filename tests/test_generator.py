"""The sample generator: same seed same bytes, real formats, internally consistent."""

from __future__ import annotations

import hashlib

import pandas as pd

from samples.generator import generate, has_extracts


def _digests(root) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.csv"))
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    generate(tmp_path / "a", "tiny", seed=3, bad_rows=0.02, progress=lambda m: None)
    generate(tmp_path / "b", "tiny", seed=3, bad_rows=0.02, progress=lambda m: None)
    generate(tmp_path / "c", "tiny", seed=4, progress=lambda m: None)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert a == b
    assert a["rpls/rpls_2024_31.csv"] != c["rpls/rpls_2024_31.csv"]


def test_rpls_is_latin1_semicolon_with_decimal_commas(tiny_clean):
    raw = (tiny_clean / "rpls" / "rpls_2024_31.csv").read_bytes()
    assert "é".encode("latin-1") in raw and "é".encode() not in raw
    header, first = raw.decode("latin-1").splitlines()[:2]
    fields = dict(zip(header.split(";"), first.split(";"), strict=True))
    assert "," in fields["SURFHAB"] and "." not in fields["SURFHAB"]


def test_extracts_are_consistent_with_the_register(tiny_clean):
    def read(rel, **kw):
        return pd.read_csv(tiny_clean / rel, sep=";", dtype=str, **kw)

    rpls24 = read("rpls/rpls_2024_31.csv", encoding="latin-1")
    rpls25 = read("rpls/rpls_2025_31.csv", encoding="latin-1")
    registers = pd.concat(
        [
            rpls24,
            rpls25,
            read("rpls/rpls_2026_31.csv", encoding="latin-1"),
            read("rpls/rpls_2026_82.csv", encoding="latin-1"),
        ]
    )
    decisions = read("sne/attributions_2025.csv")
    assert decisions.IDENT_REP.isin(registers.IDENT_REP).all()
    demands = pd.concat(
        [
            read("sne/demandes_2025.csv"),
            read("sne/demandes_2026T1.csv"),
            read("sne/demandes_2026T2.csv"),
        ]
    )
    assert decisions.NUM_UNIQUE.isin(demands.NUM_UNIQUE).all()
    ops = read("ops/ops_2024_31.csv")
    let = rpls24[rpls24.MODE == "1"]
    assert ops.IDENT_REP.isin(let.IDENT_REP).all()
    plans = pd.read_csv(tiny_clean / "acd" / "plans_2025.csv", dtype=str)
    delivered_2024 = set(rpls25.IDENT_REP) - set(rpls24.IDENT_REP)
    planned_2024 = plans[(plans.KIND == "DELIVERY") & (plans.YEAR == "2024")]
    assert planned_2024.DWELLINGS.astype(int).sum() == len(delivered_2024) + len(
        set(read("rpls/rpls_2025_82.csv", encoding="latin-1").IDENT_REP)
        - set(read("rpls/rpls_2024_82.csv", encoding="latin-1").IDENT_REP)
    )
    gone = plans[plans.KIND.isin(["DEMOLITION", "SALE_UNITS"]) & (plans.YEAR == "2025")]
    assert not set(gone.IDENT_REP) & set(
        read("rpls/rpls_2026_31.csv", encoding="latin-1").IDENT_REP
    )


def test_has_extracts_looks_only_at_registers(tmp_path, tiny_clean):
    assert has_extracts(tiny_clean)
    (tmp_path / "acd").mkdir()
    (tmp_path / "acd" / "qpv.csv").write_text("x")
    assert not has_extracts(tmp_path)


def test_the_france_sample_has_every_source_of_the_runs_on_real_communes(tmp_path, monkeypatch):
    """The France scale, shrunk (same code, fewer rows): every source the annual and quarterly
    runs read, communes drawn from the COG (no invented code), register ids unique across
    départements (overseas ones share their first two digits)."""
    import csv

    import samples.france as france

    monkeypatch.setattr(france, "DWELLINGS", 30_000)
    monkeypatch.setattr(france, "DEMANDS", 4_000)
    monkeypatch.setattr(france, "DECISIONS", 800)
    report = france.generate_france(tmp_path, 7, 0.0, progress=lambda m: None)
    files = set(report.files)
    for expected in (
        "rpls/rpls_2024_31.csv",
        "rpls/rpls_2024_971.csv",
        "rpls/rpls_2024_2A.csv",
        "ops/ops_2024_31.csv",
        "ops/vacance_commerciale_2024.csv",
        "acd/plans_2025.csv",
        "acd/dalo.csv",
        "sne/demandes_2025.csv",
        "sne/attributions_2025.csv",
        "sne/demandes_2026T1.csv",
        "sne/attributions_2026T1.csv",
    ):
        assert expected in files, expected
    assert report.files["sne/attributions_2026T1.csv"] == 800 // 4
    with (tmp_path / "cog" / "communes_2026.csv").open(encoding="utf-8") as handle:
        cog = {row["DEPCOM"] for row in csv.DictReader(handle)}
    communes, idents = set(), []
    for path in (tmp_path / "rpls").glob("rpls_2024_*.csv"):
        with path.open(encoding="latin-1") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        communes |= {row["DEPCOM"] for row in rows}
        idents += [row["IDENT_REP"] for row in rows]
    assert communes <= cog and len(communes) > 1_000
    assert len(idents) == len(set(idents))
    numbers = []
    for period in ("2025", "2026T1"):
        sne = tmp_path / "sne"
        demands = pd.read_csv(sne / f"demandes_{period}.csv", sep=";", dtype=str)
        decisions = pd.read_csv(sne / f"attributions_{period}.csv", sep=";", dtype=str)
        demands = demands.set_index("NUM_UNIQUE")
        # every decision answers a demand of its extract, created before its commission
        assert decisions.NUM_UNIQUE.isin(demands.index).all(), period
        assert decisions.NUM_UNIQUE.is_unique and decisions.IDENT_REP.is_unique
        asked = demands.loc[decisions.NUM_UNIQUE]
        waited = (
            pd.to_datetime(decisions.DATE_CALEOL).to_numpy()
            - pd.to_datetime(asked.DATE_CREATION).to_numpy()
        )
        assert (waited >= pd.Timedelta(days=30)).all()
        # struck off for a lease only when the extract holds its decision
        assert demands.index[demands.MOTIF_RADIATION.eq("RADATT")].isin(decisions.NUM_UNIQUE).all()
        signed = decisions.ISSUE.eq("BAIL_SIGNE").to_numpy()
        assert (asked.MOTIF_RADIATION.to_numpy()[signed] == "RADATT").all()
        assert (asked.DATE_RADIATION.to_numpy()[signed] == decisions.DATE_BAIL[signed]).all()
        assert signed.any() and not signed.all()
        assert (asked.DEPCOM_SOUHAITE_1.to_numpy() == decisions.DEPCOM.to_numpy()).all()
        numbers.append(set(demands.index))
    assert not numbers[0] & numbers[1]  # a number names one demand
