# The reference for dense.test.ts, computed by sentence-transformers 6 + torch. `build OUT`: a model
# folder OUT/model (tiny-bert → mean Pooling → Dense 64→32 Tanh → Dense 32→16 GELU without bias →
# Normalize, seeded), and OUT/reference.json with inputs and torch's outputs and gradients of those
# modules. `check SAVED ORIGINAL`: loads both folders in ST and prints how their modules compare.
import json, sys

import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.models import Dense, Normalize, Pooling, Transformer


def build(out, tiny_bert):
    torch.manual_seed(7)
    transformer = Transformer(tiny_bert)
    pooling = Pooling(transformer.get_embedding_dimension(), "mean")
    dense1 = Dense(64, 32, bias=True, activation_function=torch.nn.Tanh())
    dense2 = Dense(32, 16, bias=False, activation_function=torch.nn.GELU())
    model = SentenceTransformer(modules=[transformer, pooling, dense1, dense2, Normalize()])
    model.save(f"{out}/model")
    pooled = torch.randn(3, 64)
    tokens = torch.randn(2, 5, 64)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    weights = torch.randn(2, 16)
    features = {"token_embeddings": tokens, "attention_mask": mask}
    for module in [pooling, dense1, dense2, Normalize()]:
        features = module(features)
    stack = features["sentence_embedding"]
    (stack * weights).sum().backward()
    reference = {
        "pooled": pooled.tolist(),
        "dense1": dense1({"sentence_embedding": pooled})["sentence_embedding"].tolist(),
        "tokens": tokens.tolist(),
        "mask": mask.tolist(),
        "loss_weights": weights.tolist(),
        "stack": stack.tolist(),
        "grad_dense1_weight": dense1.linear.weight.grad.tolist(),
        "grad_dense1_bias": dense1.linear.bias.grad.tolist(),
        "grad_dense2_weight": dense2.linear.weight.grad.tolist(),
    }
    with open(f"{out}/reference.json", "w") as file:
        json.dump(reference, file)


def check(saved, original):
    a, b = SentenceTransformer(saved, device="cpu"), SentenceTransformer(original, device="cpu")
    result = {
        "classes": [type(m).__name__ for m in a],
        "configs_equal": all(x.get_config_dict() == y.get_config_dict() for x, y in zip(list(a)[1:], list(b)[1:])),
        "weights_equal": all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values())),
        "same_length": len(a) == len(b),
        "max_embedding_difference": float((a.encode(["a test", "another sentence"], convert_to_tensor=True) - b.encode(["a test", "another sentence"], convert_to_tensor=True)).abs().max()),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3])
