"""The user guide shown in the window's Help menu: offline, in the app, written from the live
facts (this machine's data folder, the privacy policies and model families the code ships) so
it cannot drift from what the app does. Plain Markdown; the UI renders it."""

from __future__ import annotations

from pathlib import Path

from app.privacy.policy import POLICIES, PrivacyPolicy, Treatment
from models.families import FAMILIES

EXPORTED_AS = {
    Treatment.TYPE: "the type only, such as <PERSON>",
    Treatment.PLACEHOLDER: "a numbered placeholder, the same number for the same value "
                           "(<PERSON_1>)",
    Treatment.REDACT: "[REDACTED]",
    Treatment.MASK: "stars in its shape (****-****), every letter and digit hidden",
    Treatment.HASH: "a salted hash",
    Treatment.KEEP: "the value itself",
}


def describe_policy(policy: PrivacyPolicy) -> str:
    """One paragraph: what the index stores, what a redacted copy holds, what is kept."""
    if policy.redacts_index:
        stored = (f"Personal data is removed before anything is stored: the index, the page "
                  f"copies and the chat history hold {EXPORTED_AS[policy.index]} instead, so "
                  "answers and the review pane never show the values.")
    else:
        stored = ("The index keeps the documents' text as it is, so answers quote it exactly "
                  "(it never leaves this computer).")
    exported = f"A redacted copy replaces each identifier with {EXPORTED_AS[policy.export]}."
    kept = (" Organisation names are kept everywhere (a company's name is not personal data)."
            if "ORGANIZATION" in policy.exempt_entities else
            " Organisation names are removed too.")
    return f"{stored} {exported}{kept}"


def families_text() -> str:
    return ", ".join(dict.fromkeys(family.name for family in FAMILIES))


SHORTCUTS = (
    ("Ctrl+O", "Add files to the current workspace"),
    ("Ctrl+Shift+O", "Add a folder"),
    ("Ctrl+Shift+N", "New workspace"),
    ("Ctrl+L", "Go to the question box"),
    ("Enter", "Ask the question typed"),
    ("Esc", "Stop the answer being written"),
    ("Ctrl+N", "New chat"),
    ("Ctrl+R", "Regenerate the last answer"),
    ("Ctrl+Shift+C", "Copy the last answer"),
    ("Ctrl+E", "Export the conversation"),
    ("Ctrl+Shift+E", "Export a redacted copy of the document under review"),
    ("Ctrl+,", "Settings"),
    ("Ctrl+wheel", "Zoom the page in the review pane"),
    ("F1", "This guide"),
    ("Ctrl+Q", "Quit"),
)


def topics(data_folder: Path) -> dict[str, str]:
    """Topic title -> Markdown, in reading order."""
    policies = "\n".join(  # <PERSON> is not a tag, **** not emphasis
        f"- **{name}**: " + describe_policy(policy).replace("<", "&lt;").replace("*", "\\*")
        for name, policy in POLICIES.items())
    shortcuts = "\n".join(f"| {keys} | {what} |" for keys, what in SHORTCUTS)
    return {
        "The window": _WINDOW,
        "Privacy policies": _PRIVACY.format(policies=policies),
        "Models": _MODELS.format(families=families_text(), folder=data_folder / "models"),
        "Offline: how to verify": _OFFLINE,
        "Where your data lives": _DATA.format(folder=data_folder),
        "Keyboard shortcuts": "# Keyboard shortcuts\n\n| Keys | Does |\n|---|---|\n"
                              + shortcuts + "\n",
    }


