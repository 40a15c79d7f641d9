"""What a published-configuration deep network costs on this CPU, where the time goes, and the
faster training loops of the darts adapter measured side by side with darts's Lightning path.

Run from the repository root (one thread, as the runner's workers train)::

    .venv/bin/python benchmarks/bench_published_nets.py                    # N-BEATS at 15 and 100 points per period
    .venv/bin/python benchmarks/bench_published_nets.py --models nbeats,lstm,transformer,tcn
    .venv/bin/python benchmarks/bench_published_nets.py --job              # + a measured 5-IC Lorenz short-coarse run per loop
    .venv/bin/python benchmarks/bench_published_nets.py --equivalence      # sMAPE over 10 systems x 5 ICs, lightning vs torch-fused
    .venv/bin/python benchmarks/bench_published_nets.py --markdown         # the tables of docs/models.md from the results file

Sections (each stored under its key in ``--out``, default ``benchmarks/results/published_nets.json``):

``peak``
    matrix-product microbenchmarks: float32 and float64 1024^3, and the 32 x 256 x 256 products of a
    published N-BEATS layer with the weight in cache ("hot") and cycling through 90 weights ("cold").
``profile``
    one published-configuration fit per (model, points per period) on the Lorenz history of its
    protocol (short-coarse: 15, short-fine: 100; univariate, clean, initial condition 0; input
    window half a period, a member of the published grid): CPU milliseconds per training step
    split into data windowing (darts's data loader and collation), forward (and loss), backward,
    and the Adam update (darts's ``torch.optim.Adam``, the flat update of the ``"torch"`` loop,
    the fused kernel of ``"torch-fused"``); Lightning's overhead per step (the Lightning fit
    minus the bit-identical ``"torch"`` fit, minus their Adam difference); the FLOPs of a step
    (``torch.utils.flop_counter``) and the rate achieved against the measured peak; float64 and
    two threads against float32 on one thread.
``compare``
    whole fits with each loop (``lightning``, ``torch``, ``torch-fused``), interleaved, at 1 and
    ``--epochs`` epochs, ``--reps`` times; the medians give each loop's fixed cost and cost per
    epoch, hence its cost at the published epochs (100; LSTM 200), and the ratios to Lightning.
``job``
    ``chaoszoo forecast run -p short-coarse -m nbeats --systems Lorenz --variants uni-clean``
    (5 initial conditions, the grid searched once on initial condition 0) in this process per
    loop (``CHAOSZOO_TRAIN_LOOP``); CPU seconds per job, tuning share included.
``equivalence``
    N-BEATS (published architecture, window 10, ``--eq-epochs`` epochs) on the short-coarse
    univariate clean tasks of 10 systems x 5 initial conditions, trained by Lightning and by
    ``"torch-fused"``: per system the median sMAPE of each, and whether they differ by less than
    the initial-condition spread (the larger interquartile range of the two). ``"torch"`` needs no
    such test: its parameters equal Lightning's bit for bit (tests/test_forecast_fast_path.py).

CPU seconds are ``time.process_time`` of this process (the machine is shared: wall seconds
would count the other jobs); medians throughout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
import types
import warnings
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "published_nets.json"
LOOPS = ("lightning", "torch", "torch-fused")
PROTOCOL = {15: "short-coarse", 100: "short-fine"}
EQ_SYSTEMS = ("Lorenz", "Rossler", "Chen", "Thomas", "Halvorsen", "SprottA", "Aizawa", "Dadras", "Arneodo",
              "Lorenz84", "Chua", "Duffing")
pc = time.process_time


def _median(xs):
    return float(statistics.median(xs))


def _quiet_torch():
    import torch

    from chaoszoo.forecast.models.darts_models import _quiet

    torch.set_num_threads(1)
    return _quiet(True)


# -- peak ---------------------------------------------------------------------------------------
def peak() -> dict:
    import torch

    torch.set_num_threads(1)

    def rate(f, flops, reps):
        f()
        ts = []
        for _ in range(5):
            t = pc()
            for _ in range(reps):
                f()
            ts.append((pc() - t) / reps)
        return flops / _median(ts) / 1e9

    out = {}
    for dt, name in ((torch.float32, "float32"), (torch.float64, "float64")):
        a, b = torch.randn(1024, 1024, dtype=dt), torch.randn(1024, 1024, dtype=dt)
        c = torch.empty(1024, 1024, dtype=dt)
        out[f"mm1024_{name}_gflops"] = rate(lambda: torch.mm(a, b, out=c), 2 * 1024 ** 3, 4)
    x, bias = torch.randn(32, 256), torch.randn(256)
    w1 = torch.randn(256, 256)
    ws = [torch.randn(256, 256) for _ in range(90)]
    flops = 2 * 32 * 256 * 256
    out["linear_32x256x256_hot_gflops"] = rate(lambda: torch.addmm(bias, x, w1.t()), flops, 300)
    out["linear_32x256x256_cold_gflops"] = rate(lambda: [torch.addmm(bias, x, w.t()) for w in ws], 90 * flops, 4)
    return out


# -- the module and data of one fit --------------------------------------------------------------
def _task(pts: int, system: str = "Lorenz", ic: int = 0):
    from chaoszoo.forecast.protocols import get_protocol
    from chaoszoo.forecast.tasks import make_task

    p = get_protocol(PROTOCOL[pts])
    v = next(v for v in p.variants if v.label == "uni-clean")
    return make_task(p, system, ic, v)


def _params(name: str, window, epochs=None, loop="lightning") -> dict:
    from chaoszoo.forecast import registry

    spec = registry.get_spec(name)
    out = {**spec.params, "input_chunk_length": window, "train_loop": loop}
    if epochs is not None:
        out["n_epochs"] = epochs
    return out


def _captured(name: str, task, window):
    """darts's model, lightning module and data module of a fit, built by darts and not trained."""
    import darts.models
    from darts import TimeSeries

    from chaoszoo.forecast.models.darts_models import DartsForecaster

    ad = DartsForecaster(**_params(name, window))
    kw = ad._constructor_kwargs(task.info.replace(seed=1, privileged_state=None))
    got = {}

    def capture(self, trainer, model, datamodule, load_best=False):
        got.update(trainer=trainer, module=model, datamodule=datamodule)

    h = task.history
    z = ((h - h.mean(0)) / h.std(0)).astype(np.float32)
    with _quiet_torch():
        tfm = getattr(darts.models, ad.darts_class)(**kw)
        tfm._train = types.MethodType(capture, tfm)
        tfm.fit(TimeSeries.from_values(z), verbose=False, dataloader_kwargs={"pin_memory": False})
    return got["module"], got["datamodule"], kw


