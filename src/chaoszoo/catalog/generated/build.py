"""Generated declarations: skew products of two catalog flows, and parameter mutations.

**Skew product.** A driver flow ``x_d' = f_d(x_d)`` forces a response flow through a coupling of
the driver's *state*::

    x_d' = T_d f_d(x_d, T_d t; p_d)
    x_r' = T_r f_r(x_r, T_r t; p_r) + u(x_d)

Each component runs on its own clock, one unit of time being one of its catalog periods ``T_d``,
``T_r`` (parameters ``Td`` and ``Tr`` of the declaration), so the skew product's period is 1 and
a driver does not race through hundreds of cycles while its response completes one (the
Glycolytic oscillation's period is 50.5, YuWang2's 0.39: on a common clock, 1,000 periods of one
were 130,000 of the other). The coupling takes one of two forms (``z_d = (x_d - mu_d) / sigma_d`` is the driver's state
standardised by its mean and standard deviation on its attractor, ``s_r`` the root-mean-square
of each response component's field on the response's attractor, ``kappa`` the coupling
strength; ``s_r`` is measured on the response's own clock, i.e. ``T_r`` times the RMS of ``f_r``):

* ``additive``: ``u_i = kappa s_r,i e_i z_d,pi(i)``, a signed (``e_i = +-1``) permutation of the
  driver's coordinates; ``pi`` is a random injection of the response's coordinates into
  ``max(d_d, d_r)`` slots, so when the response has more coordinates than the driver some of
  them receive nothing. Written as ``u = C x_d + b`` with ``C = kappa diag(s_r) E P diag(1/sigma_d)``
  and ``b = -C mu_d``: the matrix and offset are parameters of the declaration.
* ``activated``: ``u = kappa diag(s_r) W tanh(V z_d + a)``, a rank-``r`` map (``r = 2``): ``V``
  (``r x d_d``, entries ``N(0, 1/d_d)``), ``a`` (``N(0, 1/4)``), ``W`` (``d_r x r``, entries
  ``N(0, 1/r)``). Parameters ``v_kj = V_kj / sigma_d,j``, ``a_k - sum_j v_kj mu_d,j`` and
  ``w_ik = kappa s_r,i W_ik``.

The scale normalisation makes the coupling term's typical size ``kappa`` times the response's own
typical speed whatever the units of the two systems; ``kappa`` is drawn log-uniformly in
``[0.1, 1]``. The response's parameters are then mutated (relative Gaussian, 10 %, signs kept);
the driver keeps its catalog parameters, at which it is a validated chaotic flow (mutating it
too turned a third of the drivers of a first trial periodic, and their responses with them). The statistics ``mu_d``, ``sigma_d``, ``s_r`` come from
``catalog/data/generated_scales.json`` (computed from the catalog's equations by
``chaoszoo generated scales``), so generation itself integrates nothing.

**Mutation.** A catalog flow's parameters perturbed (relative Gaussian, 10 %; each sign flipped
with probability 5 %, otherwise kept).

**Shared solvers.** Every skew product of one driver, one response and one coupling form has the
same equations, with the coupling coefficients and all parameters as *data*: it is a
:class:`GeneratedDeclaration` whose ``structure`` is one canonical declaration per (driver,
response, form) (:func:`structure`); every mutation of one base shares :func:`mutation_structure`
(the base's equations under a name of their own). A generated declaration compares equal to (and
hashes as) its structure, which is what the engine's caches of compiled solvers and traced fields
key on, so a new system with a known structure compiles nothing. It never compares equal to a
catalog declaration, so the catalog's own cached values are never shared with generated ones.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np

from chaoszoo.catalog import tags as tag_vocabulary
from chaoszoo.catalog.declaration import Declaration, Params
from chaoszoo.catalog.generated import recipes as rc
from chaoszoo.errors import DatasetError, InvalidArgumentError

#: Attractor statistics of the catalog flows the generator may use (mean, standard deviation
#: and field root-mean-square per variable), written by ``chaoszoo generated scales``.
SCALES_PATH = Path(__file__).resolve().parents[1] / "data" / "generated_scales.json"
#: Tags of catalog flows that are not chaotic at their parameters: never used.
REGULAR_TAGS = frozenset({"periodic", "quasi-periodic", "transient-chaos"})


@dataclass(frozen=True, eq=False)
class GeneratedDeclaration(Declaration):
    """A generated system's declaration. ``recipe``: how it was made; ``structure``: the
    declaration whose compiled solvers it shares (its equations, with other parameter values);
    ``observed``: the state indices of the generated part (a skew product's response).

    It compares equal to, and hashes as, its structure (the engine keys compiled solvers and
    traced fields by declaration); identity (``is``) still tells systems apart, as
    :class:`chaoszoo.System` does.
    """

    recipe: Mapping[str, object] = field(default_factory=dict)
    structure: Declaration | None = None
    observed: tuple[int, ...] = ()

    def _shared(self) -> Declaration:
        return self if self.structure is None else self.structure

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        if isinstance(other, GeneratedDeclaration):
            return other._shared() is self._shared()
        return other is self._shared()

    def __hash__(self) -> int:
        return object.__hash__(self._shared())

    def __repr__(self) -> str:
        return f"GeneratedDeclaration({self.name!r}, structure={self._shared().name!r})"


# --- catalog inputs -------------------------------------------------------------------------
def _catalog():
    from chaoszoo.catalog.registry import declarations

    return declarations()


def why_not_eligible(name: str) -> str | None:
    """Why the catalog system ``name`` cannot drive, respond or be mutated (``None``: it can)."""
    decls = _catalog()
    if name not in decls:
        from chaoszoo.errors import UnknownSystemError

        raise UnknownSystemError(str(name), decls)
    d = decls[name]
    if d.kind != "flow":
        return (f"{name} is a {'delay equation' if d.kind == 'delay' else 'map'}; skew products and mutations "
                "are built from ordinary differential equations (flows) only")
    if d.resizable or "semilinear" in d.extra:
        return f"{name} is a resizable or spatiotemporal flow"
    if d.integer_params:
        return f"{name} has structural integer parameters ({', '.join(d.integer_params)})"
    if set(d.tags) & REGULAR_TAGS:
        return f"{name} is not chaotic at its catalog parameters (tagged {', '.join(sorted(set(d.tags) & REGULAR_TAGS))})"
    if d.extra.get("unbounded_indices"):
        return f"{name} has unbounded (drifting) variables"
    if d.latex is not None:
        return f"{name} declares its LaTeX by hand (its equations are not fully symbolic)"
    if d.dimension > rc.MAX_DIMENSION:
        return f"{name} has {d.dimension} variables (at most {rc.MAX_DIMENSION})"
    if name not in scales()["systems"]:
        return f"{name} has no attractor statistics in {SCALES_PATH.name} (run `chaoszoo generated scales`)"
    return None


def eligible_flows() -> list[str]:
    """The catalog flows that generated systems are built from, sorted."""
    return [n for n in _catalog() if _static_reason(n) is None and n in scales()["systems"]]


def _static_reason(name: str) -> str | None:
    d = _catalog()[name]
    if d.kind != "flow" or d.resizable or "semilinear" in d.extra or d.integer_params:
        return "kind"
    if set(d.tags) & REGULAR_TAGS or d.extra.get("unbounded_indices") or d.latex is not None:
        return "excluded"
    return "dimension" if d.dimension > rc.MAX_DIMENSION else None


def scale_candidates() -> list[str]:
    """The flows whose attractor statistics the scales table should hold."""
    return [n for n in _catalog() if _static_reason(n) is None]


@functools.cache
def _scales_cached(path: str, mtime: float) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path} cannot be read ({exc}); restore it or run `chaoszoo generated scales`.") from None
    if not isinstance(data, dict) or not isinstance(data.get("systems"), dict):
        raise DatasetError(f"{path} lacks a 'systems' table; run `chaoszoo generated scales`.")
    return data


def scales() -> dict:
    """The attractor-statistics table (``{"systems": {}}`` when it has not been computed)."""
    if not SCALES_PATH.is_file():
        return {"format": 1, "systems": {}}
    return _scales_cached(str(SCALES_PATH), SCALES_PATH.stat().st_mtime)


def scales_sha256() -> str:
    return hashlib.sha256(SCALES_PATH.read_bytes()).hexdigest() if SCALES_PATH.is_file() else ""


def _stats(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = scales()["systems"][name]
    return (np.asarray(s["mean"], float), np.asarray(s["std"], float), np.asarray(s["field_rms"], float))


def _require(name: str, role: str) -> Declaration:
    if not isinstance(name, str):
        raise InvalidArgumentError(f"{role} must be the name of a catalog flow; got {name!r} ({type(name).__name__}).")
    why = why_not_eligible(name)
    if why is not None:
        raise InvalidArgumentError(f"{name} cannot be the {role} of a generated system: {why}.")
    return _catalog()[name]


def _code_fingerprint(decls) -> str:
    """SHA-256 of the components' equation code (part of a skew structure's compiled identity)."""
    h = hashlib.sha256()
    for d in decls:
        fn = d.equations
        code = getattr(fn, "__code__", None)
        try:
            h.update(marshal.dumps(code))
        except ValueError:  # pragma: no cover
            h.update(repr(code).encode())
        for cell in getattr(fn, "__closure__", None) or ():
            h.update(repr(cell.cell_contents).encode())
        h.update(repr((d.name, d.variables, tuple(d.params))).encode())
    return h.hexdigest()


# --- skew products ---------------------------------------------------------------------------
def _components(out, d: int) -> list:
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out[i] for i in range(d)]


def _index(i: int) -> str:
    return str(i)  # dimensions are at most MAX_DIMENSION = 10, so indices are single digits


def _coupling_params(form: str, dd: int, dr: int, rank: int) -> list[str]:
    if form == "additive":
        return ([f"c{_index(i)}{_index(j)}" for i in range(dr) for j in range(dd)]
                + [f"b{_index(i)}" for i in range(dr)])
    return ([f"v{_index(k)}{_index(j)}" for k in range(rank) for j in range(dd)]
            + [f"a{_index(k)}" for k in range(rank)]
            + [f"w{_index(i)}{_index(k)}" for i in range(dr) for k in range(rank)])


def _skew_equations(driver: str, response: str, form: str, dd: int, dr: int, rank: int, fingerprint: str):
    """The skew product's equations. The closure holds only names, sizes and the components'
    code fingerprint (stable text), so the engine's on-disk cache key of the structure is the
    same in every process; the components' equations are looked up in the catalog by name."""

    def equations(X, t, p, xp):
        from chaoszoo.catalog.registry import declaration

        if not fingerprint:  # pragma: no cover - keeps the fingerprint in the closure
            raise RuntimeError("skew product without a fingerprint")
        D, R = declaration(driver), declaration(response)
        xd, xr = X[:dd], X[dd:]
        # each component on its own clock: one unit of time is one of its periods (Td, Tr)
        fd = _components(D.equations(xd, t * p["Td"], Params({k: p[k + "_d"] for k in D.params}), xp), dd)
        fr = _components(R.equations(xr, t * p["Tr"], Params({k: p[k + "_r"] for k in R.params}), xp), dr)
        fd = [p["Td"] * f for f in fd]
        fr = [p["Tr"] * f for f in fr]
        if form == "additive":
            u = [sum(p[f"c{i}{j}"] * xd[j] for j in range(dd)) + p[f"b{i}"] for i in range(dr)]
        else:
            h = [xp.tanh(sum(p[f"v{k}{j}"] * xd[j] for j in range(dd)) + p[f"a{k}"]) for k in range(rank)]
            u = [sum(p[f"w{i}{k}"] * h[k] for k in range(rank)) for i in range(dr)]
        return tuple(fd) + tuple(fr[i] + u[i] for i in range(dr))

    equations.__name__ = equations.__qualname__ = f"SkewStructure{driver}{response}{rc.FORMS[form]}"
    return equations


