"""The second reader's cost, and, for whoever has a model at hand, its figures beside the rules'.

    python -m bench.model_reader                     tokens per message and cost per 1,000 replies (no model needed)
    python -m bench.model_reader --url http://127.0.0.1:11434/v1 --name qwen2.5:7b [--corpus DIR …] [--mode always]
    python -m bench.model_reader --bedrock anthropic.claude-3-5-haiku-20241022-v1:0 (AWS credentials, model access)

Tokens are what the prompt builder sends (reading/model/prompt.py: the instructions, the schema, the meeting and the
message, bounded), counted as characters / 4 — within ~20 % of the tokenisers of the model families below for
these languages (Chinese and Arabic run denser: they are counted as characters / 1.5). The model is asked only for
replies with a meeting, and in assist mode only for those the rules are not certain of: both counts are printed.

With a model, the shared scorer (../shared/tools/score_replies.py) scores each corpus twice, through `rsvp parse`:
the rules alone, and the rules and the model together (the policy in reading/model/second.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from rsvp.reading import read_message
from rsvp.reading.mime import parse_message
from rsvp.reading.model.prompt import SCHEMA, SYSTEM, user_prompt
from rsvp.reading.model.second import certain, model_input

from .corpora import ROOT, SHARED, labelled

# Bedrock on-demand list prices, USD per million tokens (input, output), us-east-1, as published in 2025;
# check https://aws.amazon.com/bedrock/pricing/ for the stack's region before deciding.
PRICES = {
    "Amazon Nova Micro": (0.035, 0.14),
    "Amazon Nova Lite": (0.06, 0.24),
    "Anthropic Claude 3 Haiku": (0.25, 1.25),
    "Anthropic Claude 3.5 Haiku": (0.80, 4.00),
    "Meta Llama 3.1 8B Instruct": (0.22, 0.22),
}
OUTPUT_TOKENS = 150  # a reading's JSON: intent, a few names, a reason
_DENSE = re.compile(r"[\u0600-\u06ff\u4e00-\u9fff]")


def tokens(text: str) -> int:
    dense = len(_DENSE.findall(text))
    return round((len(text) - dense) / 4 + dense / 1.5)


def corpora(chosen: list[str]) -> list[Path]:
    if chosen:
        return [Path(c) for c in chosen]
    found = [SHARED / n for n in ("replies", "replies-intent", "replies-people", "replies-threads")
             if (SHARED / n / "manifest.json").exists()]
    return found or [ROOT / "tests" / "fixtures" / "replies"]


def meetings_of(folder: Path) -> Path:
    return SHARED / "meetings" if folder.is_relative_to(SHARED) else ROOT / "tests" / "fixtures" / "meetings"


def cost_table(folders: list[Path]) -> None:
    fixed = tokens(SYSTEM) + tokens(json.dumps(SCHEMA))
    print(f"instructions and schema: {fixed} tokens, sent with every message\n")
    print(f"  {'corpus':22} {'replies':>7} {'asked (assist)':>14} {'median tokens':>13} {'max':>6}")
    every: list[int] = []
    asked_total = replies_total = 0
    for folder in folders:
        samples = labelled(folder, meetings_of(folder))
        counts, asked = [], 0
        for sample in samples:
            if sample.meeting is None:
                continue
            msg = parse_message(sample.raw)
            rules = read_message(msg, sample.meeting)
            if rules.kind.value != "reply":
                continue
            counts.append(fixed + tokens(user_prompt(model_input(msg, rules, sample.meeting))))
            asked += not certain(rules)
        every += counts
        asked_total += asked
        replies_total += len(counts)
        if counts:
            print(f"  {folder.name:22} {len(counts):>7} {asked:>14} {statistics.median(counts):>13,.0f} "
                  f"{max(counts):>6,}")
    if not every:
        return
    mean = statistics.mean(every)
    share = asked_total / replies_total
    print(f"\nper 1,000 replies, at Bedrock list prices (mean {mean:,.0f} input + {OUTPUT_TOKENS} output tokens; "
          f"assist asks {share:.0%} of them):")
    for model, (price_in, price_out) in PRICES.items():
        always = 1000 * (mean * price_in + OUTPUT_TOKENS * price_out) / 1e6
        print(f"  {model:30} always ${always:7.3f}   assist ${always * share:7.3f}")


def evaluate(folders: list[Path], extra: list[str]) -> None:
    rsvp = ROOT / ".venv" / "bin" / "rsvp"
    scorer = SHARED.parent / "tools" / "score_replies.py"
    if not scorer.exists():
        sys.exit(f"the shared scorer is not at {scorer}")
    with tempfile.TemporaryDirectory() as folder:
        wrapper = Path(folder) / "rsvp-with-model"
        wrapper.write_text("#!/bin/sh\nexec " + " ".join([str(rsvp), '"$@"', *map(_quoted, extra)]) + "\n")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        for corpus in folders:
            for label, command in (("rules alone", rsvp), ("rules + model", wrapper)):
                done = subprocess.run([sys.executable, str(scorer), str(corpus), "--meetings", str(meetings_of(corpus)),
                                       "--rsvp", str(command)], capture_output=True, text=True, env=os.environ,
                                      check=False)
                summary = [line for line in done.stdout.splitlines() if "intent" in line][:1]
                print(f"{corpus.name:22} {label:14} {summary[0].strip() if summary else done.stderr.strip()[:200]}")


def _quoted(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", default=[], help="a labelled folder (default: the shared sets)")
    parser.add_argument("--url", default="", help="an OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio)")
    parser.add_argument("--name", default="", help="the model that server runs")
    parser.add_argument("--bedrock", default="", help="a Bedrock model id")
    parser.add_argument("--mode", default="always", choices=("assist", "always"))
    args = parser.parse_args()
    folders = corpora(args.corpus)
    cost_table(folders)
    if args.url or args.bedrock:
        print()
        extra = ["--reader-mode", args.mode, *(["--model-url", args.url, "--model-name", args.name] if args.url
                                               else ["--bedrock", args.bedrock])]
        evaluate(folders, extra)


if __name__ == "__main__":
    main()
