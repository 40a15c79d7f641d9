"""DynaMix from its published weights: the reader, the forward pass, a Lorenz forecast, bad input.

The checkpoint (GPL-3.0) is never part of chaoszoo: these tests read it from the machine's shared
models folder (``shared/models/dynamix-3d-alrnn-v1.0/`` beside or inside the checkout, or
``$CHAOSZOO_DYNAMIX``) and fail, saying where they looked, when it is not there.
"""

from __future__ import annotations

import os
import pickle
import statistics
import struct
import time
from pathlib import Path

import numpy as np
import pytest

import chaoszoo as cz
from chaoszoo.errors import ChaoszooError, InvalidArgumentError, NotFittedError
from chaoszoo.forecast import metrics as fm
from chaoszoo.forecast import registry
from chaoszoo.forecast.interface import ForecastInfo
from chaoszoo.forecast.models import dynamix as dm
from chaoszoo.forecast.models.dynamix import CheckpointError, DynaMix

ROOT = Path(__file__).resolve().parents[1]
RELATIVE = Path("shared") / "models" / "dynamix-3d-alrnn-v1.0" / "dynamix-3d-alrnn-v1.0.bson"


@pytest.fixture(scope="module")
def checkpoint() -> Path:
    candidates = [Path(p) for p in (os.environ.get("CHAOSZOO_DYNAMIX"),) if p] + [ROOT.parent / RELATIVE, ROOT / RELATIVE]
    for c in candidates:
        if c.is_file():
            return c
    pytest.fail("The DynaMix checkpoint (dynamix-3d-alrnn-v1.0.bson, from DurstewitzLab/DynaMix-julia) is not on this "
                f"machine; looked at {', '.join(map(str, candidates))}. Put it there or set CHAOSZOO_DYNAMIX=PATH.")


@pytest.fixture()
def env_checkpoint(checkpoint, monkeypatch):
    monkeypatch.setenv("CHAOSZOO_DYNAMIX", str(checkpoint))
    return checkpoint


def _lorenz(n, seed=0):
    s = cz.get("Lorenz")
    return s.trajectory(n, dt=s.lyapunov_time / 30, transient=1000 + 137 * seed).values  # 30 points per Lyapunov time


# --------------------------------------------------------------------------- the file
def test_parameter_count_and_shapes_read_from_the_file(checkpoint):
    w = dm.load_checkpoint(checkpoint)
    assert w.sha256 == dm.SHA256
    assert (w.experts, w.M, w.N, w.P) == (10, 30, 3, 2)
    assert w.shapes() == {"A": (10, 30), "W": (10, 30, 30), "h": (10, 30), "conv": (2, 3, 3), "conv_bias": (3,),
                          "D": (3, 30), "W1": (10, 33), "W2": (10, 10), "sigma": (3,), "B": (3, 30), "b": (3,),
                          "L": (27, 3), "tau1": (1,), "tau2": (1,)}
    # 10 experts x (30 + 900 + 30) + gating (18 + 3 + 1 + 90 + 330 + 100 + 1 + 3) + identity (90 + 3 + 81)
    assert w.n_params == 10 * 960 + 546 + 174 == 10320
    np.testing.assert_array_equal(w.B, np.hstack([np.eye(3), np.zeros((3, 27))]))   # the identity read-out
    assert np.all(w.b == 0) and np.all(w.sigma > 0) and w.tau1 > 0 and w.tau2 > 0


def _bson(doc: dict) -> bytes:
    """A minimal BSON encoder (documents, lists, strings, int32, doubles, booleans, binary)."""
    def element(key, v):
        k = key.encode() + b"\x00"
        if isinstance(v, bool):
            return b"\x08" + k + bytes([v])
        if isinstance(v, int):
            return b"\x10" + k + struct.pack("<i", v)
        if isinstance(v, float):
            return b"\x01" + k + struct.pack("<d", v)
        if isinstance(v, str):
            s = v.encode() + b"\x00"
            return b"\x02" + k + struct.pack("<i", len(s)) + s
        if isinstance(v, bytes):
            return b"\x05" + k + struct.pack("<i", len(v)) + b"\x00" + v
        if isinstance(v, list):
            return b"\x04" + k + document({str(i): x for i, x in enumerate(v)})
        return b"\x03" + k + document(v)

    def document(d):
        body = b"".join(element(k, v) for k, v in d.items()) + b"\x00"
        return struct.pack("<i", len(body) + 4) + body

    return document(doc)