def profile(name: str, pts: int, steps: int = 30) -> dict:
    import copy

    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from chaoszoo.forecast.models.torch_trainer import FlatAdam
    from darts.utils.data.torch_datasets.utils import ModuleStage

    task = _task(pts)
    window = "period/2"
    module, dm, kw = _captured(name, task, window)
    loader = dm.train_dataloader()
    crit = module.train_criterion
    n_params = sum(p.numel() for p in module.parameters())
    out = {"model": name, "pts_per_period": pts, "history": len(task.history),
           "input_chunk_length": kw["input_chunk_length"], "params": n_params,
           "batches_per_epoch": len(loader), "batch_size": kw["batch_size"], "n_epochs": kw["n_epochs"]}

    def loss_of(mod, batch):
        o = mod(batch.to_module_input(stage=ModuleStage.TRAIN))
        return mod._compute_loss(o, batch.future_target, crit, batch.sample_weight)

    with _quiet_torch():
        batch = next(iter(loader))
        module.train()
        with FlopCounterMode(display=False) as fc:
            loss_of(module, batch).backward()
        module.zero_grad(set_to_none=True)
        flops = fc.get_total_flops()
        rnn = getattr(module, "rnn", None)
        if isinstance(rnn, torch.nn.LSTM):  # torch's flop counter does not see the fused LSTM kernel:
            # 4 gates of (input + hidden) x hidden multiply-adds per layer and time step, forward
            # and twice that backward, over the batch's sequences
            h, n_in = rnn.hidden_size, rnn.input_size
            per = sum(4 * ((n_in if i == 0 else h) + h) * h * 2 for i in range(rnn.num_layers))
            flops += 3 * per * batch.past_target.shape[0] * batch.past_target.shape[1]
            out["flops_note"] = "LSTM: analytic estimate"
        out["gflop_per_step"] = flops / 1e9 * len(loader.dataset) / (len(loader) * len(batch.past_target))
        t = {"data": [], "forward": [], "backward": [], "adam_darts": [], "adam_flat": [], "adam_fused": []}
        opts = {"adam_darts": torch.optim.Adam(module.parameters())}
        done = 0
        while done < steps:
            it = iter(loader)
            while done < steps:
                t0 = pc()
                try:
                    batch = next(it)
                except StopIteration:
                    break
                t1 = pc()
                loss = loss_of(module, batch)
                t2 = pc()
                module.zero_grad(set_to_none=True)
                loss.backward()
                t3 = pc()
                opts["adam_darts"].step()
                t4 = pc()
                t["data"].append(t1 - t0)
                t["forward"].append(t2 - t1)
                t["backward"].append(t3 - t2)
                t["adam_darts"].append(t4 - t3)
                done += 1
        # the flat updates, on copies that received the same gradients
        for key, fused in (("adam_flat", False), ("adam_fused", True)):
            mod = copy.deepcopy(module)
            opt = FlatAdam(mod.parameters(), fused=fused)
            for i, b in zip(range(steps), _cycle(loader)):
                loss = loss_of(mod, b)
                opt.zero_grad()
                loss.backward()
                t0 = pc()
                opt.step()
                t[key].append(pc() - t0)
            opt.release()
        for k, v in t.items():
            out[f"{k}_ms"] = 1000 * _median(v[2:])
        fb = out["forward_ms"] + out["backward_ms"]
        out["achieved_gflops"] = out["gflop_per_step"] / (fb / 1000)
        # the written-out N-BEATS step (forward, loss, backward; no autograd)
        from chaoszoo.forecast.models.torch_trainer import NBeatsKernel

        if NBeatsKernel.unsupported(module) is None:
            mod = copy.deepcopy(module)
            opt = FlatAdam(mod.parameters(), fused=True)
            kern = NBeatsKernel(mod, opt)
            kt = []
            for i, b in zip(range(steps), _cycle(loader)):
                t0 = pc()
                kern.step(b)
                kt.append(pc() - t0)
                opt.step(gathered=True)
            opt.release()
            out["kernel_fwd_bwd_ms"] = 1000 * _median(kt[2:])
        # float64: the same step in double precision
        mod64 = copy.deepcopy(module).double()
        f64 = []
        for i, b in zip(range(min(steps, 12)), _cycle(loader)):
            b64 = b.replace(**{f: getattr(b, f).double() for f in ("past_target", "future_target")})
            t0 = pc()
            loss = loss_of(mod64, b64)
            mod64.zero_grad(set_to_none=True)
            loss.backward()
            f64.append(pc() - t0)
        out["float64_fwd_bwd_ms"] = 1000 * _median(f64[2:])
        # two threads: CPU and wall per forward + backward
        for threads in (1, 2):
            torch.set_num_threads(threads)
            cpu, wall = [], []
            for i, b in zip(range(min(steps, 12)), _cycle(loader)):
                w0, c0 = time.perf_counter(), pc()
                loss = loss_of(module, b)
                module.zero_grad(set_to_none=True)
                loss.backward()
                cpu.append(pc() - c0)
                wall.append(time.perf_counter() - w0)
            out[f"threads{threads}_fwd_bwd_cpu_ms"] = 1000 * _median(cpu[2:])
            out[f"threads{threads}_fwd_bwd_wall_ms"] = 1000 * _median(wall[2:])
        torch.set_num_threads(1)
    return out