def _field_tags(*decls) -> tuple[str, ...]:
    fields = set().union(*(set(d.tags) & tag_vocabulary.FIELDS for d in decls)) or {"mathematics"}
    return tuple(sorted(fields | {"flow"}))


@functools.cache
def structure(driver: str, response: str, form: str = "additive") -> GeneratedDeclaration:
    """The canonical declaration of the skew products of ``driver`` into ``response`` with one
    coupling form: the equations every such system shares (its own parameter values are the
    catalog's, with zero coupling)."""
    form = rc.check_form(form)
    D, R = _require(driver, "driver"), _require(response, "response")
    if driver == response:
        raise InvalidArgumentError(
            f"A skew product couples two different flows; got {driver!r} as both driver and response. "
            f"Use a mutation of {driver} (chaoszoo.catalog.generated.mutation) for a variant of one system.")
    flows = eligible_flows()
    if rc.pair_is_ambiguous(driver, response, flows):
        raise InvalidArgumentError(
            f"The name of the pair ({driver}, {response}) would be ambiguous ({driver + response} splits into "
            "two pairs of catalog flows); this pair is not generated.")
    dd, dr = D.dimension, R.dimension
    rank = min(rc.RANK, dd, dr)
    names = (["Td", "Tr"] + [k + "_d" for k in D.params] + [k + "_r" for k in R.params]
             + _coupling_params(form, dd, dr, rank))
    params = {"Td": D.period, "Tr": R.period,
              **{k + "_d": v for k, v in D.params.items()}, **{k + "_r": v for k, v in R.params.items()}}
    params.update({k: 0.0 for k in names if k not in params})
    recipe = {"kind": "structure", "driver": driver, "response": response, "form": form, "rank": rank,
              "generator_version": rc.GENERATOR_VERSION}
    name = f"SkewStructure{driver}{response}{rc.FORMS[form]}"
    return GeneratedDeclaration(
        name=name, kind="flow",
        equations=_skew_equations(driver, response, form, dd, dr, rank, _code_fingerprint((D, R))),
        variables=tuple(v + "_d" for v in D.variables) + tuple(v + "_r" for v in R.variables),
        params=MappingProxyType({k: float(params[k]) for k in names}),
        ic=tuple(D.ic) + tuple(R.ic), period=1.0, dt=min(D.dt / D.period, R.dt / R.period),
        tags=_field_tags(D, R),
        citation=f"Skew product generated by chaoszoo (generator version {rc.GENERATOR_VERSION}). Driver: "
                 f"{D.citation} Response: {R.citation}",
        description=f"{driver} drives {response} through an {form} coupling "
                    "of its state (structure: every coupling and parameter value).",
        module=__name__, recipe=MappingProxyType(recipe), structure=None,
        observed=tuple(range(dd, dd + dr)),
    )


