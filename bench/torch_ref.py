"""PyTorch side of embedtune's benchmarks: the shared reference (bert_ref.py, imported from the temporary
copy of ../shared/reference/torch that bench/torch.ts prepares) run on exactly the model folders and
texts the TypeScript side uses. Called by bench/torch.ts as

    LD_LIBRARY_PATH=<copy>/openblas-openmp /usr/bin/python3 bench/torch_ref.py <task> <input.json> <output.json>

with the reference copy's folder in EMBEDTUNE_TORCH_REF. Tasks:
  info    torch version, threads, CPU capability, the BLAS library actually loaded
  train   one fixed batch of pairs, repeated: warm-up steps, then timed steps (median), as bench.py (b)
  epoch   one epoch over all pairs in shuffled batches, wall time (tokenisation inside the loop, as the trainer)
  encode  eval + no_grad, batches sorted by length like SentenceTransformer.encode, sentences/s
  family  a model of another family (bert | xlm-roberta | modernbert) from ../shared/reference/torch/families/<family>/
          <family>_ref.py on the token ids embedtune's tokenizer made (the same padded batches): load, optionally
          one encode batch (eval, no_grad), then warm-up + timed training steps of the fixed pairs; peak RSS (VmHWM)
  ir      InformationRetrievalEvaluator's work, cosine only: encode queries, encode corpus, then cos_sim,
          torch.topk(max k) and compute_metrics (default k lists), each stage timed
Training is sentence-transformers' fit(): dropout on, CLS/mean pooling + Normalize from the folder,
CoSENT (scale 20), backward, clip_grad_norm 1.0, AdamW (wd 0.01 except bias/LayerNorm), warmup-linear.
"""
import importlib.util
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

import bert_ref  # noqa: E402
from bert_ref import SentenceEncoder, adamw, cosent_loss, pool, warmup_linear  # noqa: E402


def loaded_libs(*keys):
    libs = {line.split()[-1] for line in open("/proc/self/maps") if any(k in line for k in keys)}
    return sorted(os.path.realpath(p) for p in libs if p.startswith("/"))


def info(_args):
    import ctypes

    if hasattr(torch.backends, "cpu"):  # torch >= 2.0
        cap = torch.backends.cpu.get_cpu_capability()
    else:  # "CPU capability usage: AVX2" in the build summary
        cap = next((line.split(":")[-1].strip() for line in torch.__config__.show().splitlines() if "CPU capability" in line), None)
    torch.ones(8, 8) @ torch.ones(8, 8)  # makes torch load its BLAS
    blas = loaded_libs("blas", "lapack")
    openblas = None
    for path in blas:  # the first loaded library exporting OpenBLAS's own queries (the core DYNAMIC_ARCH chose)
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_get_corename") and hasattr(lib, "openblas_get_config"):
            lib.openblas_get_corename.restype = lib.openblas_get_config.restype = ctypes.c_char_p
            openblas = {"corename": lib.openblas_get_corename().decode(), "config": lib.openblas_get_config().decode().strip()}
            break
    return {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
            "cpu_capability": cap, "blas": blas, "openblas": openblas}


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


def ir(args):
    torch.manual_seed(0)
    model = SentenceEncoder(args["model"]).eval()
    bs = args["batch_size"]

    def embed(texts):  # SentenceTransformer.encode: batches sorted by text length, longest first; original order back
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = [None] * len(texts)
        for start in range(0, len(order), bs):
            chunk = order[start:start + bs]
            e, _ = model(*model.tokenizer.batch(model.encode_ids([texts[i] for i in chunk])))
            for j, i in enumerate(chunk):
                out[i] = e[j]
        return torch.stack(out)

    relevant = {q: set(docs) for q, docs in args["relevant_docs"].items() if docs}
    query_ids = [q for q in args["queries"] if q in relevant]
    query_texts = [args["queries"][q] for q in query_ids]
    corpus_ids = list(args["corpus"])
    corpus_texts = [args["corpus"][c] for c in corpus_ids]
    acc_k, pr_k, mrr_k, ndcg_k, map_k = [1, 3, 5, 10], [1, 3, 5, 10], [10], [10], [100]
    top_k = max(acc_k + pr_k + mrr_k + ndcg_k + map_k)
    with torch.no_grad():
        embed(query_texts[:bs])  # untimed warm-up batch
        t0, c0 = time.perf_counter(), time.process_time()
        q = embed(query_texts)
        t1 = time.perf_counter()
        c = embed(corpus_texts)
        t2 = time.perf_counter()
        scores = torch.nn.functional.normalize(q, dim=1) @ torch.nn.functional.normalize(c, dim=1).T  # util.cos_sim
        values, indices = torch.topk(scores, min(top_k, len(corpus_ids)), dim=1, largest=True, sorted=True)
        hits = [[(corpus_ids[i], s) for s, i in zip(row_v, row_i)] for row_v, row_i in zip(values.tolist(), indices.tolist())]
    n = len(query_ids)
    m = {f"cosine_accuracy@{k}": 0.0 for k in acc_k}
    for k in pr_k:
        m[f"cosine_precision@{k}"] = 0.0
        m[f"cosine_recall@{k}"] = 0.0
    for k in ndcg_k:
        m[f"cosine_ndcg@{k}"] = 0.0
    for k in mrr_k:
        m[f"cosine_mrr@{k}"] = 0.0
    for k in map_k:
        m[f"cosine_map@{k}"] = 0.0
    dcg = lambda rel, k: sum(r / math.log2(i + 2) for i, r in enumerate(rel[:k]))  # compute_dcg_at_k
    for qid, top in zip(query_ids, hits):
        rel = relevant[qid]
        for k in acc_k:
            m[f"cosine_accuracy@{k}"] += any(h[0] in rel for h in top[:k]) / n
        for k in pr_k:
            correct = sum(h[0] in rel for h in top[:k])
            m[f"cosine_precision@{k}"] += correct / k / n
            m[f"cosine_recall@{k}"] += correct / len(rel) / n
        for k in mrr_k:
            m[f"cosine_mrr@{k}"] += next((1.0 / (r + 1) for r, h in enumerate(top[:k]) if h[0] in rel), 0.0) / n
        for k in ndcg_k:
            m[f"cosine_ndcg@{k}"] += dcg([int(h[0] in rel) for h in top[:k]], k) / dcg([1] * len(rel), k) / n
        for k in map_k:
            correct, total = 0, 0.0
            for r, h in enumerate(top[:k]):
                if h[0] in rel:
                    correct += 1
                    total += correct / (r + 1)
            m[f"cosine_map@{k}"] += total / min(k, len(rel)) / n
    t3, c3 = time.perf_counter(), time.process_time()
    return {"queries": n, "corpus": len(corpus_ids), "query_seconds": t1 - t0, "corpus_seconds": t2 - t1,
            "search_seconds": t3 - t2, "total_seconds": t3 - t0, "cpu_seconds": c3 - c0, "metrics": m,
            "top_ids": [[h[0] for h in hits[query_ids.index(q)][:10]] for q in args.get("check_ids", [])], "threads": torch.get_num_threads()}