def _cycle(loader):
    while True:
        yield from loader


# -- side by side ---------------------------------------------------------------------------------
#: "torch-fused" without the written-out N-BEATS step (autograd), for N-BEATS only
AUTOGRAD = "torch-fused/autograd"


def _fit_cpu(name, task, window, epochs, loop) -> tuple[float, float, str]:
    from chaoszoo.forecast.models import torch_trainer
    from chaoszoo.forecast.models.darts_models import DartsForecaster

    m = DartsForecaster(**_params(name, window, epochs, "torch-fused" if loop == AUTOGRAD else loop))
    info = task.info.replace(seed=1, privileged_state=None)
    torch_trainer.NBEATS_KERNEL = loop != AUTOGRAD
    try:
        t0 = pc()
        m.fit(task.history, info)
        t1 = pc()
        m.predict(len(task.target))
    finally:
        torch_trainer.NBEATS_KERNEL = True
    return t1 - t0, pc() - t1, m.trained_by


def compare(name: str, pts: int, epochs: int, reps: int) -> dict:
    from chaoszoo.forecast import registry

    task = _task(pts)
    window = "period/2"
    published = registry.get_spec(name).params["n_epochs"]
    _fit_cpu(name, task, window, 1, "lightning")  # imports, first-call costs
    loops = LOOPS + ((AUTOGRAD,) if name == "nbeats" else ())
    res = {loop: {1: [], epochs: []} for loop in loops}
    pred = {loop: [] for loop in loops}
    used = {}
    for _ in range(reps):
        for e in (1, epochs):
            for loop in loops:
                fit, p, by = _fit_cpu(name, task, window, e, loop)
                res[loop][e].append(fit)
                pred[loop].append(p)
                used[loop] = by
    out = {"model": name, "pts_per_period": pts, "epochs_measured": epochs, "reps": reps, "published_epochs": published,
           "loops": {}}
    for loop in loops:
        one, many = _median(res[loop][1]), _median(res[loop][epochs])
        per_epoch = (many - one) / (epochs - 1)
        fixed = one - per_epoch
        out["loops"][loop] = {"trained_by": used[loop], "fit_1_cpu_s": one, f"fit_{epochs}_cpu_s": many,
                              "per_epoch_cpu_s": per_epoch, "fixed_cpu_s": fixed,
                              "fit_published_cpu_s": fixed + published * per_epoch,
                              "predict_cpu_s": _median(pred[loop]),
                              "raw": {str(k): v for k, v in res[loop].items()}}
    base = out["loops"]["lightning"]
    for loop in loops:
        d = out["loops"][loop]
        d["ratio_per_epoch"] = base["per_epoch_cpu_s"] / d["per_epoch_cpu_s"]
        d["ratio_published_fit"] = base["fit_published_cpu_s"] / d["fit_published_cpu_s"]
        # per job (short-coarse, 5 ICs, grid of 5 searched once): (5 candidate fits + 5 final fits) / 5
        d["job_estimate_cpu_s"] = 2 * (d["fit_published_cpu_s"] + d["predict_cpu_s"])
    return out


