"""PyTorch side of embedtune's benchmarks: the shared reference (bert_ref.py, imported from the temporary
copy of ../shared/reference/torch that bench/torch.ts prepares) run on exactly the model folders and
texts the TypeScript side uses. Called by bench/torch.ts as

    LD_LIBRARY_PATH=<copy>/openblas-openmp /usr/bin/python3 bench/torch_ref.py <task> <input.json> <output.json>

with the reference copy's folder in EMBEDTUNE_TORCH_REF. Tasks:
  info    torch version, threads, CPU capability, the BLAS library actually loaded
  train   one fixed batch of pairs, repeated: warm-up steps, then timed steps (median), as bench.py (b)
  epoch   one epoch over all pairs in shuffled batches, wall time (tokenisation inside the loop, as the trainer)
  encode  eval + no_grad, batches sorted by length like SentenceTransformer.encode, sentences/s
Training is sentence-transformers' fit(): dropout on, CLS/mean pooling + Normalize from the folder,
CoSENT (scale 20), backward, clip_grad_norm 1.0, AdamW (wd 0.01 except bias/LayerNorm), warmup-linear.
"""
import json
import math
import os
import platform
import random
import statistics
import sys
import time

sys.path.insert(0, os.environ["EMBEDTUNE_TORCH_REF"])

import torch  # noqa: E402

from bert_ref import SentenceEncoder, adamw, cosent_loss, warmup_linear  # noqa: E402


def loaded_libs(*keys):
    libs = {line.split()[-1] for line in open("/proc/self/maps") if any(k in line for k in keys)}
    return sorted(os.path.realpath(p) for p in libs if p.startswith("/"))


def info(_args):
    cap = [line.strip(" -") for line in torch.__config__.show().splitlines() if "CPU capability" in line]
    torch.ones(8, 8) @ torch.ones(8, 8)  # makes torch load its BLAS
    return {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
            "cpu_capability": cap[0] if cap else None, "blas": loaded_libs("blas", "lapack")}


def tokenize_pairs(model, chunk):
    a = model.tokenizer.batch(model.encode_ids([r[0] for r in chunk]))
    b = model.tokenizer.batch(model.encode_ids([r[1] for r in chunk]))
    return a, b, torch.tensor([float(r[2]) for r in chunk])


def step(model, opt, sched, batch):
    (a_ids, a_mask), (b_ids, b_mask), labels = batch
    opt.zero_grad(set_to_none=True)
    e1, _ = model(a_ids, a_mask)
    e2, _ = model(b_ids, b_mask)
    loss = cosent_loss(e1, e2, labels, scale=20.0)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    return loss.item()


def train(args):
    torch.manual_seed(0)
    model = SentenceEncoder(args["model"]).train()
    total = args["warmup"] + args["steps"]
    opt = adamw(model, lr=args["lr"], weight_decay=0.01)
    sched = warmup_linear(opt, warmup_steps=max(1, math.ceil(total * 0.1)), total_steps=total)
    times, cpu, losses = [], [], []
    for _ in range(total):
        t, c = time.perf_counter(), time.process_time()
        batch = tokenize_pairs(model, args["pairs"])  # the same pairs every step; tokenising is timed, as in the trainer
        losses.append(step(model, opt, sched, batch))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    a, b, _ = tokenize_pairs(model, args["pairs"])
    return {"step_seconds": times, "median_seconds": statistics.median(times[args["warmup"]:]),
            "step_cpu_seconds": cpu, "median_cpu_seconds": statistics.median(cpu[args["warmup"]:]),
            "padded_lengths": [a[0].shape[1], b[0].shape[1]],
            "mean_real_tokens": (a[1].sum() + b[1].sum()).item() / (2 * len(args["pairs"])),
            "loss_first_last": [losses[0], losses[-1]], "threads": torch.get_num_threads()}


def epoch(args):
    torch.manual_seed(0)
    model = SentenceEncoder(args["model"]).train()
    rows = list(args["pairs"])
    random.Random(args.get("seed", 42)).shuffle(rows)
    bs = args["batch_size"]
    batches = [rows[i:i + bs] for i in range(0, len(rows), bs)]
    opt = adamw(model, lr=args["lr"], weight_decay=0.01)
    sched = warmup_linear(opt, warmup_steps=max(1, math.ceil(len(batches) * 0.1)), total_steps=len(batches))
    times, losses = [], []
    t0, c0 = time.perf_counter(), time.process_time()
    for chunk in batches:
        t = time.perf_counter()
        losses.append(step(model, opt, sched, tokenize_pairs(model, chunk)))
        times.append(time.perf_counter() - t)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall_seconds": wall, "cpu_seconds": cpu, "steps": len(batches), "median_step_seconds": statistics.median(times),
            "loss_first_last": [losses[0], losses[-1]], "threads": torch.get_num_threads()}


def encode(args):
    torch.manual_seed(0)
    model = SentenceEncoder(args["model"]).eval()
    bs = args["batch_size"]
    sents = sorted(args["sentences"], key=len, reverse=True)  # SentenceTransformer.encode sorts by length, longest first
    batches = [sents[i:i + bs] for i in range(0, len(sents), bs)]
    out = {}
    with torch.no_grad():
        for texts in args.get("warmup", []):  # untimed warm-up batches
            model(*model.tokenizer.batch(model.encode_ids(texts)))
        t, c = time.perf_counter(), time.process_time()
        tokens = 0
        for texts in batches:
            ids, mask = model.tokenizer.batch(model.encode_ids(texts))  # tokenising is timed, as in encode()
            model(ids, mask)
            tokens += mask.sum().item()
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        check = args.get("check", [])
        if check:
            e, _ = model(*model.tokenizer.batch(model.encode_ids(check)))
            out["check_embeddings"] = e.tolist()
    n = len(sents)
    out.update({"sentences": n, "seconds": dt, "cpu_seconds": cpu, "sentences_per_second": n / dt, "batches": len(batches),
                "mean_real_tokens": tokens / n, "threads": torch.get_num_threads()})
    return out


def main():
    task, inp, outp = sys.argv[1], sys.argv[2], sys.argv[3]
    args = json.load(open(inp, encoding="utf-8"))
    torch.set_num_threads(int(args.get("threads", 2)))
    try:
        result = {"ok": True, "value": {"info": info, "train": train, "epoch": epoch, "encode": encode}[task](args)}
    except Exception as e:  # reported to the TypeScript side as the measurement's error
        result = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    json.dump(result, open(outp, "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
