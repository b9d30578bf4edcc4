#!/usr/bin/env python3
"""Writes the planner's phrasing bank (crates/vitrine-agent/src/planner/phrasings.tsv) from the
parts of the paraphrase corpus that have been read: the training part and the retired held-out
parts heldout.jsonl to heldout4.jsonl (heldout5 to heldout23, heldout26, heldout28, heldout31 and heldout35, read later, are
regression sets outside the bank; see BANKED_HELDOUT in the corpus test). The blind parts (heldout24.jsonl
onwards, but those) measure the planner and never enter it.

A request becomes a phrasing when its expected outcome has one label: every step uses the same
tool (the label is the tool), or it is refused for one capability that words decide (the label
is `!capability`; `unclear` and `wrong_input` depend on the inputs and the context, not on the
words, and are left out). Then the vectors are embedded:

    python3 scripts/phrasings.py && \\
    cargo run --release -p vitrine-agent --example embed_phrasings -- <models dir>
"""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "crates/vitrine-agent/tests/corpus"
READ_PARTS = ("train.jsonl", "heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl", "heldout4.jsonl")
OUT = ROOT / "crates/vitrine-agent/src/planner/phrasings.tsv"


def label(expect: dict) -> str | None:
    refused = expect.get("refuse")
    if refused is not None:
        if len(refused) == 1 and refused[0] not in ("unclear", "wrong_input"):
            return "!" + refused[0]
        return None
    steps = expect.get("steps") or []
    tools = {step["tool"] for step in steps}
    if len(tools) == 1 and not expect.get("not_done"):
        return tools.pop()
    return None


def main() -> None:
    rows = []
    for part in READ_PARTS:
        for line in (CORPUS / part).read_text().splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            found = label(case["expect"])
            if found:
                text = " ".join(case["text"].split())
                rows.append(f"{found}\t{text}")
    OUT.write_text("\n".join(rows) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} phrasings")


if __name__ == "__main__":
    main()