def _skew(recipe: rc.Recipe) -> GeneratedDeclaration:
    S = structure(recipe.driver, recipe.response, recipe.form)
    D, R = _catalog()[recipe.driver], _catalog()[recipe.response]
    dd, dr = D.dimension, R.dimension
    rank = S.recipe["rank"]
    mu_d, sd_d, _ = _stats(recipe.driver)
    _, _, rms_r = _stats(recipe.response)
    rms_r = rms_r * R.period  # the response's field on the common clock (one period per time unit)
    sd_d = np.where(sd_d > 0, sd_d, 1.0)
    rng = recipe.rng()
    # draws, in this order: kappa; the form's coupling draws; driver mutation; response mutation
    kappa = rc.log_uniform(rng, *rc.COUPLING_STRENGTH)
    coupling = {}
    if recipe.form == "additive":
        slots = rng.permutation(max(dd, dr))[:dr]
        signs = np.where(rng.random(dr) < 0.5, -1.0, 1.0)
        C = np.zeros((dr, dd))
        for i in range(dr):
            if slots[i] < dd:
                C[i, slots[i]] = signs[i] * kappa * rms_r[i] / sd_d[slots[i]]
        b = -C @ mu_d
        coupling.update({f"c{i}{j}": float(C[i, j]) for i in range(dr) for j in range(dd)})
        coupling.update({f"b{i}": float(b[i]) for i in range(dr)})
    else:
        V = rng.standard_normal((rank, dd)) / math.sqrt(dd)
        a = 0.5 * rng.standard_normal(rank)
        W = rng.standard_normal((dr, rank)) / math.sqrt(rank)
        v = V / sd_d[None, :]
        a_eff = a - v @ mu_d
        w = kappa * rms_r[:, None] * W
        coupling.update({f"v{k}{j}": float(v[k, j]) for k in range(rank) for j in range(dd)})
        coupling.update({f"a{k}": float(a_eff[k]) for k in range(rank)})
        coupling.update({f"w{i}{k}": float(w[i, k]) for i in range(dr) for k in range(rank)})
    # the driver keeps its catalog parameters (its chaos is established); the response is mutated
    pr = rc.mutate(dict(R.params), rng, rc.SKEW_MUTATION_SCALE, rc.SKEW_FLIP_PROBABILITY)
    params = {"Td": float(D.period), "Tr": float(R.period), **{k + "_d": float(v) for k, v in D.params.items()},
              **{k + "_r": v for k, v in pr.items()}, **coupling}
    params = {k: float(params[k]) for k in S.params}  # the structure's order
    info = {**recipe.to_dict(), "coupling_strength": kappa, "rank": rank}
    return _finish(recipe, S, params, S.ic, info,
                   f"{recipe.driver} drives {recipe.response} through an "
                   f"{recipe.form} coupling of its state (strength {kappa:.3g}); the response's parameters mutated "
                   f"by {rc.SKEW_MUTATION_SCALE:.0%}.")