def test_the_bson_reader_on_a_constructed_document():
    doc = {"a": 1, "b": [1.5, "x", {"c": True}], "d": b"\x01\x02"}
    assert dm.read_bson(_bson(doc)) == doc
    with pytest.raises(CheckpointError, match="truncated"):
        dm.read_bson(_bson(doc)[:-3])
    with pytest.raises(CheckpointError):
        dm.read_bson(b"not a bson file at all")


@pytest.mark.parametrize("damage", ["truncated", "text", "empty", "other-architecture", "other-observation", "missing"])
def test_bad_checkpoints_are_clear_errors(checkpoint, tmp_path, damage):
    data = checkpoint.read_bytes()
    p = tmp_path / "model.bson"
    if damage == "truncated":
        p.write_bytes(data[: len(data) // 2])
        match = "truncated"
    elif damage == "text":
        p.write_text("this is not a checkpoint\n" * 20)
        match = "BSON"
    elif damage == "empty":
        p.write_bytes(b"")
        match = "not a BSON document"
    elif damage == "other-architecture":
        p.write_bytes(data.replace(b"DynaMix", b"DynaMax"))   # the same bytes under another model's name
        match = "expected a DynaMix, found a DSR.Model.DynaMax"
    elif damage == "other-observation":
        p.write_bytes(data.replace(b"Identity", b"Idemtity"))
        match = "expected a Identity"
    else:
        match = "No DynaMix checkpoint at"
    with pytest.raises(CheckpointError, match=match) as err:
        dm.load_checkpoint(p)
    assert isinstance(err.value, ChaoszooError)
    with pytest.raises(CheckpointError):
        DynaMix(checkpoint=p).fit(_lorenz(512))


def test_no_checkpoint_anywhere_names_every_way_to_give_one(tmp_path, monkeypatch):
    monkeypatch.delenv("CHAOSZOO_DYNAMIX", raising=False)
    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path))
    with pytest.raises(CheckpointError) as err:
        DynaMix().fit(_lorenz(512))
    msg = str(err.value)
    assert "checkpoint=PATH" in msg and "CHAOSZOO_DYNAMIX" in msg and "download=True" in msg and "GPL-3.0" in msg


def test_download_offline_or_wrong_bytes_is_a_clear_error_and_saves_nothing(tmp_path, monkeypatch):
    import io
    import urllib.error
    import urllib.request

    def offline(*a, **k):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(CheckpointError, match="offline"):
        dm.download_checkpoint(tmp_path / "m.bson")
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: io.BytesIO(b"<html>rate limited</html>"))
    with pytest.raises(CheckpointError, match="SHA-256"):
        dm.download_checkpoint(tmp_path / "m.bson")
    assert not (tmp_path / "m.bson").exists()


