"""DynaMix, the pretrained mixture of AL-RNN experts (Hemmer & Durstewitz 2025), from its published weights.

Hemmer, C. J. & Durstewitz, D. (2025). True zero-shot inference of dynamical systems preserving
long-term statistics. NeurIPS 2025 (arXiv:2505.13192). The weights are those the authors publish
in their Julia repository (DurstewitzLab/DynaMix-julia, ``models/dynamix-3d-alrnn-v1.0.bson``,
GPL-3.0): they are never shipped with chaoszoo. This module reads that file (a BSON document
written by Julia's BSON.jl) with a small reader of its own (no Julia, no new dependency) and
runs the model's forward pass in JAX, in float64.

The model (the architecture of the paper and of the authors' ``src/model/DynaMix.jl``), with
latent state ``z`` of dimension ``M`` (30), observations of dimension ``N`` (3), ``J`` experts (10)
of which the last ``P`` (2) latent units are rectified:

experts (almost-linear RNNs)
    ``z_j' = A_j * z + W_j phi(z) + h_j``, ``phi(z) = (z_1, ..., z_{M-P}, relu(z_{M-P+1}), ..., relu(z_M))``
    (``A_j`` diagonal, stored as a vector).
gating
    the current state read out and perturbed, ``x^ = D z + sigma * eps`` (``eps`` standard
    normal, ``sigma`` learnt, as in the authors' code at inference too), is compared with every
    context state but the last by the L1 distance, ``d_t = sum_i |c_t,i - x^_i|``; attention
    ``a = softmax(-d / |tau_1|)`` over the context; the context is encoded by a width-2
    convolution ``e_t = K_1 c_{t+1} + K_2 c_t + b`` (Flux's ``Conv``: a true convolution, kernel
    flipped); the embedding ``u = sum_t a_t e_t``; expert weights
    ``w = softmax(-W_2 relu(W_1 [u; z]) / |tau_2|)``.
step
    ``z' = sum_j w_j z_j'``.
observation model (identity)
    the first ``N`` latent units are the observations; the other ``M - N`` start from ``L x``
    (``z_0 = [x; L x]`` for the last context state ``x``).

Forecasting (the authors' forecasting pipeline): every context variable is standardised (mean,
standard deviation with Bessel's correction); a context of fewer than ``N`` variables is first
embedded into ``N`` dimensions (the paper's preprocessing for inputs of other dimension: delay
embedding by default, ``embedding="delay"``, with the delay where the autocorrelation first falls
below ``1/e``; ``"positional"``: sinusoids of the dominant autocorrelation period; ``"zero"``:
zero padding); a context of more than ``N`` variables is forecast variable by variable, each
embedded into ``N`` dimensions (the authors' forecaster does the same, with a warning that it may
degrade the forecast). The model starts from the last context state and runs ``horizon`` steps;
the observed units, unstandardised, are the forecast.

Determinism: the gating's noise is drawn from ``info.seed``, so the same seed gives the same
forecast (``gating_noise=False`` switches the noise off).

Where the checkpoint comes from, in this order: the ``checkpoint`` argument; the environment
variable ``CHAOSZOO_DYNAMIX``; chaoszoo's cache (``<cache>/models/dynamix-3d-alrnn-v1.0.bson``);
and, only with ``download=True`` (or :func:`download_checkpoint`), the authors' public repository
(checked against its SHA-256), with a clear error when offline.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history
from chaoszoo.forecast.registry import ModelSpec

NAME = "dynamix-3d-alrnn-v1.0"
#: the published file: DurstewitzLab/DynaMix-julia at the commit that holds it
URL = ("https://raw.githubusercontent.com/DurstewitzLab/DynaMix-julia/6a5be34b5b569fd805e1dd4bd9b022af348d9ee4/"
       "models/dynamix-3d-alrnn-v1.0.bson")
SHA256 = "a566e8197a3ca5b154fe37e7b8e245cbf280268a893bb9e0d58e7acb88a04ce0"
ENV = "CHAOSZOO_DYNAMIX"
CITATION = ("Hemmer, C. J. & Durstewitz, D. (2025). True zero-shot inference of dynamical systems preserving "
            "long-term statistics. NeurIPS 2025 (arXiv:2505.13192); weights: DurstewitzLab/DynaMix-julia, "
            "models/dynamix-3d-alrnn-v1.0.bson (GPL-3.0, not shipped with chaoszoo).")
EMBEDDINGS = ("delay", "positional", "zero")
#: the fewest context states (after embedding) a forecast is made from
MIN_CONTEXT = 32


class CheckpointError(ModelError):
    """A DynaMix checkpoint that is missing, unreadable, truncated or of another architecture."""


# --------------------------------------------------------------------------- BSON
class _Backref:
    __slots__ = ("ref",)

    def __init__(self, ref):
        self.ref = ref


def read_bson(data: bytes) -> dict:
    """The document of a BSON file (bsonspec.org, the subset BSON.jl writes): nested dicts and
    lists, strings, numbers, booleans, ``None`` and ``bytes`` for binary data. Raises
    :class:`CheckpointError` for a file that is not one well-formed document."""
    data = memoryview(data)
    if len(data) < 5:
        raise CheckpointError(f"not a BSON document ({len(data)} bytes)")
    (size,) = struct.unpack_from("<i", data, 0)
    if size != len(data):
        raise CheckpointError(f"the BSON document declares {size} bytes but the file has {len(data)} "
                              f"({'truncated' if size > len(data) else 'trailing bytes'})")
    doc, end = _document(data, 0, depth=0)
    if end != len(data):
        raise CheckpointError("the BSON document ends before the file does")
    return doc


def _need(data, i, n):
    if i + n > len(data):
        raise CheckpointError(f"truncated BSON data (needs {n} bytes at offset {i} of {len(data)})")


def _cstring(data, i):
    end = bytes(data[i:]).find(b"\x00")
    if end < 0:
        raise CheckpointError(f"truncated BSON data (unterminated name at offset {i})")
    return bytes(data[i:i + end]).decode("utf-8", "replace"), i + end + 1


def _document(data, i, depth):
    if depth > 64:
        raise CheckpointError("BSON document nested too deeply")
    _need(data, i, 4)
    (size,) = struct.unpack_from("<i", data, i)
    if size < 5 or i + size > len(data):
        raise CheckpointError(f"truncated BSON data (a document of {size} bytes at offset {i})")
    end, out = i + size, {}
    i += 4
    while True:
        _need(data, i, 1)
        kind = data[i]
        if kind == 0:
            if i + 1 != end:
                raise CheckpointError(f"malformed BSON document at offset {i}")
            return out, end
        key, i = _cstring(data, i + 1)
        if kind == 0x01:
            _need(data, i, 8)
            out[key] = struct.unpack_from("<d", data, i)[0]
            i += 8
        elif kind == 0x02:
            _need(data, i, 4)
            (n,) = struct.unpack_from("<i", data, i)
            _need(data, i + 4, n)
            out[key] = bytes(data[i + 4:i + 4 + n - 1]).decode("utf-8", "replace")
            i += 4 + n
        elif kind in (0x03, 0x04):
            sub, i = _document(data, i, depth + 1)
            out[key] = [sub[str(k)] for k in range(len(sub))] if kind == 0x04 else sub
        elif kind == 0x05:
            _need(data, i, 5)
            (n,) = struct.unpack_from("<i", data, i)
            _need(data, i + 5, n)
            out[key] = bytes(data[i + 5:i + 5 + n])
            i += 5 + n
        elif kind == 0x08:
            _need(data, i, 1)
            out[key] = bool(data[i])
            i += 1
        elif kind == 0x0A:
            out[key] = None
        elif kind == 0x10:
            _need(data, i, 4)
            out[key] = struct.unpack_from("<i", data, i)[0]
            i += 4
        elif kind == 0x12:
            _need(data, i, 8)
            out[key] = struct.unpack_from("<q", data, i)[0]
            i += 8
        else:
            raise CheckpointError(f"unsupported BSON element type 0x{kind:02x} at offset {i}")
        if i > end:
            raise CheckpointError(f"malformed BSON document at offset {i}")


# --------------------------------------------------------------------------- Julia values
_DTYPES = {"Float32": "<f4", "Float64": "<f8", "Int64": "<i8", "Int32": "<i4"}


class _Julia:
    """Decodes the tagged values BSON.jl writes (``struct``, ``array``, ``datatype``, ``tuple``,
    ``backref``) into NumPy arrays and plain values, resolving back-references."""

    def __init__(self, doc: dict):
        self.refs = doc.get("_backrefs", [])

    def deref(self, v):
        while isinstance(v, dict) and v.get("tag") == "backref":
            try:
                v = self.refs[int(v["ref"]) - 1]
            except (KeyError, IndexError, TypeError, ValueError):
                raise CheckpointError(f"a back-reference points nowhere ({v.get('ref')!r})") from None
        return v

    def type_name(self, v) -> str:
        v = self.deref(v)
        if not (isinstance(v, dict) and v.get("tag") == "datatype" and isinstance(v.get("name"), list)):
            raise CheckpointError("a value has no readable Julia type")
        return ".".join(map(str, v["name"]))

    def struct(self, v, expect: str) -> list:
        v = self.deref(v)
        if not (isinstance(v, dict) and v.get("tag") == "struct" and isinstance(v.get("data"), list)):
            raise CheckpointError(f"expected a {expect} value, found {_what(v)}")
        name = self.type_name(v.get("type"))
        if name.rsplit(".", 1)[-1] != expect:
            raise CheckpointError(f"expected a {expect}, found a {name}: this is not a checkpoint of the DynaMix "
                                  "architecture with AL-RNN experts and an identity observation model")
        return v["data"]

    def array(self, v, what: str) -> np.ndarray:
        v = self.deref(v)
        if isinstance(v, list):  # a vector of arrays, written as a plain BSON list
            items = [self.array(x, f"{what}[{k}]") for k, x in enumerate(v)]
            if not items or len({x.shape for x in items}) > 1:
                raise CheckpointError(f"{what}: an empty list, or arrays of different shapes")
            return np.stack(items)
        if not (isinstance(v, dict) and v.get("tag") == "array" and isinstance(v.get("size"), list)):
            raise CheckpointError(f"{what}: expected an array, found {_what(v)}")
        size = tuple(int(s) for s in v["size"])
        if isinstance(v.get("data"), bytes):
            kind = self.type_name(v.get("type")).rsplit(".", 1)[-1]
            if kind not in _DTYPES:
                raise CheckpointError(f"{what}: arrays of {kind} are not supported")
            dtype = np.dtype(_DTYPES[kind])
            n = int(np.prod(size)) if size else 1
            if len(v["data"]) != n * dtype.itemsize:
                raise CheckpointError(f"{what}: {len(v['data'])} bytes for an array of size {size}")
            return np.frombuffer(v["data"], dtype=dtype).reshape(size, order="F").astype(np.float64)
        if isinstance(v.get("data"), list):  # an array of arrays
            items = [self.array(x, f"{what}[{k}]") for k, x in enumerate(v["data"])]
            if len(items) != int(np.prod(size)):
                raise CheckpointError(f"{what}: {len(items)} items for an array of size {size}")
            if len({x.shape for x in items}) > 1:
                raise CheckpointError(f"{what}: items of different shapes")
            return np.stack(items)
        raise CheckpointError(f"{what}: an array without data")

    def number(self, v, what: str) -> int:
        v = self.deref(v)
        if isinstance(v, bool) or not isinstance(v, int):
            raise CheckpointError(f"{what}: expected an integer, found {_what(v)}")
        return int(v)

    def tuple_(self, v, what: str) -> tuple:
        v = self.deref(v)
        if not (isinstance(v, dict) and v.get("tag") == "tuple" and isinstance(v.get("data"), list)):
            raise CheckpointError(f"{what}: expected a tuple, found {_what(v)}")
        return tuple(v["data"])


def _what(v) -> str:
    if isinstance(v, dict):
        return f"a {v.get('tag', 'document')}"
    return type(v).__name__


# --------------------------------------------------------------------------- checkpoint
@dataclass(frozen=True, eq=False)
class DynaMixWeights:
    """The parameters of a DynaMix checkpoint (float64 copies of the stored float32 values).

    Shapes, with ``J`` experts, latent size ``M``, observation size ``N``: ``A`` (J, M), ``W``
    (J, M, M), ``h`` (J, M); ``conv`` (2, N, N) as (kernel tap, input, output) and ``conv_bias``
    (N,); ``tau1``, ``tau2`` (the gating's temperatures); ``D`` (N, M); ``W1`` (J, N + M);
    ``W2`` (J, J); ``sigma`` (N,); ``L`` (M - N, N); the identity observation model's fixed
    ``B`` (N, M) and ``b`` (N,); ``P`` rectified units.
    """

    A: np.ndarray
    W: np.ndarray
    h: np.ndarray
    conv: np.ndarray
    conv_bias: np.ndarray
    tau1: float
    D: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    tau2: float
    sigma: np.ndarray
    B: np.ndarray
    b: np.ndarray
    L: np.ndarray
    P: int
    path: str = ""
    sha256: str = ""
    n_params: int = field(default=0)

    @property
    def experts(self) -> int:
        return self.A.shape[0]

    @property
    def M(self) -> int:
        return self.A.shape[1]

    @property
    def N(self) -> int:
        return self.D.shape[0]

    def shapes(self) -> dict:
        """``{parameter: shape}`` as read from the file (the temperatures are 1-element arrays)."""
        out = {k: tuple(getattr(self, k).shape) for k in ("A", "W", "h", "conv", "conv_bias", "D", "W1", "W2",
                                                          "sigma", "B", "b", "L")}
        out.update(tau1=(1,), tau2=(1,))
        return out


def load_checkpoint(path) -> DynaMixWeights:
    """Read and check a DynaMix checkpoint (a BSON file of DurstewitzLab/DynaMix-julia).

    Raises:
        CheckpointError: the file is missing, unreadable, truncated, not BSON, or holds another
            architecture (the message says what was found).
    """
    p = Path(os.fspath(path)).expanduser()
    try:
        st = p.stat()
    except OSError as err:
        raise CheckpointError(f"No DynaMix checkpoint at {p} ({err.strerror or err}).") from None
    if not p.is_file():
        raise CheckpointError(f"The DynaMix checkpoint {p} is not a file.")
    return _load(str(p.resolve()), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load(path: str, size: int, mtime: int) -> DynaMixWeights:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise CheckpointError(f"The DynaMix checkpoint {path} cannot be read ({err.strerror or err}).") from None
    try:
        return _weights(read_bson(data), path, hashlib.sha256(data).hexdigest())
    except CheckpointError as err:
        raise CheckpointError(f"{path} is not a usable DynaMix checkpoint: {err}.") from None


def _weights(doc: dict, path: str, sha: str) -> DynaMixWeights:
    jl = _Julia(doc)
    model = doc.get("model")
    if not (isinstance(model, list) and len(model) == 2):
        raise CheckpointError("it does not hold a (model, observation model) pair under 'model', as the authors' "
                              "save_model writes")
    dm = jl.struct(model[0], "DynaMix")
    if len(dm) != 7:
        raise CheckpointError(f"its DynaMix has {len(dm)} fields, the AL-RNN architecture 7")
    A, W, h = jl.array(dm[0], "A_MoE"), jl.array(dm[1], "W_MoE"), jl.array(dm[2], "h_MoE")
    gate = jl.struct(dm[3], "GatingNetwork")
    N, J, P = jl.number(dm[4], "N"), jl.number(dm[5], "Experts"), jl.number(dm[6], "P")
    if len(gate) != 7:
        raise CheckpointError(f"its gating network has {len(gate)} fields, DynaMix's has 7")
    conv = jl.struct(gate[0], "Conv")
    if len(conv) != 7:
        raise CheckpointError("its gating convolution is not a Flux Conv layer")
    act = jl.deref(conv[0])
    act_name = jl.type_name(act.get("type")) if isinstance(act, dict) and "type" in act else ""
    if not act_name.endswith("identity"):
        raise CheckpointError(f"its gating convolution has the activation {act_name or _what(act)}, not identity")
    K, Kb = jl.array(conv[1], "conv.weight"), jl.array(conv[2], "conv.bias")
    geometry = (jl.tuple_(conv[3], "conv.stride"), jl.tuple_(conv[4], "conv.pad"), jl.tuple_(conv[5], "conv.dilation"),
                jl.number(conv[6], "conv.groups"))
    if geometry != ((1,), (0, 0), (1,), 1):
        raise CheckpointError(f"its gating convolution has stride, padding, dilation, groups {geometry}, not "
                              "((1,), (0, 0), (1,), 1)")
    t1, D = jl.array(gate[1], "softmax_temp1"), jl.array(gate[2], "D")
    W1, W2 = jl.array(gate[3], "mlp_layer1"), jl.array(gate[4], "mlp_layer2")
    t2, sigma = jl.array(gate[5], "softmax_temp2"), jl.array(gate[6], "sigma")
    obs = jl.struct(model[1], "Identity")
    if len(obs) != 4:
        raise CheckpointError(f"its observation model has {len(obs)} fields, the identity model 4")
    B, b, L = jl.array(obs[0], "O.B"), jl.array(obs[1], "O.b"), jl.array(obs[3], "O.L")
    M = A.shape[1] if A.ndim == 2 else -1
    expected = {"A_MoE": (A, (J, M)), "W_MoE": (W, (J, M, M)), "h_MoE": (h, (J, M)), "conv.weight": (K, (2, N, N)),
                "conv.bias": (Kb, (N,)), "softmax_temp1": (t1, (1,)), "D": (D, (N, M)),
                "mlp_layer1": (W1, (J, N + M)), "mlp_layer2": (W2, (J, J)), "softmax_temp2": (t2, (1,)),
                "sigma": (sigma, (N,)), "O.B": (B, (N, M)), "O.b": (b, (N,)), "O.L": (L, (M - N, N))}
    for name, (arr, shape) in expected.items():
        if arr.shape != shape:
            raise CheckpointError(f"{name} has shape {arr.shape}, expected {shape} for {J} experts, latent size {M}, "
                                  f"observation size {N}")
    if not (1 <= N < M and 0 <= P <= M and J >= 1):
        raise CheckpointError(f"inconsistent sizes: N={N}, M={M}, P={P}, experts={J}")
    arrays = (A, W, h, K, Kb, t1, D, W1, W2, t2, sigma, B, b, L)
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise CheckpointError("it holds non-finite parameters")
    if t1[0] == 0 or t2[0] == 0:
        raise CheckpointError("a gating temperature is zero")
    return DynaMixWeights(A=A, W=W, h=h, conv=K, conv_bias=Kb, tau1=float(t1[0]), D=D, W1=W1, W2=W2,
                          tau2=float(t2[0]), sigma=sigma, B=B, b=b, L=L, P=P, path=path, sha256=sha,
                          n_params=int(sum(a.size for a in arrays)))


def cached_path() -> Path:
    """Where the checkpoint is kept in chaoszoo's cache (``$CHAOSZOO_CACHE`` or ``~/.cache/chaoszoo``)."""
    from chaoszoo.data.load import cache_dir

    return cache_dir() / "models" / f"{NAME}.bson"


def checkpoint_path(checkpoint=None, *, download: bool = False) -> Path:
    """The checkpoint to use: ``checkpoint``, else ``$CHAOSZOO_DYNAMIX``, else the cache; with
    ``download``, a missing cache entry is fetched from the authors' repository."""
    if checkpoint is not None:
        return Path(os.fspath(checkpoint)).expanduser()
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    cached = cached_path()
    if cached.is_file():
        return cached
    if download:
        return download_checkpoint()
    raise CheckpointError(
        f"No DynaMix checkpoint: pass checkpoint=PATH, set {ENV}=PATH, or fetch the published file into chaoszoo's "
        f"cache ({cached}) with download=True or chaoszoo.forecast.models.dynamix.download_checkpoint() "
        f"(from {URL}; GPL-3.0, not shipped with chaoszoo).")


def download_checkpoint(dest=None, *, url: str = URL, timeout: float = 60.0) -> Path:
    """Fetch the published checkpoint into ``dest`` (default: chaoszoo's cache), check its SHA-256
    and return the path. Raises :class:`CheckpointError` when offline or the bytes differ."""
    import urllib.error
    import urllib.request

    from chaoszoo.data.storage import atomic_write

    dest = Path(dest).expanduser() if dest is not None else cached_path()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - a fixed https URL
            data = resp.read()
    except (urllib.error.URLError, OSError, TimeoutError) as err:
        raise CheckpointError(
            f"Could not download the DynaMix checkpoint from {url} ({getattr(err, 'reason', err)}): this machine may be "
            f"offline. Download the file elsewhere and pass checkpoint=PATH or set {ENV}=PATH.") from None
    sha = hashlib.sha256(data).hexdigest()
    if url == URL and sha != SHA256:
        raise CheckpointError(f"The file downloaded from {url} has SHA-256 {sha}, not the published {SHA256}; "
                              "it was not saved.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dest, data)
    return dest


# --------------------------------------------------------------------------- preprocessing
def _autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """The sample autocorrelation ``r_k = sum_t (x_t - m)(x_{t+k} - m) / sum_t (x_t - m)^2``,
    ``k = 0 .. max_lag``."""
    y = x - x.mean()
    n = len(y)
    f = np.fft.rfft(y, 2 * n)
    acov = np.fft.irfft(f * np.conj(f), 2 * n)[: max_lag + 1]
    return acov / acov[0] if acov[0] > 0 else np.zeros(max_lag + 1)


def delay_tau(x: np.ndarray) -> int:
    """The embedding delay of the authors' delay embedding: per variable, the first lag at which
    the autocorrelation falls below ``1/e`` (1 if it never does within half the series); the
    largest over variables."""
    taus = []
    for c in range(x.shape[1]):
        r = _autocorrelation(x[:, c], len(x) // 2)
        below = np.flatnonzero(r[1:] < 1.0 / math.e)
        taus.append(int(below[0]) + 1 if len(below) else 1)
    return max(taus)


def positional_tau(x: np.ndarray) -> int:
    """The period of the authors' positional embedding: per variable, the lag of the highest
    autocorrelation peak beyond a tenth of the series (else of the highest value there); the
    largest over variables."""
    n = len(x)
    min_lag = n // 10
    taus = []
    for c in range(x.shape[1]):
        r = _autocorrelation(x[:, c], n - 1)
        peaks = [k for k in range(1, n - 1) if r[k - 1] < r[k] > r[k + 1] and k > min_lag]
        if peaks:
            taus.append(max(peaks, key=lambda k: r[k]))
        else:
            taus.append(min_lag + 1 + int(np.argmax(r[min_lag + 1:])) if min_lag + 1 < n else 1)
    return max(1, max(taus))


def embed(x: np.ndarray, dim: int, method: str = "delay") -> np.ndarray:
    """``x`` (``(T, n)``, standardised, ``n < dim``) embedded into ``dim`` dimensions; the first
    ``n`` columns are ``x`` itself (a delay embedding drops its first rows)."""
    T, n = x.shape
    need = dim - n
    if need <= 0:
        return x
    if method == "zero":
        return np.hstack([x, np.zeros((T, need))])
    if method == "positional":
        tau = positional_tau(x)
        shifts = np.linspace(0.0, math.pi / 2, need) if need != 1 else np.zeros(1)
        t = np.arange(1, T + 1, dtype=np.float64)
        return np.hstack([x] + [np.sin(2 * math.pi / tau * t + s)[:, None] for s in shifts])
    if method == "delay":
        tau = delay_tau(x)
        if need * tau >= T:
            tau = max(1, T // (need + 1))
        start = need * tau
        last = x[:, -1]
        cols = [last[start - i * tau: T - i * tau] for i in range(1, need + 1)]
        return np.hstack([x[start:]] + [c[:, None] for c in cols])
    raise InvalidArgumentError(f"embedding must be one of {', '.join(EMBEDDINGS)}; got {method!r}.")


# --------------------------------------------------------------------------- forward pass
@functools.cache
def _rollout():
    """The jitted forecast: ``horizon`` steps of the model for a batch of contexts (one compile
    per shape; contexts are padded to a multiple of 128 states, so one shape serves many)."""
    import jax
    import jax.numpy as jnp

    def rollout(params, ctx, valid, z0, eps, P):
        A, W, h, K, Kb, t1, D, W1, W2, t2, sigma = params
        M = A.shape[1]
        frames = ctx[:, :-1, :]                                         # (B, T-1, N): c_t
        enc = ctx[:, 1:, :] @ K[0] + frames @ K[1] + Kb                 # true convolution: K_1 c_{t+1} + K_2 c_t
        inv1, inv2 = 1.0 / jnp.abs(t1), 1.0 / jnp.abs(t2)

        def step(z, e):
            x_hat = z @ D.T + sigma * e                                 # (B, N)
            dist = jnp.sum(jnp.abs(frames - x_hat[:, None, :]), axis=-1)
            att = jax.nn.softmax(jnp.where(valid, -dist * inv1, -jnp.inf), axis=-1)
            u = jnp.einsum("bt,btn->bn", att, enc)
            hidden = jax.nn.relu(jnp.concatenate([u, z], axis=-1) @ W1.T)
            w = jax.nn.softmax(-(hidden @ W2.T) * inv2, axis=-1)        # (B, J)
            phi = jnp.concatenate([z[:, : M - P], jax.nn.relu(z[:, M - P:])], axis=-1)
            experts = A[None] * z[:, None, :] + jnp.einsum("jmk,bk->bjm", W, phi) + h[None]
            z_next = jnp.einsum("bj,bjm->bm", w, experts)
            return z_next, z_next

        _, Z = jax.lax.scan(step, z0, eps)
        return Z                                                        # (horizon, B, M)

    return jax.jit(rollout, static_argnames=("P",))


def forecast_latent(weights: DynaMixWeights, contexts: np.ndarray, horizon: int, noise: np.ndarray) -> np.ndarray:
    """The latent trajectories ``(horizon, B, M)`` of the model from ``B`` embedded, standardised
    contexts ``(B, T, N)`` (each started from its last state), ``noise`` ``(horizon, B, N)`` the
    gating's standard normal draws (zeros: no noise)."""
    from chaoszoo.engine._jax import x64

    B, T, N = contexts.shape
    width = max(2, -(-T // 128) * 128)
    pad = width - T
    ctx = np.concatenate([np.zeros((B, pad, N)), contexts], axis=1)  # padding in front, masked out
    valid = np.zeros((B, width - 1), dtype=bool)
    valid[:, pad:] = True
    last = contexts[:, -1, :]
    z0 = np.concatenate([last, last @ weights.L.T], axis=1)
    params = (weights.A, weights.W, weights.h, weights.conv, weights.conv_bias, np.array(weights.tau1), weights.D,
              weights.W1, weights.W2, np.array(weights.tau2), weights.sigma)
    import jax.numpy as jnp

    with x64():
        Z = _rollout()(tuple(jnp.asarray(p, dtype=jnp.float64) for p in params), jnp.asarray(ctx),
                       jnp.asarray(valid), jnp.asarray(z0), jnp.asarray(noise, dtype=jnp.float64), P=int(weights.P))
        return np.asarray(Z)


# --------------------------------------------------------------------------- the model
class DynaMix:
    """DynaMix (Hemmer & Durstewitz 2025), zero-shot from the published weights: the context is
    the history; nothing is fitted (see the module docstring).

    Arguments:
        checkpoint: path of the ``.bson`` file (default: ``$CHAOSZOO_DYNAMIX``, then the cache).
        embedding: ``"delay"``, ``"positional"`` or ``"zero"``: how a context of fewer variables
            than the model's 3 (or each variable of one with more) is embedded into 3.
        gating_noise: draw the gating's noise as the authors do (seeded by ``info.seed``).
        download: fetch the published file into the cache when no checkpoint is found.
    """

    def __init__(self, checkpoint=None, embedding: str = "delay", gating_noise: bool = True, download: bool = False):
        if checkpoint is not None and not isinstance(checkpoint, (str, os.PathLike)):
            raise InvalidArgumentError(f"checkpoint must be a path; got {checkpoint!r}.")
        if embedding not in EMBEDDINGS:
            raise InvalidArgumentError(f"embedding must be one of {', '.join(EMBEDDINGS)}; got {embedding!r}.")
        for name, v in (("gating_noise", gating_noise), ("download", download)):
            if not isinstance(v, (bool, np.bool_)):
                raise InvalidArgumentError(f"{name} must be True or False; got {v!r}.")
        self.checkpoint, self.embedding = checkpoint, embedding
        self.gating_noise, self.download = bool(gating_noise), bool(download)
        self._w: DynaMixWeights | None = None

    def fit(self, history, info: ForecastInfo | None = None):
        info = info if info is not None else ForecastInfo()
        h = as_history(history)
        w = load_checkpoint(checkpoint_path(self.checkpoint, download=self.download))
        mu = h.mean(axis=0)
        sd = np.maximum(h.std(axis=0, ddof=1), 1e-6)  # the authors' floor for a constant variable
        z = (h - mu) / sd
        n = z.shape[1]
        if n <= w.N:
            contexts = [embed(z, w.N, self.embedding)]
        else:  # each variable on its own, embedded into the model's dimension (the authors' forecaster)
            contexts = [embed(z[:, [c]], w.N, self.embedding) for c in range(n)]
        length = min(len(c) for c in contexts)
        if length < MIN_CONTEXT:
            raise InvalidArgumentError(
                f"DynaMix needs a context of at least {MIN_CONTEXT} states after embedding into {w.N} dimensions; "
                f"the history of {len(h)} samples gives {length}.")
        self._contexts = np.stack([c[-length:] for c in contexts])
        self._mu, self._sd, self._n, self._seed, self._w = mu, sd, n, int(info.seed), w
        return self

    @property
    def weights(self) -> DynaMixWeights:
        if self._w is None:
            raise NotFittedError("DynaMix.weights is read at fit(); call fit() first.")
        return self._w

    def predict(self, horizon: int) -> np.ndarray:
        if self._w is None:
            raise NotFittedError("DynaMix.predict() called before fit().")
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        B, _, N = self._contexts.shape
        if self.gating_noise:
            noise = np.random.default_rng([self._seed, 28]).standard_normal((int(horizon), B, N))
        else:
            noise = np.zeros((int(horizon), B, N))
        Z = forecast_latent(self._w, self._contexts, int(horizon), noise)
        y = Z[:, 0, : self._n] if self._n <= N else Z[:, :, 0]
        if not np.all(np.isfinite(y)):
            bad = int(np.argmax(~np.all(np.isfinite(y), axis=1)))
            raise ModelError(f"the DynaMix forecast left the float64 range at step {bad + 1}")
        return y * self._sd + self._mu


SPECS = [
    ModelSpec("dynamix", "chaoszoo.forecast.models.dynamix:DynaMix", "dynamical-systems",
              "DynaMix: pretrained mixture of AL-RNN experts, zero-shot from the published weights (not shipped)",
              params={"embedding": "delay"}, citation=CITATION),
]