# -- a real run -----------------------------------------------------------------------------------
def job(loops) -> dict:
    import tempfile

    import chaoszoo as cz

    out = {}
    for loop in loops:
        os.environ["CHAOSZOO_TRAIN_LOOP"] = loop
        with tempfile.TemporaryDirectory() as d:
            t0, w0 = pc(), time.perf_counter()
            cz.forecast.run("short-coarse", ["nbeats"], systems=["Lorenz"], variants="uni-clean", out=d, jobs=0,
                            progress=False)
            cpu, wall = pc() - t0, time.perf_counter() - w0
            rows = cz.forecast.load_results(d)
            rows = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
        out[loop] = {"cpu_s": cpu, "wall_s": wall, "jobs": len(rows), "cpu_s_per_job": cpu / max(1, len(rows)),
                     "ok": sum(r["status"] == "ok" for r in rows),
                     "rows": [{"ic": r["ic"], "seconds": r.get("seconds"), "fit_seconds": r.get("fit_seconds"),
                               "tuning": r.get("tuning"), "params": r.get("params"),
                               "smape": r.get("smape")} for r in rows]}
        print(f"job {loop}: {cpu:.1f} CPU-s for {len(rows)} jobs ({cpu / max(1, len(rows)):.1f} per job)", flush=True)
    os.environ.pop("CHAOSZOO_TRAIN_LOOP", None)
    return out