def family_module(family):
    """bert_ref, or families/<family>/<family>_ref.py of the reference copy (its file name is not an identifier)."""
    if family == "bert":
        return bert_ref
    path = os.path.join(os.environ["EMBEDTUNE_TORCH_REF"], "families", family, f"{family}_ref.py")
    spec = importlib.util.spec_from_file_location(family.replace("-", "_") + "_ref", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FamilyEncoder(torch.nn.Module):
    """The family's model class (its own loader) -> Pooling (cls|mean) -> optional Normalize, from the folder."""

    def __init__(self, family, folder):
        super().__init__()
        module = family_module(family)
        model_class = {"bert": "BertModel", "xlm-roberta": "XLMRobertaModel", "modernbert": "ModernBertModel"}[family]
        self.encoder = getattr(module, model_class).from_pretrained(folder)
        pc = json.load(open(os.path.join(folder, "1_Pooling", "config.json")))
        self.pooling = pc.get("pooling_mode") or ("cls" if pc.get("pooling_mode_cls_token") else "mean")
        self.normalize = any(m["type"].endswith("Normalize") for m in json.load(open(os.path.join(folder, "modules.json"))))
        # AdamW's groups as each reference builds them (ModernBERT: HF Trainer's, no decay for norms and biases)
        self.make_optimizer = getattr(module, "adamw_hf", adamw)

    def forward(self, input_ids, attention_mask):
        h = self.encoder(input_ids, attention_mask)
        e = pool(h, attention_mask, self.pooling)
        return (torch.nn.functional.normalize(e, p=2, dim=-1) if self.normalize else e), h


def peak_rss_mb():
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024


def family(args):
    torch.manual_seed(0)
    t = time.perf_counter()
    model = FamilyEncoder(args["family"], args["model"])
    load_seconds = time.perf_counter() - t
    side = lambda s: (torch.tensor(s["ids"], dtype=torch.long), torch.tensor(s["mask"], dtype=torch.long))
    out = {"load_seconds": load_seconds, "parameters": sum(p.numel() for p in model.parameters())}
    if args.get("encode"):
        model.eval()
        with torch.no_grad():
            t = time.perf_counter()
            model(*side(args["a"]))
            out["encode_seconds"] = time.perf_counter() - t
        out["peak_rss_after_encode_mb"] = peak_rss_mb()
    model.train()
    total = args["warmup"] + args["steps"]
    opt = model.make_optimizer(model, lr=args["lr"], weight_decay=0.01)
    sched = warmup_linear(opt, warmup_steps=max(1, math.ceil(total * 0.1)), total_steps=total)
    times, cpu, losses = [], [], []
    for _ in range(total):
        t, c = time.perf_counter(), time.process_time()
        batch = side(args["a"]), side(args["b"]), torch.tensor([float(x) for x in args["labels"]])
        losses.append(step(model, opt, sched, batch))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    timed = times[args["warmup"]:] or times
    out.update({"step_seconds": times, "median_seconds": statistics.median(timed), "step_cpu_seconds": cpu,
                "median_cpu_seconds": statistics.median(cpu[args["warmup"]:] or cpu), "losses": losses,
                "padded_lengths": [len(args["a"]["ids"][0]), len(args["b"]["ids"][0])],
                "peak_rss_mb": peak_rss_mb(), "threads": torch.get_num_threads()})
    return out


def main():
    task, inp, outp = sys.argv[1], sys.argv[2], sys.argv[3]
    args = json.load(open(inp, encoding="utf-8"))
    torch.set_num_threads(int(args.get("threads", 2)))
    try:
        result = {"ok": True, "value": {"info": info, "train": train, "epoch": epoch, "encode": encode, "ir": ir, "family": family}[task](args)}
    except Exception as e:  # reported to the TypeScript side as the measurement's error
        result = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    json.dump(result, open(outp, "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