_WINDOW = """# The window

**Workspaces** (top left) keep matters apart: a deal, a patient cohort, a policy set. Each has
its own documents, index, conversation and contract summaries; switching workspace shows only
that workspace's.

**Documents** (below) lists the files of the workspace. Drop files or folders on the window, or
use *Add files…* (Ctrl+O): PDF, Word, text and Markdown, HTML, e-mail, and images or scans (read
by OCR). Each batch shows what it is doing and can be cancelled. **Click a document** to review
it; right-click it to summarize it as a contract. Your original files are never changed.

**Chat** (middle) answers questions from the workspace's documents. Each answer quotes the
passages it comes from; click a number such as **[1]** to open the page with the passage
marked. When the documents do not hold the answer, Enclave says so. A short follow-up ("and
for cause?", "and the co-branding agreement?", "who can terminate it?") is read with the
previous question and searched in the documents its answer came from, unless it names others;
earlier answers are never used as evidence. A question asked while the model loads or
documents are being indexed waits for them and is then answered.

**Contracts** (middle, second tab) summarizes a contract: each key term with a plain sentence,
the exact quote and its page, and unusual or risky terms. Choose a file, drop one, or pick a
document already in the library. *Export…* saves the summary as Markdown, Word or PDF.

**Review** (right) shows a page: the page itself for PDFs and scans (zoom with − and +, or
Ctrl+wheel; *Fit width* fits it to the pane), and its text with personal data highlighted by
type, with a legend and counts. *Redacted preview* shows the text as a redacted copy would hold
it; *Export redacted…* saves that copy (text, Markdown or PDF).
"""

_PRIVACY = """# Privacy policies

Each workspace has a privacy policy (Edit → Settings → *Redaction policy*). It decides what
Enclave stores and what a redacted copy holds:

{policies}

The audit trail (Edit → Audit trail) never holds values under any policy: only what was done,
when, and the types and counts of personal data found.

Highlighting in the review pane is a help for you to check, not a legal judgement: names the
language model is unsure of may be highlighted on one line and not another. A jurisdiction
(the state whose laws govern a contract) is not personal data and is not highlighted.
"""

_MODELS = """# Models

Enclave answers with a language model that runs on this computer. One small model ships inside
it and works at once. A larger model answers better; you can import one. An instruction model
(one with a chat template, such as Phi-4-mini or Gemma 3 4B-it) may answer in a few sentences,
each citing its quote; a sentence whose figures or names are not in the quote it cites is
dropped, and the embedded model keeps to one sentence.

**What is a GGUF?** A single file holding a language model, packed (quantized) to run on an
ordinary processor. Files are named like `Phi-4-mini-instruct-Q4_K_M.gguf`; Q4_K_M is a good
balance of size and quality. A 1-4 billion parameter model needs about 1-4 GB of memory.

**Families that work:** {families}.

**On a machine without internet** (air-gapped): download the .gguf on another computer, check
its SHA-256 checksum against the publisher's, copy it over on a USB drive or a file share, then
Edit → Settings → *Import GGUF…*. Enclave copies it into `{folder}`, records its checksum (the
Checksum column re-verifies it every time Settings opens) and lists it. Select it and press
*Use*; the status bar shows the model in use.
"""

_OFFLINE = """# Offline: how to verify

Nothing you load into Enclave leaves this computer. Two layers make sure of it:

1. **The operating system cuts the network off.** On Linux, Enclave moves itself into its own
   empty network namespace before it starts: no code inside can reach any network. The status
   bar then says **Offline · enforced by the OS**.
2. **Inside the process, always.** Every network connection and name look-up is refused and
   counted. The status bar shows **Offline · guarded in the process · 0 blocked**; the count
   should stay 0. Hover over it for the reason.

To check for yourself:

- Run `enclave doctor` in a terminal: it prints the offline mode, the namespace and the count.
- Disconnect the network cable or switch off Wi-Fi: everything keeps working.
- With administrator help, watch the process with a firewall log or `strace -f -e trace=network`:
  no connection other than the display's local socket appears.
- An administrator can require the OS-level cut-off for every user
  (`/etc/enclave/policy.json`: `{"require_offline_enforcement": true}`); Enclave then refuses to
  start without it.
"""

_DATA = """# Where your data lives

Everything Enclave keeps is in one folder on this computer:

`{folder}`

- `settings.json`: your settings;
- `models/`: imported models and their checksums;
- `index/`: each workspace's index and the text of its pages (under a redacting policy, without
  the personal data);
- `history/`: each workspace's conversation;
- `logs/`: file names, counts and errors, never document text, questions or answers;
- the audit trail of what was done.

Your original documents stay where they are and are never changed. Removing a document from a
workspace deletes its text and index entries, not the file. To move Enclave to another
computer, copy this folder. To remove every trace, delete it.
"""