# -- equivalence ----------------------------------------------------------------------------------
def equivalence(epochs: int, systems=EQ_SYSTEMS[:10], ics: int = 5) -> dict:
    from chaoszoo.forecast import metrics
    from chaoszoo.forecast.models.darts_models import DartsForecaster

    out = {"epochs": epochs, "window": 10, "ics": ics, "systems": {}}
    for s in systems:
        sm = {"lightning": [], "torch-fused": []}
        for ic in range(ics):
            task = _task(15, s, ic)
            info = task.info.replace(seed=1000 + ic, privileged_state=None)
            for loop in sm:
                m = DartsForecaster(**_params("nbeats", 10, epochs, loop))
                m.fit(task.history, info)
                y = m.predict(len(task.target))
                sm[loop].append(float(metrics.compute(task.target, y, attractor=False).values["smape"]))
        q = {k: np.percentile(v, [25, 75]) for k, v in sm.items()}
        spread = max(float(q[k][1] - q[k][0]) for k in q)
        med = {k: _median(v) for k, v in sm.items()}
        out["systems"][s] = {"smape": sm, "median": med, "iqr_max": spread,
                             "within": abs(med["lightning"] - med["torch-fused"]) <= spread}
        print(f"{s:10s} median sMAPE lightning {med['lightning']:.1f} torch-fused {med['torch-fused']:.1f} "
              f"IC spread {spread:.1f} within={out['systems'][s]['within']}", flush=True)
    out["all_within"] = all(v["within"] for v in out["systems"].values())
    lm = _median([v["median"]["lightning"] for v in out["systems"].values()])
    fm = _median([v["median"]["torch-fused"] for v in out["systems"].values()])
    out["median_over_systems"] = {"lightning": lm, "torch-fused": fm}
    return out


# -- output ---------------------------------------------------------------------------------------
def _load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True, default=float))
    os.replace(tmp, path)