def test_download_is_used_only_when_asked(checkpoint, tmp_path, monkeypatch):
    import io
    import urllib.request

    monkeypatch.delenv("CHAOSZOO_DYNAMIX", raising=False)
    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path))
    calls = []

    def serve(url, timeout):
        calls.append(url)
        return io.BytesIO(checkpoint.read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", serve)
    with pytest.raises(CheckpointError):
        DynaMix().fit(_lorenz(512))
    assert calls == []
    m = DynaMix(download=True).fit(_lorenz(512))
    assert calls == [dm.URL] and dm.cached_path().is_file() and m.weights.sha256 == dm.SHA256
    DynaMix().fit(_lorenz(512))   # now from the cache, without another download
    assert len(calls) == 1


# --------------------------------------------------------------------------- the forward pass
def _reference_rollout(w, ctx, z0, eps):
    """The model written out from its equations in plain NumPy, one state at a time (see the
    module docstring): gating by L1 attention over the context, Flux's flipped width-2
    convolution, the MLP and its temperatures; the AL-RNN experts; their weighted sum."""
    T = len(ctx)
    ntaps = w.conv.shape[0]
    enc = np.empty((T - ntaps + 1, w.N))
    for t in range(T - ntaps + 1):
        for o in range(w.N):   # a true convolution: tap k multiplies the sample ntaps - 1 - k ahead
            enc[t, o] = w.conv_bias[o] + sum(w.conv[k, i, o] * ctx[t + ntaps - 1 - k, i]
                                              for k in range(ntaps) for i in range(w.N))
    z, out = z0.copy(), []
    for e in eps:
        x_hat = w.D @ z + w.sigma * e
        d = np.array([np.sum(np.abs(ctx[t] - x_hat)) for t in range(T - 1)])
        a = np.exp(-(d - d.min()) / abs(w.tau1))
        a /= a.sum()
        u = a @ enc
        hidden = np.maximum(w.W1 @ np.concatenate([u, z]), 0.0)
        g = -(w.W2 @ hidden) / abs(w.tau2)
        g = np.exp(g - g.max())
        g /= g.sum()
        phi = z.copy()
        phi[w.M - w.P:] = np.maximum(phi[w.M - w.P:], 0.0)
        z = sum(g[j] * (w.A[j] * z + w.W[j] @ phi + w.h[j]) for j in range(w.experts))
        out.append(z)
    return np.array(out)


def test_the_jax_forward_pass_equals_the_equations(checkpoint):
    w = dm.load_checkpoint(checkpoint)
    h = _lorenz(300)
    ctx = (h - h.mean(0)) / h.std(0, ddof=1)
    eps = np.random.default_rng(0).standard_normal((40, 1, 3))
    Z = dm.forecast_latent(w, ctx[None], 40, eps)[:, 0]
    z0 = np.concatenate([ctx[-1], w.L @ ctx[-1]])
    np.testing.assert_allclose(Z, _reference_rollout(w, ctx, z0, eps[:, 0]), rtol=1e-10, atol=1e-10)


def test_deterministic_for_a_seed_and_pickles(env_checkpoint):
    h = _lorenz(512)
    a = DynaMix().fit(h, ForecastInfo(seed=3)).predict(300)
    b = DynaMix().fit(h, ForecastInfo(seed=3)).predict(300)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, DynaMix().fit(h, ForecastInfo(seed=4)).predict(300))   # the gating's noise
    quiet = [DynaMix(gating_noise=False).fit(h, ForecastInfo(seed=s)).predict(50) for s in (3, 4)]
    np.testing.assert_array_equal(*quiet)
    m = DynaMix().fit(h, ForecastInfo(seed=3))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(m)).predict(300), a)
    np.testing.assert_array_equal(m.predict(300), a)   # predict() is repeatable


def test_lorenz_forecast_from_a_512_point_context_stays_on_the_attractor(env_checkpoint):
    """From 512 points at 30 per Lyapunov time (the zero-shot protocol's sampling), DynaMix runs
    3,000 steps (100 Lyapunov times); D_stsp of each forecast against a long true trajectory.
    The threshold, 6 nats, is placed by references computed here on the same grid: an independent
    true trajectory scores about 1.4 and the true attractor stretched or shrunk by 20 % about
    3.3 and 4.3 (still the Lorenz attractor), while the nearest other attractor, Lorenz at
    rho = 24, scores about 7.6 and a fixed point about 13: below 6 the forecast is on the Lorenz
    attractor, above 7.5 it is on another. Measured: median 3.8, largest 5.6 nats over 6 contexts."""
    s = cz.get("Lorenz")
    H = 3000
    ref = _lorenz(H, seed=50)
    other = s.with_params(rho=24.0).trajectory(H, dt=s.lyapunov_time / 30, transient=2000).values
    independent = _lorenz(H, seed=60)
    floor, off = fm.d_stsp(ref, independent), fm.d_stsp(ref, other)
    assert floor < 6.0 < off, (floor, off)   # the threshold separates the references
    scores = []
    for seed in range(6):
        y = DynaMix().fit(_lorenz(512, seed=seed), ForecastInfo(seed=seed)).predict(H)
        assert np.all(np.isfinite(y))
        scores.append(fm.d_stsp(ref, y))
    assert statistics.median(scores) < 6.0, scores
    assert max(scores) < off, scores


