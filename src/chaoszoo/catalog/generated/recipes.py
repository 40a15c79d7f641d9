"""Recipes of generated systems: what a generated system is made of, its name, its random draws.

A recipe is a small value: the kind (``skew`` or ``mutation``), the catalog systems it is built
from, the coupling form and an integer seed. Every number of the generated system (coupling
matrix, coupling strength, mutated parameters) is drawn from one NumPy ``Generator`` seeded by
the SHA-256 of the recipe and :data:`GENERATOR_VERSION`, in a fixed order, so the same recipe
gives the same system, byte for byte, in any process on any machine with the same NumPy.

Names say how a system was made and parse back to their recipe (:func:`parse_name`):

* ``Skew{Driver}{Response}{Add|Act}S{seed}``: a skew product, for example
  ``SkewLorenzRosslerAddS12`` (Lorenz drives Rossler through the additive coupling, seed 12);
* ``Mut{Base}S{seed}``: a parameter mutation, for example ``MutLorenzS7``.

The seed is the digits after the last ``S``; a pair of names is split at the one boundary where
both halves are catalog flows (names that could split two ways are refused when generated).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from chaoszoo.errors import InvalidArgumentError

#: Version of the generation rules (the draws below, the hyper-parameters, the equations). Part of
#: every recipe's random stream and of every canonical description: a change of the rules is a
#: new version, never a silent change of the systems an old name denotes.
GENERATOR_VERSION = 1

#: Coupling forms: long name -> the three letters used in names.
FORMS = {"additive": "Add", "activated": "Act"}
FORM_OF_TAG = {v: k for k, v in FORMS.items()}

# --- hyper-parameters of version 1 (documented in docs/generated.md) --------------------------
#: Coupling strength kappa, drawn log-uniformly in this range: the coupling term's typical size
#: relative to the response's own typical speed (root-mean-square of its field on its attractor).
COUPLING_STRENGTH = (0.1, 1.0)
#: Rank of the activated coupling ``W tanh(V z + a)`` (at most the smaller dimension).
RANK = 2
#: Relative standard deviation of the Gaussian parameter perturbation (``p (1 + s xi)``) of a skew
#: product's response (its driver keeps the catalog's parameters) and of a mutation.
SKEW_MUTATION_SCALE = 0.1
MUTATION_SCALE = 0.1
#: Probability that a mutation flips the sign of a (non-zero) parameter; otherwise the sign is
#: kept (a draw that crosses zero is reflected). Skew products never flip signs.
FLIP_PROBABILITY = 0.05
SKEW_FLIP_PROBABILITY = 0.0
#: Largest state dimension of a catalog flow used as driver, response or base.
MAX_DIMENSION = 10

_SKEW = re.compile(r"^Skew(?P<pair>[A-Z][A-Za-z0-9]*)(?P<form>Add|Act)S(?P<seed>[0-9]+)$")
_MUT = re.compile(r"^Mut(?P<base>[A-Z][A-Za-z0-9]*)S(?P<seed>[0-9]+)$")
MAX_SEED = 2**63 - 1


def check_seed(seed) -> int:
    """``seed`` as an int: a non-negative integer (``bool`` and non-integers are refused)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InvalidArgumentError(
            f"seed must be a non-negative integer; got {seed!r} ({type(seed).__name__}). "
            "Generated systems are numbered by integer seeds.")
    seed = int(seed)
    if not 0 <= seed <= MAX_SEED:
        raise InvalidArgumentError(f"seed must be an integer in [0, 2**63 - 1]; got {seed}.")
    return seed


def check_form(form) -> str:
    """The long name of a coupling form (``"additive"``/``"Add"``, ``"activated"``/``"Act"``)."""
    if isinstance(form, str):
        if form in FORMS:
            return form
        if form in FORM_OF_TAG:
            return FORM_OF_TAG[form]
    raise InvalidArgumentError(f"coupling form must be one of {', '.join(FORMS)}; got {form!r}.")


@dataclass(frozen=True)
class Recipe:
    """How one generated system is made (see the module notes)."""

    kind: str                     # "skew" or "mutation"
    seed: int
    driver: str | None = None     # skew products
    response: str | None = None
    form: str | None = None       # "additive" or "activated"
    base: str | None = None       # mutations

    @property
    def name(self) -> str:
        if self.kind == "skew":
            return f"Skew{self.driver}{self.response}{FORMS[self.form]}S{self.seed}"
        return f"Mut{self.base}S{self.seed}"

    @property
    def structure_name(self) -> str:
        """The name of the declaration whose compiled solver this system shares."""
        if self.kind == "skew":
            return f"SkewStructure{self.driver}{self.response}{FORMS[self.form]}"
        return str(self.base)

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "seed": self.seed, "generator_version": GENERATOR_VERSION}
        if self.kind == "skew":
            out.update(driver=self.driver, response=self.response, form=self.form)
        else:
            out.update(base=self.base)
        return out

    def rng(self) -> np.random.Generator:
        """The recipe's random stream: PCG64 seeded by the SHA-256 of the canonical recipe."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()
        digest = hashlib.sha256(text).digest()
        words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 32, 4)]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


def parse_name(name: str, flows) -> Recipe | None:
    """The recipe a generated name denotes, or ``None`` when ``name`` is not a generated name.

    ``flows``: the catalog flow names a pair may be split into.
    """
    if not isinstance(name, str):
        return None
    m = _SKEW.match(name)
    if m:
        pair = m["pair"]
        splits = [(pair[:i], pair[i:]) for i in range(1, len(pair))
                  if pair[i].isupper() and pair[:i] in flows and pair[i:] in flows]
        if len(splits) == 1:
            return Recipe("skew", int(m["seed"]), driver=splits[0][0], response=splits[0][1],
                          form=FORM_OF_TAG[m["form"]])
        return None
    m = _MUT.match(name)
    if m and m["base"] in flows:
        return Recipe("mutation", int(m["seed"]), base=m["base"])
    return None


def pair_is_ambiguous(driver: str, response: str, flows) -> bool:
    """Whether ``driver + response`` could also be split into another pair of catalog flows."""
    pair = driver + response
    return any(pair[:i] != driver and pair[i].isupper() and pair[:i] in flows and pair[i:] in flows
               for i in range(1, len(pair)))


# --- random draws -----------------------------------------------------------------------------
def mutate(params: dict, rng: np.random.Generator, scale: float, flip_probability: float,
           fixed=()) -> dict:
    """Relative Gaussian perturbation ``p (1 + scale xi)`` of every parameter, in declaration order.

    Per parameter, in this order: one standard normal ``xi`` and one uniform ``u``. The new
    magnitude is ``|p (1 + scale xi)|``; the sign is flipped when ``u < flip_probability`` and
    kept otherwise (so a draw that would cross zero is reflected). A parameter equal to zero
    (a term switched off) and the names in ``fixed`` are kept as they are, but consume their draws
    all the same, so that every parameter's draw depends only on its position.
    """
    out = {}
    for name, p in params.items():
        xi = float(rng.standard_normal())
        u = float(rng.random())
        if p == 0.0 or name in fixed:
            out[name] = float(p)
            continue
        magnitude = abs(p * (1.0 + scale * xi))
        sign = math.copysign(1.0, p) * (-1.0 if u < flip_probability else 1.0)
        out[name] = sign * magnitude
    return out


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * float(rng.random())))
