"""Saves a tiny model with half-precision weights as sentence-transformers does, and its float32 embeddings.

usage: half_precision_reference.py SOURCE OUT DTYPE(float16|bfloat16) TEXTS_JSON
Writes OUT (the model with model.safetensors in DTYPE) and OUT.json: the embeddings sentence-transformers
computes after widening the saved half-precision weights back to float32 (model.float()).
"""
import json
import sys

import torch
from sentence_transformers import SentenceTransformer

source, out, dtype, texts = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
model = SentenceTransformer(source, device="cpu")
model.to(getattr(torch, dtype))
model.save(out, safe_serialization=True)
reloaded = SentenceTransformer(out, device="cpu").float()
embeddings = reloaded.encode(texts, convert_to_numpy=True, batch_size=len(texts))
json.dump({"embeddings": embeddings.tolist()}, open(out + ".json", "w"))
