"""``enclave ingest`` and ``enclave docs list|purge|workspaces|reembed``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import print_progress_bar
from app.services import Services
from core.display import one_line
from core.errors import InputError
from rag.ingest import FileResult, IngestReport
from rag.library import check_workspace_name

_STATUS_MARK = {"indexed": "+", "replaced": "~", "unchanged": "=", "duplicate": "=",
                "refused": "!"}


INGEST_EXIT_CODES = """exit status:
  0  every file indexed, replaced, unchanged or a duplicate of one already indexed
  3  some files refused (each named with its reason); the others are stored
  1  nothing stored: every file refused, or no file found
  2  the command could not run (the reason is printed)
  130  stopped (Ctrl+C); what was stored before stays, nothing half-stored"""


def register(subcommands: Any) -> None:
    ingest = subcommands.add_parser(
        "ingest", help="add files or folders to a workspace", epilog=INGEST_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ingest.add_argument("paths", nargs="+", type=Path, help="files or folders (recursive)")
    _workspace_option(ingest)
    ingest.add_argument("--password", default=None, help="password for protected PDFs")
    ingest.set_defaults(handler=run_ingest)

    docs = subcommands.add_parser("docs", help="list or purge indexed documents")
    actions = docs.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the documents of a workspace")
    _workspace_option(listing)
    listing.set_defaults(handler=run_list)
    purge = actions.add_parser("purge", help="remove documents (by path, folder or id)")
    purge.add_argument("references", nargs="+", help="a path, a folder or a document id")
    _workspace_option(purge)
    purge.set_defaults(handler=run_purge)
    actions.add_parser("workspaces", help="list the workspaces").set_defaults(
        handler=run_workspaces)
    reembed = actions.add_parser(
        "reembed", help="move a workspace's vectors to the current embedder (from the stored "
                        "passages; Ctrl-C leaves it as it was)")
    _workspace_option(reembed)
    reembed.set_defaults(handler=run_reembed)
    policy = actions.add_parser(
        "policy", help="show or set a workspace's privacy policy; its documents are indexed "
                       "again when what it stores changes")
    policy.add_argument("policy", nargs="?", choices=("strict", "standard", "masked"),
                        help="strict: the index holds no identifiers; standard and masked keep "
                             "the text (masked exports with the shape kept)")
    _workspace_option(policy)
    policy.set_defaults(handler=run_policy)


def _workspace_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", "-w", default=None,
                        help="the workspace (matter); default: the last one used")


def workspace_of(args: argparse.Namespace, services: Services) -> str:
    return str(args.workspace or services.settings.last_workspace)


def run_ingest(args: argparse.Namespace, services: Services) -> int:
    workspace = workspace_of(args, services)
    report = services.library().ingest(args.paths, workspace=workspace, password=args.password,
                                       progress=print_progress_bar)
    for result in report.results:
        print(describe(result))
    print(f"Workspace {workspace!r}: {report.summary()}")
    if report.stopped:  # the one line that says what to do (the files are named above)
        print(f"enclave: {one_line(report.stopped)}", file=sys.stderr)
    return ingest_exit_code(report)


def ingest_exit_code(report: IngestReport) -> int:
    """See :data:`INGEST_EXIT_CODES`."""
    refused = report.count("refused")
    if not report.results or refused == len(report.results):
        return 1
    return 3 if refused else 0


def describe(result: FileResult) -> str:
    mark = _STATUS_MARK.get(result.status, "?")
    detail = f"{result.pages} pages, {result.chunks} chunks" if result.chunks else ""
    extra = one_line(result.message) if result.message else ""
    reason = f" [{result.reason}]" if result.reason else ""
    parts = ", ".join(part for part in (detail, extra) if part)
    line = f"{mark} {result.status:9}{reason} {one_line(result.path)}"
    return line + (f"  ({parts})" if parts else "")


def run_list(args: argparse.Namespace, services: Services) -> int:
    workspace = workspace_of(args, services)
    library = services.library()
    if not library.has_workspace(workspace):
        raise InputError(f"There is no workspace {workspace!r}; "
                         "see: enclave docs workspaces")
    records = library.documents(workspace)
    print(f"{'ID':12} {'KIND':5} {'PAGES':>5} {'CHUNKS':>6}  PATH")
    for record in records:
        for number, path in enumerate(record.paths or ("",)):
            first = number == 0
            print(f"{record.doc_id[:12] if first else '':12} {record.kind if first else '':5} "
                  f"{record.pages if first else '':>5} {record.chunks if first else '':>6}  "
                  f"{one_line(path)}")
        if record.low_quality_pages:
            pages = ", ".join(map(str, record.low_quality_pages[:20]))
            print(f"{'':12} low-quality scan (low OCR confidence): page(s) {pages}")
    print(f"{len(records)} document(s) in workspace {workspace!r}")
    print_outdated_embedder(workspace, services)
    return 0


def print_outdated_embedder(workspace: str, services: Services) -> None:
    outdated = services.library().outdated_embedder(workspace)
    if outdated:
        print(f"Its vectors were made by {outdated} (an earlier version's embedder), which it "
              f"keeps using; to move it to the current one: enclave docs reembed -w "
              f"{workspace!r}")


def run_reembed(args: argparse.Namespace, services: Services) -> int:
    workspace = workspace_of(args, services)
    library = services.library()
    if not library.has_workspace(workspace):
        raise InputError(f"There is no workspace {workspace!r}; see: enclave docs workspaces")
    previous = library.outdated_embedder(workspace)
    if previous is None:
        print(f"Workspace {workspace!r} already uses the current embedder; nothing to do.")
        return 0
    chunks = library.reembed(workspace, progress=print_progress_bar)
    print(f"Workspace {workspace!r}: {chunks} passage(s) re-embedded "
          f"({previous} -> {services.embedder().name})")
    return 0


def run_policy(args: argparse.Namespace, services: Services) -> int:
    """Set (or show) the policy; a workspace whose stored text another policy made, whether
    changed here, in the window or in settings.json, is indexed again at once."""
    workspace = check_workspace_name(workspace_of(args, services))
    if args.policy:
        policies = services.settings.privacy.workspace_policies
        services.settings_store.update("privacy",
                                       workspace_policies={**policies, workspace: args.policy})
    name = services.privacy_policy(workspace).name
    library = services.library()
    if library.has_workspace(workspace) and library.policy_outdated(workspace):
        report = library.reindex(workspace, progress=print_progress_bar)
        for result in report.results:
            print(describe(result))
        print(f"Workspace {workspace!r}: indexed again under the {name} policy; "
              f"{report.summary()}")
        return ingest_exit_code(report) if report.results else 0
    print(f"Workspace {workspace!r}: privacy policy {name}"
          + ("; its index follows it." if library.has_workspace(workspace) else "."))
    return 0


def run_purge(args: argparse.Namespace, services: Services) -> int:
    workspace = workspace_of(args, services)
    purged: list[str] = []
    for reference in args.references:
        found = services.library().purge(workspace, reference)
        if not found:
            print(f"nothing matches {reference!r} in workspace {workspace!r}")
        purged += found
    print(f"Purged {len(purged)} document(s) from workspace {workspace!r}")
    return 0


def run_workspaces(args: argparse.Namespace, services: Services) -> int:
    library = services.library()
    for name in library.workspaces():
        outdated = library.outdated_embedder(name)
        print(name + (f"  (vectors by {outdated}: enclave docs reembed -w {name!r})"
                      if outdated else ""))
    return 0


def run_ask_documents(question: str, workspace: str, services: Services) -> int:
    """``enclave ask "q" --workspace W``: the direct answer on top (or the honest no, or why
    there is none), then the quoted evidence with its citations, pages and checks."""
    if not services.library().has_workspace(workspace):
        raise InputError(f"There is no workspace {workspace!r}; add documents with: "
                         f"enclave ingest PATH --workspace {workspace!r}")
    from app.answers.answer import CLOSEST
    from app.answers.search import scan_warning
    from app.markdown_text import plain

    answer = services.chat().ask(question, workspace=workspace)
    if answer.note:
        print(f"enclave: {one_line(answer.note)}", file=sys.stderr)
    if not answer.quotes:
        print(answer.text)
        return 0
    print(answer.text if answer.outcome in ("answered", "declined") else f"! {answer.text}")
    if answer.grounded:
        print("  (checked: the quote is on its page, in the document asked about, of the kind "
              "asked about, and holds every figure and name)")
    print(f"\n{CLOSEST if answer.outcome == 'declined' else 'Evidence:'}")
    for quote in answer.quotes:
        state = "verified" if quote.verified else f"NOT verified: {quote.detail}"
        # Markdown markup hidden and wrapped lines joined, as the window shows the quote
        print(f"  [{quote.number}] \u201c{plain(quote.text)}\u201d")
        print(f"      {one_line(quote.hit.path)}, page {quote.hit.page} ({state})"
              f"{scan_warning(quote.hit) if quote.verified else ''}")
    return 0