@functools.cache
def mutation_structure(base: str) -> GeneratedDeclaration:
    """The canonical declaration of the mutations of catalog flow ``base``: its equations under a
    name of their own, so that mutations share one compiled solver without ever comparing equal
    to the catalog entry itself (whose caches stay its own)."""
    B = _require(base, "base")
    return GeneratedDeclaration(
        name=f"MutStructure{base}", kind="flow", equations=B.equations, variables=B.variables,
        params=B.params, ic=B.ic, period=B.period, dt=B.dt, tags=B.tags, citation=B.citation,
        description=f"Mutations of {base} (structure: every parameter value).", module=__name__,
        recipe=MappingProxyType({"kind": "structure", "base": base, "generator_version": rc.GENERATOR_VERSION}),
        structure=None, observed=tuple(range(B.dimension)),
    )


def _mutation(recipe: rc.Recipe) -> GeneratedDeclaration:
    B = _require(recipe.base, "base")
    S = mutation_structure(recipe.base)
    rng = recipe.rng()
    params = rc.mutate(dict(B.params), rng, rc.MUTATION_SCALE, rc.FLIP_PROBABILITY)
    flipped = sorted(k for k in params if params[k] * B.params[k] < 0)
    info = {**recipe.to_dict(), "flipped": flipped}
    return _finish(recipe, S, params, B.ic, info,
                   f"{recipe.base} with every parameter perturbed by {rc.MUTATION_SCALE:.0%} (relative Gaussian)"
                   + (f"; sign flipped: {', '.join(flipped)}" if flipped else "") + ".")