def markdown(doc: dict) -> str:
    lines = []
    pk = doc.get("peak", {})
    if pk:
        lines += [f"Peak (one thread): float32 1024^3 product {pk['mm1024_float32_gflops']:.0f} GFLOP/s, float64 "
                  f"{pk['mm1024_float64_gflops']:.0f}; a 32 x 256 x 256 layer product {pk['linear_32x256x256_hot_gflops']:.0f} "
                  f"with its weight in cache, {pk['linear_32x256x256_cold_gflops']:.0f} cycling through 90 weights.", ""]
    prof = doc.get("profile", [])
    if prof:
        lines += ["| model | pts/period | window | parameters | steps/epoch | data | forward | backward | Adam (darts) "
                  "| Adam (flat) | Adam (fused) | Lightning overhead | MFLOP/step | achieved GFLOP/s | written-out fwd+bwd "
                  "| float64 fwd+bwd | 2 threads fwd+bwd: CPU (wall) |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for p in prof:
            lines.append(
                f"| {p['model']} | {p['pts_per_period']} | {p['input_chunk_length']} | {p['params']:,} | "
                f"{p['batches_per_epoch']} | {p['data_ms']:.1f} | {p['forward_ms']:.1f} | {p['backward_ms']:.1f} | "
                f"{p['adam_darts_ms']:.1f} | {p['adam_flat_ms']:.1f} | {p['adam_fused_ms']:.1f} | "
                f"{p.get('lightning_overhead_ms', float('nan')):.1f} | {1000 * p['gflop_per_step']:.1f} | "
                f"{p['achieved_gflops']:.1f} | {p.get('kernel_fwd_bwd_ms', float('nan')):.1f} | {p['float64_fwd_bwd_ms']:.1f} (x{p['float64_fwd_bwd_ms'] / (p['threads1_fwd_bwd_cpu_ms']):.2f}) | "
                f"{p['threads2_fwd_bwd_cpu_ms']:.1f} ({p['threads2_fwd_bwd_wall_ms']:.1f}) vs "
                f"{p['threads1_fwd_bwd_cpu_ms']:.1f} ({p['threads1_fwd_bwd_wall_ms']:.1f}) |")
        lines += ["", "(CPU milliseconds per training step, medians.)", ""]
    comp = doc.get("compare", [])
    if comp:
        lines += ["| model | pts/period | loop | fixed CPU-s | CPU-s per epoch | fit at published epochs, CPU-s | "
                  "predict CPU-s | ratio to Lightning (per epoch / whole fit) | job estimate, CPU-s |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for c in comp:
            for loop, d in c["loops"].items():
                lines.append(f"| {c['model']} | {c['pts_per_period']} | {loop} | {d['fixed_cpu_s']:.2f} | "
                             f"{d['per_epoch_cpu_s']:.3f} | {d['fit_published_cpu_s']:.1f} | {d['predict_cpu_s']:.2f} | "
                             f"{d['ratio_per_epoch']:.2f} / {d['ratio_published_fit']:.2f} | "
                             f"{d['job_estimate_cpu_s']:.0f} |")
        lines += [""]
    jb = doc.get("job", {})
    if jb:
        lines += ["| loop | jobs | CPU-s (run) | CPU-s per job | chosen window |", "|---|---|---|---|---|"]
        for loop, d in jb.items():
            chosen = sorted({json.dumps(r["params"]) for r in d["rows"]})
            lines.append(f"| {loop} | {d['jobs']} | {d['cpu_s']:.0f} | {d['cpu_s_per_job']:.1f} | {', '.join(chosen)} |")
        lines += [""]
    eq = doc.get("equivalence", {})
    if eq:
        lines += ["| system | median sMAPE, Lightning | median sMAPE, torch-fused | IC spread (IQR) | within |",
                  "|---|---|---|---|---|"]
        for s, d in eq["systems"].items():
            lines.append(f"| {s} | {d['median']['lightning']:.1f} | {d['median']['torch-fused']:.1f} | "
                         f"{d['iqr_max']:.1f} | {'yes' if d['within'] else 'no'} |")
        lines += [""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="nbeats")
    ap.add_argument("--pts", default="15,100")
    ap.add_argument("--epochs", type=int, default=4, help="epochs of the longer side-by-side fits (and 1)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=30, help="training steps timed per profile")
    ap.add_argument("--job", action="store_true", help="also run a 5-IC Lorenz short-coarse run per loop")
    ap.add_argument("--job-loops", default="torch-fused,torch,lightning")
    ap.add_argument("--equivalence", action="store_true", help="only the 10-system sMAPE comparison")
    ap.add_argument("--eq-epochs", type=int, default=20)
    ap.add_argument("--skip-profile", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--markdown", action="store_true", help="print the tables from --out and exit")
    a = ap.parse_args(argv)
    doc = _load(a.out)
    if a.markdown:
        print(markdown(doc))
        return 0
    import torch

    doc.setdefault("machine", {}).update(
        cpu=platform.processor() or platform.machine(), torch=torch.__version__, threads=1,
        date=time.strftime("%Y-%m-%d"), load_average=os.getloadavg()[0])
    if a.equivalence:
        doc["equivalence"] = equivalence(a.eq_epochs)
        _save(a.out, doc)
        print(markdown({"equivalence": doc["equivalence"]}))
        return 0
    models = [m.strip() for m in a.models.split(",") if m.strip()]
    pts = [int(p) for p in a.pts.split(",")]
    if not a.skip_profile:
        doc["peak"] = peak()
        print(json.dumps(doc["peak"], indent=1), flush=True)
        prof = {(p["model"], p["pts_per_period"]): p for p in doc.get("profile", [])}
        comp = {(c["model"], c["pts_per_period"]): c for c in doc.get("compare", [])}
        for name in models:
            for p in pts:
                pr = profile(name, p, a.steps)
                c = compare(name, p, a.epochs, a.reps)
                steps_per_epoch = pr["batches_per_epoch"]
                lt, tt = c["loops"]["lightning"], c["loops"]["torch"]
                pr["lightning_overhead_ms"] = 1000 * (lt["per_epoch_cpu_s"] - tt["per_epoch_cpu_s"]) / steps_per_epoch \
                    - (pr["adam_darts_ms"] - pr["adam_flat_ms"])
                prof[(name, p)], comp[(name, p)] = pr, c
                doc["profile"], doc["compare"] = list(prof.values()), list(comp.values())
                _save(a.out, doc)
                print(markdown({"profile": [pr], "compare": [c]}), flush=True)
    if a.job:
        doc["job"] = {**doc.get("job", {}), **job([x.strip() for x in a.job_loops.split(",")])}
        _save(a.out, doc)
    doc["machine"]["load_average_end"] = os.getloadavg()[0]
    _save(a.out, doc)
    print(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
