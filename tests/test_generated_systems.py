"""Generated systems (issue 27): generation, determinism, names, bad input, validation, shared solvers,
the corpus build (resumable, byte-reproducible).

The battery runs here with short settings (its thresholds are measured on the catalog with the
defaults, docs/generated.md); the catalog-wide measurement is `chaoszoo generated catalog`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import chaoszoo as cz
from chaoszoo.analysis.attractor import Settings, validate, validate_members
from chaoszoo.catalog import generated as g
from chaoszoo.catalog.generated import recipes
from chaoszoo.catalog.generated.build import mutation_structure, structure
from chaoszoo.errors import InvalidArgumentError, UnknownSystemError

#: Short battery settings for tests (the defaults integrate 1,100 periods per member).
FAST = Settings(transient_periods=50.0, transient_block_periods=25.0, zero_one_periods=50.0, window_periods=40.0,
                lyapunov_extend=1)


# --- generation -------------------------------------------------------------------------------
def test_skew_product_is_a_declaration_like_any_other():
    d = g.skew_product("Lorenz", "Rossler", "additive", seed=12)
    assert d.name == "SkewLorenzRosslerAddS12"
    assert d.kind == "flow" and d.dimension == 6
    assert d.variables == ("x_d", "y_d", "z_d", "x_r", "y_r", "z_r")
    assert d.observed == (3, 4, 5)
    assert {"sigma_d", "rho_d", "beta_d", "a_r", "b_r", "c_r", "c00", "b2"} <= set(d.params)
    s = cz.get("SkewLorenzRosslerAddS12")
    assert s.declaration is d
    f = s.rhs(s.ic)
    assert f.shape == (6,) and np.isfinite(f).all()
    # the driver is the Lorenz flow itself at its catalog parameters, on its own clock (one time
    # unit = one Lorenz period); the response is Rossler at its mutated parameters on its own
    # clock, plus the affine coupling C x_d + b
    lor, ros = cz.get("Lorenz"), cz.get("Rossler")
    assert d.params["Td"] == lor.period and d.params["Tr"] == ros.period
    assert all(d.params[k + "_d"] == v for k, v in lor.params.items())
    np.testing.assert_allclose(f[:3], lor.period * lor.rhs(s.ic[:3]), rtol=1e-14)
    ros_m = ros.with_params(**{k: d.params[k + "_r"] for k in ros.params})
    assert any(d.params[k + "_r"] != v for k, v in ros.params.items())
    C = np.array([[d.params[f"c{i}{j}"] for j in range(3)] for i in range(3)])
    b = np.array([d.params[f"b{i}"] for i in range(3)])
    np.testing.assert_allclose(f[3:], ros.period * ros_m.rhs(s.ic[3:]) + C @ s.ic[:3] + b, rtol=1e-12, atol=1e-12)
    J = s.jacobian(s.ic)
    assert J.shape == (6, 6) and np.all(J[:3, 3:] == 0)  # a skew product: the driver ignores the response
    # the exact Jacobian against central differences
    h = 1e-6
    num = np.stack([(s.rhs(s.ic + h * e) - s.rhs(s.ic - h * e)) / (2 * h) for e in np.eye(6)], axis=1)
    np.testing.assert_allclose(J, num, rtol=1e-5, atol=1e-5)
    tex = s.latex()
    assert tex.count("\\dot") == 6 and "c_{00} x_{d}" in tex


@pytest.mark.parametrize("make", [lambda: g.skew_product("Thomas", "Lorenz", "activated", 1),
                                  lambda: g.skew_product("Aizawa", "Chen", "additive", 7),
                                  lambda: g.mutation("Rossler", 5)], ids=["activated", "additive", "mutation"])
def test_exact_jacobian_matches_finite_differences(make):
    s = cz.get(make().name)
    x = s.ic + 0.1 * np.arange(1, s.dimension + 1)   # off the initial condition
    h = 1e-6 * (1 + np.abs(x))
    num = np.stack([(s.rhs(x + h[i] * e) - s.rhs(x - h[i] * e)) / (2 * h[i]) for i, e in enumerate(np.eye(len(x)))],
                   axis=1)
    J = s.jacobian(x)
    np.testing.assert_allclose(J, num, rtol=1e-5, atol=1e-6 * np.abs(J).max())
    if s.declaration.recipe["kind"] == "skew":
        dd = s.dimension - len(s.declaration.observed)
        assert np.all(J[:dd, dd:] == 0) and np.abs(J[dd:, :dd]).max() > 0   # driven, not driving


def test_additive_coupling_is_a_scaled_signed_permutation():
    d = g.skew_product("Lorenz", "Thomas", "additive", seed=3)
    C = np.array([[d.params[f"c{i}{j}"] for j in range(3)] for i in range(3)])
    assert (np.count_nonzero(C, axis=1) <= 1).all()           # one driver coordinate per response coordinate
    assert len({int(np.flatnonzero(r)[0]) for r in C if r.any()}) == np.count_nonzero(C.any(axis=1))
    kappa = d.recipe["coupling_strength"]
    assert recipes.COUPLING_STRENGTH[0] <= kappa <= recipes.COUPLING_STRENGTH[1]
    sc = g.scales()["systems"]
    mu, sd, rms = (np.array(sc[n][k]) for n, k in (("Lorenz", "mean"), ("Lorenz", "std"), ("Thomas", "field_rms")))
    rms = rms * cz.get("Thomas").period   # the response's speed on its own clock (one period per time unit)
    for i, row in enumerate(C):
        if row.any():
            j = int(np.flatnonzero(row)[0])
            assert abs(row[j]) == pytest.approx(kappa * rms[i] / sd[j], rel=1e-12)
    b = np.array([d.params[f"b{i}"] for i in range(3)])
    np.testing.assert_allclose(b, -C @ mu, rtol=1e-12, atol=1e-15)


def test_activated_form_and_mutation():
    a = g.skew_product("Thomas", "Lorenz", "Act", seed=1)
    assert a.name == "SkewThomasLorenzActS1" and a.recipe["rank"] == 2
    assert "\\tanh" in cz.get(a.name).latex()
    m = g.mutation("Lorenz", seed=4)
    assert m.name == "MutLorenzS4" and set(m.params) == set(cz.get("Lorenz").params)
    base = cz.get("Lorenz").params
    assert any(m.params[k] != base[k] for k in base)
    assert cz.get("MutLorenzS4").declaration is m


def test_mutation_rule_keeps_or_flips_signs():
    params = {"a": 2.0, "b": -3.0, "d": 1e-3, "c": 0.0}
    # the documented rule, written out: per parameter one standard normal xi then one uniform u;
    # magnitude |p (1 + s xi)|, sign flipped iff u < flip probability; zeros kept
    rng = np.random.default_rng(0)
    draws = [(rng.standard_normal(), rng.random()) for _ in params]
    for scale, flip in ((5.0, 0.0), (0.1, 1.0), (0.3, 0.5)):
        got = recipes.mutate(params, np.random.default_rng(0), scale=scale, flip_probability=flip)
        for (k, p), (xi, u) in zip(params.items(), draws):
            want = 0.0 if p == 0 else np.sign(p) * (-1 if u < flip else 1) * abs(p * (1 + scale * xi))
            assert got[k] == want, (k, scale, flip)
    # with scale 5 some draw crosses zero (1 + 5 xi < 0) and is reflected, keeping the sign
    assert any(1 + 5.0 * xi < 0 for (k, p), (xi, _) in zip(params.items(), draws) if p != 0)
    kept = recipes.mutate(params, np.random.default_rng(0), scale=5.0, flip_probability=0.0)
    assert kept["c"] == 0.0 and kept["a"] > 0 and kept["b"] < 0 and kept["d"] > 0
    flipped = recipes.mutate(params, np.random.default_rng(0), scale=0.1, flip_probability=1.0)
    assert flipped["a"] < 0 and flipped["b"] > 0 and flipped["c"] == 0.0 and flipped["d"] < 0


# --- determinism and names ----------------------------------------------------------------------
def test_same_seed_same_bytes_in_another_process():
    d = g.skew_product("Lorenz", "Rossler", "activated", seed=5)
    here = g.canonical_bytes(d)
    g.build._from_recipe.cache_clear()
    again = g.canonical_bytes(g.skew_product("Lorenz", "Rossler", "activated", seed=5))
    assert again == here
    code = ("import sys; from chaoszoo.catalog import generated as g; "
            "sys.stdout.buffer.write(g.canonical_bytes(g.skew_product('Lorenz', 'Rossler', 'activated', 5)))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert other == here
    assert g.canonical_bytes(g.skew_product("Lorenz", "Rossler", "activated", seed=6)) != here


def test_names_parse_back_to_their_recipe():
    flows = set(g.eligible_flows())
    for d in (g.skew_product("Lorenz", "Rossler", "additive", 12), g.skew_product("Chen", "Thomas", "activated", 0),
              g.mutation("Rossler", 99)):
        r = recipes.parse_name(d.name, flows)
        assert r is not None and r.name == d.name
        assert g.from_recipe(r.to_dict()) is d
    assert recipes.parse_name("Lorenz", flows) is None
    assert recipes.parse_name("SkewLorenzNotASystemAddS1", flows) is None
    assert recipes.parse_name("MutLorenzS", flows) is None
    # a pair whose concatenation splits two ways is refused
    assert recipes.pair_is_ambiguous("Ab", "CdEf", {"Ab", "CdEf", "AbCd", "Ef"})
    assert not recipes.pair_is_ambiguous("Lorenz", "Rossler", flows)


def test_generated_family_is_apart_from_the_catalog():
    names = cz.names()
    assert len(names) == 186 and not any(n.startswith(("Skew", "Mut")) for n in names)
    d = g.register(g.mutation("Rossler", 3))
    assert "MutRosslerS3" in cz.names(generated=True) and "MutRosslerS3" not in cz.names()
    assert cz.names(kind="flow", generated=True) == sorted(cz.names(kind="flow") + g.registered())
    assert cz.get("MutRosslerS3").declaration is d
    with pytest.raises(UnknownSystemError):
        cz.get("SkewLorenzNoSuchAddS1")


# --- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda: g.skew_product("Lorenz", "Lorenz"), "two different flows"),
    (lambda: g.skew_product("MackeyGlass", "Lorenz"), "delay equation"),
    (lambda: g.skew_product("Lorenz", "Henon"), "map"),
    (lambda: g.skew_product("Lorenz", "Torus"), "not chaotic"),
    (lambda: g.skew_product("Lorenz", "Rossler", seed=1.5), "integer"),
    (lambda: g.skew_product("Lorenz", "Rossler", seed="3"), "integer"),
    (lambda: g.skew_product("Lorenz", "Rossler", seed=True), "integer"),
    (lambda: g.skew_product("Lorenz", "Rossler", seed=-1), "2\\*\\*63"),
    (lambda: g.skew_product("Lorenz", "Rossler", form="multiplicative"), "coupling form"),
    (lambda: g.mutation("Henon", 0), "map"),
    (lambda: g.skew_products([]), "empty"),
    (lambda: g.skew_products([("Lorenz", "Rossler")], seeds=[]), "empty"),
    (lambda: g.skew_products([("Lorenz",)]), "driver, response"),
])
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(InvalidArgumentError, match=match):
        call()


def test_an_undefined_field_is_refused_before_any_work():
    # WindmiReduced's field holds vsw ** 0.5; seeds 11 and 17 flip the sign of vsw (the 5 % flip
    # rule), which makes it complex: the only such draws of seeds 0-99 of the 109 eligible flows
    wr = cz.get("WindmiReduced").params
    for seed in (11, 17):
        params = recipes.mutate(dict(wr), recipes.Recipe("mutation", seed, base="WindmiReduced").rng(),
                                recipes.MUTATION_SCALE, recipes.FLIP_PROBABILITY)
        assert params["vsw"] < 0 < wr["vsw"]
        with pytest.raises(InvalidArgumentError, match="undefined at the initial condition .components p complex"):
            g.mutation("WindmiReduced", seed)
        with pytest.raises(InvalidArgumentError, match="undefined"):
            cz.get(f"MutWindmiReducedS{seed}")
    assert g.mutation("WindmiReduced", 12).params["vsw"] > 0
    # a non-finite value is refused as well
    S = mutation_structure("Lorenz")
    rec = recipes.Recipe("mutation", 0, base="Lorenz")
    with pytest.raises(InvalidArgumentError, match="undefined.*not finite"):
        g.build._finish(rec, S, {"beta": 1.0, "rho": float("nan"), "sigma": 1.0}, S.ic, {}, "test")


# --- shared solvers -----------------------------------------------------------------------------
def test_systems_of_one_structure_share_a_compiled_solver():
    from chaoszoo.data.storage import declaration_hash
    from chaoszoo.engine import aot

    a, b = g.skew_product("Lorenz", "Thomas", "additive", 21), g.skew_product("Lorenz", "Thomas", "additive", 22)
    S = structure("Lorenz", "Thomas", "additive")
    assert a == b == S and hash(a) == hash(b) == hash(S) and a is not b
    assert a != cz.get("Lorenz").declaration and mutation_structure("Lorenz") != cz.get("Lorenz").declaration
    assert declaration_hash(a) != declaration_hash(b)   # per-system hashes are never shared
    cz.get(a.name).trajectory(200, pts_per_period=20)
    before = aot.STATS["compiled"] + aot.STATS["loaded"]
    ya = cz.get(a.name).trajectory(200, pts_per_period=20).values
    yb = cz.get(b.name).trajectory(200, pts_per_period=20).values
    assert aot.STATS["compiled"] + aot.STATS["loaded"] == before   # the second system compiled nothing
    assert not np.array_equal(ya, yb)                                # with its own parameters
    # the counter does see a new structure (control: another pair compiles or loads a solver)
    cz.get(g.skew_product("Thomas", "Lorenz", "additive", 21).name).trajectory(200, pts_per_period=20)
    assert aot.STATS["compiled"] + aot.STATS["loaded"] > before


# --- validation ---------------------------------------------------------------------------------
def test_validation_on_a_few_systems():
    L = cz.get("Lorenz")
    # Lorenz at its catalog parameters (chaotic, lambda_1 = 0.9056, Sprott's reference value); at
    # rho = 10 its orbits settle on a stable fixed point (C+-, stable for 1 < rho < 24.74); at
    # rho = 350 on a stable periodic orbit; KawczynskiStrizhak is tagged periodic in the catalog
    # (a limit cycle) and Torus quasi-periodic
    lorenz, fixed, cycle, ks, torus = validate(
        [L, L.with_params(rho=10.0), L.with_params(rho=350.0), "KawczynskiStrizhak", "Torus"], settings=FAST)
    assert lorenz.passed and lorenz.failed == () and lorenz.reason is None
    assert lorenz.values["lyapunov"] == pytest.approx(0.9056, abs=max(0.1, 3 * lorenz.values["lyapunov_stderr"]))
    assert lorenz.values["zero_one"] > 0.8
    assert not fixed.passed and fixed.failed[0] == "not_fixed_point" and "comes to rest" in fixed.reason
    assert fixed.values["lyapunov"] < 0
    for v in (cycle, ks, torus):
        assert not v.passed and v.failed[0] == "not_limit_cycle_or_torus" and "lyapunov" in v.failed, v
    assert ks.values["recurrence"] < 1e-3 and "limit cycle" in ks.reason
    assert torus.values["line_fraction"] > 0.999
    assert set(lorenz.to_dict()) == {"system", "passed", "failed", "reason", "values"}
    json.dumps(fixed.to_dict(), allow_nan=False)   # NaN/inf statistics are written as null


def test_a_blow_up_is_a_rejected_candidate_not_a_crash():
    # Lorenz forcing Rossler additively pushes Rossler out of its basin (every seed 0..19 escapes
    # within 100 periods); the structure's own parameters (zero coupling) are Rossler unperturbed
    S = structure("Lorenz", "Rossler", "additive")
    bad = g.skew_product("Lorenz", "Rossler", "additive", 0)
    with pytest.raises(cz.IntegrationError):
        cz.get(bad.name).trajectory(2000, pts_per_period=20)
    vs = validate_members(S, [bad.params, dict(S.params)], np.array([bad.ic, S.ic]), names=[bad.name, "free"],
                          settings=FAST)
    assert [v.system for v in vs] == [bad.name, "free"]
    assert not vs[0].passed and vs[0].failed == ("bounded",) and "integration failed" in vs[0].reason
    # the escaping member does not disturb its neighbour: same window statistics as alone, and
    # lambda_1 of the uncoupled product is the Lorenz exponent (0.9056 per unit time, Sprott's
    # reference value) on the driver's clock, i.e. times the Lorenz period
    alone = validate_members(S, [dict(S.params)], np.array([S.ic]), names=["free"], settings=FAST)[0]
    assert vs[1].passed and alone.passed
    keys = set(vs[1].values) - {"lyapunov", "lyapunov_stderr"}
    assert keys and {k: vs[1].values[k] for k in keys} == {k: alone.values[k] for k in keys}
    lam = 0.9056 * cz.get("Lorenz").period
    for v in (vs[1], alone):
        assert v.values["lyapunov"] == pytest.approx(lam, abs=max(0.1, 3 * v.values["lyapunov_stderr"]))


# --- the corpus ---------------------------------------------------------------------------------
def _tiny():
    from chaoszoo.data.corpus import CorpusPreset

    return CorpusPreset(name="t", pairs=2, per_pair=1, per_base=1, max_candidates=4, batch=2, n_ics=2, n=64,
                        pts_per_period=16, decorrelation_periods=2.0, heldout_fraction=0.5,
                        bases=("Lorenz", "Thomas", "Chen", "Aizawa"),
                        validator=dict(transient_periods=60.0, screen_periods=10.0, transient_block_periods=10.0,
                                       zero_one_periods=20.0, window_periods=30.0, lyapunov_extend=1))


def test_corpus_is_resumable_and_byte_reproducible(tmp_path, monkeypatch):
    from chaoszoo.data import corpus

    preset = _tiny()
    a = corpus.build_corpus(preset, tmp_path / "a", progress=False, tasks=3)
    m = a.manifest
    assert m["counts"]["systems"] == len(m["systems"]) >= 1
    for name, info in m["systems"].items():
        assert info["split"] in ("train", "held-out") and info["tests"]["lyapunov"] is not None
        assert g.from_recipe(info["recipe"]).name == name
    # an interrupted build (the second task never finishes) resumes to the same bytes
    real = corpus.run_task
    calls = {"n": 0}

    def flaky(out, settings, task):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("simulated interruption")
        return real(out, settings, task)

    monkeypatch.setattr(corpus, "run_task", flaky)
    with pytest.raises(KeyboardInterrupt):
        corpus.build_corpus(preset, tmp_path / "b", progress=False, tasks=3)
    assert not (tmp_path / "b" / "manifest.json").exists()
    monkeypatch.setattr(corpus, "run_task", real)
    b = corpus.build_corpus(preset, tmp_path / "b", progress=False, tasks=3)
    assert len(b.reused) == 1
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (tmp_path / "b" / "manifest.json").read_bytes()
    for rel in m["files"]:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert corpus.corpus_fingerprint(tmp_path / "a") == corpus.corpus_fingerprint(tmp_path / "b")
    # a finished corpus is confirmed, not rebuilt; its systems join the generated family on load
    again = corpus.build_corpus(preset, tmp_path / "a", progress=False, tasks=3)
    assert again.generated == ()
    doc = corpus.load(tmp_path / "a")
    assert set(doc["systems"]) <= set(cz.names(generated=True))
    # the shards hold n_ics trajectories per system
    import pyarrow.parquet as pq

    rows = sum(pq.read_table(tmp_path / "a" / rel).num_rows for rel in m["files"] if rel.endswith(".parquet"))
    assert rows == preset.n_ics * m["counts"]["systems"]
    # the fingerprint is the SHA-256 of manifest.json, which holds each shard's SHA-256
    import hashlib

    from click.testing import CliRunner

    from chaoszoo.cli import main

    fp = hashlib.sha256((tmp_path / "a" / "manifest.json").read_bytes()).hexdigest()
    assert corpus.corpus_fingerprint(tmp_path / "a") == fp
    res = CliRunner().invoke(main, ["generated", "fingerprint", str(tmp_path / "a")])
    assert res.exit_code == 0 and res.output.strip() == fp
    for rec in m["task_records"]:
        if rec["file"]:
            assert hashlib.sha256((tmp_path / "a" / rec["file"]).read_bytes()).hexdigest() == rec["sha256"]
    # a stored trajectory is an orbit of the named system: its parameters, and the engine's
    # integration from its first sample over one period agrees (float32 storage)
    rec = next(r for r in m["task_records"] if r["systems"])
    row = pq.read_table(tmp_path / "a" / rec["file"]).slice(0, 1).to_pylist()[0]
    s = cz.get(row["system"])
    assert json.loads(row["params"]) == dict(s.params)
    Y = np.array(row["values"], dtype=np.float64)
    assert Y.shape == (preset.n, s.dimension) and row["dt"] == s.period / preset.pts_per_period
    k = preset.pts_per_period + 1
    again = s.trajectory(k, dt=row["dt"], ic=Y[0], t_start=row["t0"]).values
    np.testing.assert_allclose(again, Y[:k], rtol=0, atol=2e-5 * np.abs(Y[:k]).max())   # seen: 2.4e-6 of max


def test_corpus_bad_input():
    from chaoszoo.data.corpus import CorpusPreset, build_corpus

    with pytest.raises(InvalidArgumentError, match="generates nothing"):
        CorpusPreset(name="x", pairs=0, per_base=0)
    with pytest.raises(InvalidArgumentError, match="seed"):
        CorpusPreset(name="x", seed=1.5)
    with pytest.raises(InvalidArgumentError, match="unknown settings"):
        CorpusPreset(name="x", validator={"windows": 3})
    with pytest.raises(InvalidArgumentError, match="cannot be a base"):
        build_corpus(CorpusPreset(name="x", bases=("Lorenz", "Henon")), "/nonexistent/never-created")


def test_cli_make_prints_the_canonical_description(tmp_path):
    from click.testing import CliRunner

    from chaoszoo.cli import main

    res = CliRunner().invoke(main, ["generated", "make", "--driver", "Lorenz", "--response", "Rossler", "--seed", "12"])
    assert res.exit_code == 0, res.output
    name, rest = res.output.split("\n", 1)
    assert name == "SkewLorenzRosslerAddS12"
    assert json.loads(rest)["recipe"]["seed"] == 12
    bad = CliRunner().invoke(main, ["generated", "make", "--driver", "Lorenz", "--response", "Lorenz", "--seed", "1"])
    assert bad.exit_code == 2 and "two different flows" in bad.output
    bad = CliRunner().invoke(main, ["generated", "make", "--base", "Lorenz", "--seed", "1.5"])
    assert bad.exit_code == 2 and "integer" in bad.output
    # validate, fingerprint: bad input fails before any work, with the library's message
    bad = CliRunner().invoke(main, ["generated", "validate", "Lorenz", "SkewLorenzNoSuchAddS1"])
    assert bad.exit_code == 2 and "Unknown system 'SkewLorenzNoSuchAddS1'" in bad.output
    bad = CliRunner().invoke(main, ["generated", "validate", "MutWindmiReducedS11"])
    assert bad.exit_code == 2 and "undefined" in bad.output
    bad = CliRunner().invoke(main, ["generated", "fingerprint", str(tmp_path)])
    assert bad.exit_code == 2 and "no finished corpus" in bad.output