def _finish(recipe: rc.Recipe, S: GeneratedDeclaration, params: dict, ic, info: dict, description: str) -> GeneratedDeclaration:
    decl = GeneratedDeclaration(
        name=recipe.name, kind="flow", equations=S.equations, variables=S.variables,
        params=MappingProxyType(dict(params)), ic=tuple(float(v) for v in ic), period=S.period, dt=S.dt,
        tags=tuple(sorted(set(S.tags) | {"flow"})),
        citation=(S.citation if recipe.kind == "skew" else
                  f"Mutation generated by chaoszoo (generator version {rc.GENERATOR_VERSION}) of {recipe.base}: "
                  f"{S.citation}"),
        description=description, module=__name__,
        recipe=MappingProxyType(info), structure=S,
        observed=S.observed,
    )
    _check_defined(decl)
    return decl


def _check_defined(decl: GeneratedDeclaration) -> None:
    """Refuse a system whose field is not finite at its initial condition (a mutation that takes
    a logarithm of a negative number, divides by zero, ...): an error before any integration."""
    from chaoszoo.catalog.ops import NUMPY

    x = np.asarray(decl.ic, dtype=np.float64)
    f, err, complex_ = None, None, []
    with np.errstate(all="ignore"):
        try:
            out = [np.asarray(v) for v in _components(decl.equations(x, 0.0, Params(decl.params), NUMPY), len(x))]
            # a Python float raised to a fractional power of a negative number is complex (the
            # engine's jax.numpy gives NaN): a real field only
            complex_ = [i for i, v in enumerate(out) if np.iscomplexobj(v)]
            if not complex_:
                f = np.asarray([v.astype(np.float64) for v in out], dtype=np.float64)
        except (ArithmeticError, ValueError, TypeError) as exc:
            err = exc
    if f is None or not np.isfinite(f).all():
        if complex_:
            bad = "components " + ", ".join(decl.variables[i] for i in complex_) + " complex"
        elif f is None:
            bad = f"it raised {type(err).__name__}: {err}"
        else:
            bad = ("components " + ", ".join(decl.variables[i] for i in np.nonzero(~np.isfinite(f.ravel()))[0])
                   + " not finite")
        raise InvalidArgumentError(
            f"{decl.name}: the generated parameters make the vector field undefined at the initial condition "
            f"({bad}). This recipe is refused; another seed gives another draw.")


