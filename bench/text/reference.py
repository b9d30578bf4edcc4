"""Python reference for bench/text/run.sh: all-MiniLM-L6-v2 with Hugging Face's
own `tokenizers` and a NumPy (OpenBLAS, all cores) BERT forward pass, mean
pooling and L2 normalisation, as sentence-transformers computes it.

PyTorch (hence sentence-transformers) could not be installed on the bench
machine, so this stands in for it. Also prints the reference cosines of the
sentence-transformers README so a run shows both paths agree.

usage: reference.py MODELS_DIR [ITERATIONS]
"""

import sys
import time

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

SENTENCE = "please blur every face in this photo before sharing it"
HEADS, LAYERS, EPS = 12, 6, 1e-12


def erf(x):
    # Abramowitz & Stegun 7.1.26; NumPy has no erf
    s = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return s * (1.0 - p * np.exp(-x * x))


def layer_norm(x, w, b):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


class MiniLM:
    def __init__(self, models_dir):
        self.tok = Tokenizer.from_file(f"{models_dir}/all-MiniLM-L6-v2.tokenizer.json")
        self.tok.no_padding()
        self.tok.enable_truncation(256)
        w = load_file(f"{models_dir}/all-MiniLM-L6-v2.safetensors")
        self.w = {k: (v.T.copy() if k.endswith("dense.weight") or ".self." in k and k.endswith("weight") else v)
                  for k, v in w.items()}

    def embed(self, text):
        w = self.w
        ids = np.array(self.tok.encode(text).ids)
        n = len(ids)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            lin = lambda name, v: v @ w[p + name + ".weight"] + w[p + name + ".bias"]  # noqa: E731
            q = lin("attention.self.query", x).reshape(n, HEADS, -1).transpose(1, 0, 2)
            k = lin("attention.self.key", x).reshape(n, HEADS, -1).transpose(1, 0, 2)
            v = lin("attention.self.value", x).reshape(n, HEADS, -1).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(1, 0, 2).reshape(n, -1)
            x = layer_norm(lin("attention.output.dense", ctx) + x,
                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = lin("intermediate.dense", x)
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = layer_norm(lin("output.dense", h) + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled = x.mean(0)
        return pooled / max(np.linalg.norm(pooled), 1e-12)


def main():
    models_dir = sys.argv[1]
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    started = time.perf_counter()
    model = MiniLM(models_dir)
    load = time.perf_counter() - started
    a, b, c = (model.embed(s) for s in
               ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    for _ in range(10):
        model.embed(SENTENCE)
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        model.embed(SENTENCE)
        times.append((time.perf_counter() - started) * 1e3)
    times.sort()
    print(f"numpy ref     load {load * 1e3:.0f} ms  embed p50 {times[len(times) // 2]:.2f} ms  "
          f"p90 {times[len(times) * 9 // 10]:.2f} ms  min {times[0]:.2f} ms  ({iterations} runs)")
    print(f"numpy ref cosines (published 0.6660 0.1046 0.1411): {a @ b:.4f} {a @ c:.4f} {b @ c:.4f}")


if __name__ == "__main__":
    main()