def test_inference_time_per_300_step_forecast(env_checkpoint):
    m = DynaMix().fit(_lorenz(512), ForecastInfo(seed=0))
    m.predict(300)   # compiles once per shape
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        m.predict(300)
        times.append(time.perf_counter() - t0)
    assert statistics.median(times) < 0.050, times   # the target: 50 ms


# --------------------------------------------------------------------------- other inputs
@pytest.mark.parametrize("embedding", dm.EMBEDDINGS)
def test_contexts_of_other_dimension(env_checkpoint, embedding):
    h = _lorenz(512)
    y1 = DynaMix(embedding=embedding).fit(h[:, :1]).predict(100)
    assert y1.shape == (100, 1) and np.all(np.isfinite(y1))
    four = cz.get("HyperLorenz").trajectory(512, pts_per_period=60, transient=500).values
    y4 = DynaMix(embedding=embedding).fit(four).predict(100)
    assert y4.shape == (100, 4) and np.all(np.isfinite(y4))
    if embedding != "delay":   # (a delay embedding cuts every variable's context to the shortest one)
        # without the gating's noise, a variable of a many-variable context is forecast as that
        # variable alone would be
        quiet = DynaMix(embedding=embedding, gating_noise=False).fit(four).predict(100)
        alone = DynaMix(embedding=embedding, gating_noise=False).fit(four[:, [2]]).predict(100)
        np.testing.assert_allclose(quiet[:, 2], alone[:, 0], rtol=1e-12, atol=1e-12)


def test_delay_embedding_is_the_authors():
    x = np.sin(np.linspace(0, 40 * np.pi, 800))[:, None]
    tau = dm.delay_tau(x)
    r = np.corrcoef(x[:-tau, 0], x[tau:, 0])[0, 1]
    assert 0 < r < 1 / np.e + 0.05 and np.corrcoef(x[:-(tau - 1), 0], x[tau - 1:, 0])[0, 1] >= 1 / np.e - 0.05
    e = dm.embed(x, 3, "delay")
    np.testing.assert_array_equal(e[:, 0], x[2 * tau:, 0])
    np.testing.assert_array_equal(e[:, 1], x[tau:-tau, 0])
    np.testing.assert_array_equal(e[:, 2], x[:-2 * tau, 0])


def test_short_context_and_bad_arguments(env_checkpoint):
    with pytest.raises(InvalidArgumentError, match="at least 32 states"):
        DynaMix().fit(_lorenz(20))
    with pytest.raises(InvalidArgumentError, match="at least 32 states"):
        DynaMix().fit(_lorenz(33)[:, :1])   # 33 samples, fewer than 32 after the delay embedding
    with pytest.raises(NotFittedError):
        DynaMix().predict(10)
    for kwargs in ({"embedding": "pca"}, {"gating_noise": "yes"}, {"checkpoint": 3}):
        with pytest.raises(InvalidArgumentError):
            DynaMix(**kwargs)
    m = DynaMix().fit(_lorenz(512))
    for bad in (0, -3, 2.5):
        with pytest.raises(InvalidArgumentError):
            m.predict(bad)


def test_registered_and_conforms(env_checkpoint):
    from chaoszoo.forecast.conformance import check_model

    spec = registry.get_spec("dynamix")
    assert spec.family == "dynamical-systems" and "2505.13192" in spec.citation and spec.extra is None
    assert check_model("dynamix", horizon=50).passed