# --- public constructors ------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _from_recipe(recipe: rc.Recipe) -> GeneratedDeclaration:
    if recipe.kind == "skew":
        return _skew(recipe)
    return _mutation(recipe)


def skew_product(driver: str, response: str, form: str = "additive", seed: int = 0) -> GeneratedDeclaration:
    """The skew product of catalog flows ``driver`` -> ``response`` with coupling ``form``
    (``"additive"`` or ``"activated"``) and integer ``seed``. Raises
    :class:`~chaoszoo.errors.InvalidArgumentError` for a system coupled with itself, a delay
    equation or map, an ineligible flow, a non-integer seed or an undefined field."""
    seed = rc.check_seed(seed)
    form = rc.check_form(form)
    structure(driver, response, form)  # checks the pair
    return _from_recipe(rc.Recipe("skew", seed, driver=driver, response=response, form=form))


def mutation(base: str, seed: int = 0) -> GeneratedDeclaration:
    """The mutation of catalog flow ``base`` with integer ``seed`` (see the module notes)."""
    seed = rc.check_seed(seed)
    _require(base, "base")
    return _from_recipe(rc.Recipe("mutation", seed, base=base))


def from_recipe(recipe: Mapping) -> GeneratedDeclaration:
    """The generated declaration of a recipe dict (as :meth:`Recipe.to_dict` or a manifest stores)."""
    if not isinstance(recipe, Mapping) or recipe.get("kind") not in ("skew", "mutation"):
        raise InvalidArgumentError(f"a recipe is a mapping with kind 'skew' or 'mutation'; got {recipe!r}.")
    version = recipe.get("generator_version", rc.GENERATOR_VERSION)
    if version != rc.GENERATOR_VERSION:
        raise InvalidArgumentError(
            f"recipe of generator version {version}; this chaoszoo generates version {rc.GENERATOR_VERSION}.")
    if recipe["kind"] == "skew":
        return skew_product(recipe.get("driver"), recipe.get("response"), recipe.get("form"), recipe.get("seed"))
    return mutation(recipe.get("base"), recipe.get("seed"))


def from_name(name: str) -> GeneratedDeclaration | None:
    """The generated declaration a name denotes (``None`` when it is not a generated name)."""
    recipe = rc.parse_name(name, set(eligible_flows()))
    if recipe is None:
        return None
    return from_recipe(recipe.to_dict())


def canonical(decl: GeneratedDeclaration) -> dict:
    """Everything that defines a generated system, as JSON-ready data (floats exact)."""
    return {
        "name": decl.name, "recipe": dict(decl.recipe), "structure": decl._shared().name,
        "variables": list(decl.variables), "params": dict(decl.params), "ic": list(decl.ic),
        "period": decl.period, "dt": decl.dt, "observed": list(decl.observed),
        "components": _code_fingerprint([_catalog()[n] for n in _components_of(decl)]),
        "scales_sha256": scales_sha256() if decl.recipe.get("kind") == "skew" else "",
    }


def _components_of(decl) -> list[str]:
    r = decl.recipe
    return [r["driver"], r["response"]] if r.get("kind") == "skew" else [r["base"]]


def canonical_bytes(decl: GeneratedDeclaration) -> bytes:
    """:func:`canonical` as compact, sorted JSON bytes (what "byte for byte" compares)."""
    return json.dumps(canonical(decl), sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
