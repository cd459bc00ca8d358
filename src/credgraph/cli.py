"""The ``credgraph`` command: thin wrappers over the functions the API also calls.

Contract (docs/cli.md): every command exits 0 on success and non-zero with a one-line
error (plus a ``hint:`` line) on failure; ``--json`` prints one JSON document on stdout and
nothing else; progress and messages go to stderr; tracebacks only with ``--debug``.
``verify --strict`` exits with its verdict (``VERIFY_EXIT``), so scripts can branch on it.
"""

from __future__ import annotations

import json
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import click

from credgraph.config import Settings, load_settings
from credgraph.errors import CredgraphError, InputError, QueryError
from credgraph.ingest import FORMATS as INGEST_FORMATS
from credgraph.ingest.report import IngestReport
from credgraph.models import NodeKind

if TYPE_CHECKING:
    from credgraph.evaluation.retrieval import EvalMode
    from credgraph.search.service import Mode

EXIT_ERROR = 1
EXIT_USAGE = 2
# `credgraph verify --strict`: one exit status per verdict, so a script can branch on it
VERIFY_EXIT = {"valid": 0, "invalid": 3, "could_not_check": 4, "unsigned": 5}


class Context:
    def __init__(self, data_dir: Path | None, debug: bool, quiet: bool) -> None:
        overrides: dict[str, Any] = {}
        if data_dir is not None:
            overrides["data_dir"] = data_dir
        if quiet:
            overrides["progress"] = False
        self.settings = load_settings(**overrides)
        self.debug = debug
        self.quiet = quiet


def _emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of the store and index (default: $CREDGRAPH_DATA_DIR or ./.credgraph).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or progress messages.")
@click.version_option(package_name="credgraph")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, debug: bool, quiet: bool) -> None:
    """credgraph: micro-credentials, NSK qualifications and ESCO in one graph."""
    ctx.obj = Context(data_dir, debug, quiet)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(INGEST_FORMATS)),
    default=None,
    help="Force the input format (default: detected per file).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the ingest report as JSON.")
@click.pass_obj
def ingest(obj: Context, paths: tuple[Path, ...], fmt: str | None, as_json: bool) -> None:
    """Load PATHs (files or folders) into the graph; no PATH loads the bundled data/.

    Each file is loaded atomically; the search index is rebuilt at the end.
    """
    from credgraph.runtime import run_ingest

    def on_file(report: IngestReport) -> None:
        if obj.quiet:
            return
        click.echo(
            _printable(
                f"loaded {report.source}: read {report.rows_read}, "
                f"stored {report.rows_stored}, skipped {report.rows_skipped}, "
                f"failed {report.rows_failed}"
            ),
            err=True,
        )
        for problem in report.failed[:5]:
            click.echo(_printable(f"  failed {problem.location}: {problem.reason}"), err=True)
        if not report.rows_stored and not report.rows_failed and report.skipped:
            click.echo(_printable(f"  {report.skipped[0].reason}"), err=True)  # why nothing

    if not as_json and not obj.quiet:
        click.echo(f"ingesting into {obj.settings.data_dir} ...", err=True)
    result = run_ingest(obj.settings, list(paths) or None, fmt, on_file=on_file)
    if as_json:
        _emit_json(result)
        return
    index = result["index"]
    click.echo(
        f"search index: {index['entities']} entities, {index['lexical_docs']} lexical "
        f"and {index['dense_docs']} dense texts ({index['embedded_now']} newly embedded)",
        err=True,
    )
    _print_counts(result["counts"])
    click.echo(f"done in {result['seconds']['total']:.1f} s", err=True)


def _print_counts(counts: dict[str, dict[str, int]]) -> None:
    click.echo("nodes:")
    for kind, n in counts["nodes"].items():
        click.echo(f"  {kind:<18} {n:>8}")
    click.echo("edges:")
    for kind, n in counts["edges"].items():
        click.echo(f"  {kind:<22} {n:>8}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print {nodes, edges} as JSON.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Node and edge counts per kind."""
    from credgraph.graph import open_store

    store = open_store(obj.settings, create=False)
    try:
        counts = store.counts().to_dict()
    finally:
        store.close()
    if as_json:
        _emit_json(counts)
    else:
        _print_counts(counts)


def _check_lang(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2,3}", value):
        raise click.BadParameter(f"{value!r} is not a language code (use e.g. cs or en)")
    return value.lower()


def _kinds(values: tuple[str, ...]) -> list[NodeKind] | None:
    kinds = [NodeKind.parse(part) for value in values for part in value.split(",") if part]
    return kinds or None


@cli.command()
@click.argument("query")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    help="Node kind(s) to keep (skill, occupation, qualification, competence, "
    "credential, ...); repeat or comma-separate.",
)
@click.option(
    "--lang",
    default=None,
    callback=lambda _ctx, _param, value: _check_lang(value),
    help="Display language (ISO 639 code: cs, en, ...); search uses all.",
)
@click.option("--limit", default=10, show_default=True, type=int)
@click.option("--eqf-min", type=click.IntRange(1, 8), default=None)
@click.option("--eqf-max", type=click.IntRange(1, 8), default=None)
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "lexical", "dense"]),
    default="hybrid",
    show_default=True,
    help="hybrid (both retrievers fused), or lexical or dense alone.",
)
@click.option("--json", "as_json", is_flag=True, help="Print {results: [...]} as JSON.")
@click.pass_obj
def search(
    obj: Context,
    query: str,
    kinds: tuple[str, ...],
    lang: str | None,
    limit: int,
    eqf_min: int | None,
    eqf_max: int | None,
    mode: str,
    as_json: bool,
) -> None:
    """Search every node kind in Czech, English or any language."""
    from credgraph.graph import open_store
    from credgraph.runtime import open_search

    wanted = _kinds(kinds)
    store = open_store(obj.settings, create=False)
    try:
        service = open_search(obj.settings, store)
        hits = service.search(
            query,
            kinds=wanted,
            eqf_min=eqf_min,
            eqf_max=eqf_max,
            lang=lang,
            limit=limit,
            mode=cast("Mode", mode),
        )
    finally:
        store.close()
    if as_json:
        _emit_json({"query": query, "lang": lang, "results": [h.to_dict() for h in hits]})
        return
    if not hits:
        click.echo("no results")
    for rank, hit in enumerate(hits, start=1):
        shown = f" ({hit.label_lang})" if hit.label_lang else ""
        click.echo(f"{rank:>3}. [{hit.kind}] {hit.label}{shown}  {hit.score:.4f}  {hit.id}")


_LANG_OPTION = click.option(
    "--lang",
    default=None,
    callback=lambda _c, _p, v: _check_lang(v),
    help="Display language of labels.",
)


class _Reasoning:
    """Opens the store and the embedder for one reasoning command and closes them."""

    def __init__(self, settings: Settings) -> None:
        from credgraph.graph import open_store
        from credgraph.reasoning.service import Reasoner
        from credgraph.runtime import make_embedder

        self.store = open_store(settings, create=False)
        self.embedder = make_embedder(settings)
        self.reasoner = Reasoner(self.store, settings, self.embedder)

    def __enter__(self) -> Any:
        return self.reasoner

    def __exit__(self, *_: object) -> None:
        self.embedder.cache.close()
        self.store.close()


def _check_mode(value: str | None) -> str | None:
    if value is not None and not (0 < len(value.strip()) <= 40):
        raise click.BadParameter("give a mode of 1 to 40 characters (e.g. online, onsite)")
    return value.strip() if value else None


def _check_finite(value: float | None) -> float | None:
    import math

    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of hours")
    return value


def _constraints(
    mode: str | None, language: str | None, max_hours: float | None, max_eqf: int | None
) -> Any:
    from credgraph.reasoning.requirements import Constraints

    return Constraints(mode=mode, language=language, max_hours=max_hours, max_eqf=max_eqf)


def _constraint_options(command: Any) -> Any:
    """--mode, --language, --max-hours, --max-eqf: the same for stack and pathway (and the
    same names as the API's `constraints`)."""
    options = [
        click.option(
            "--mode",
            default=None,
            callback=lambda _c, _p, v: _check_mode(v),
            help="Only credentials in this mode (online, onsite, …).",
        ),
        click.option(
            "--language",
            default=None,
            callback=lambda _c, _p, v: _check_lang(v),
            help="Only items taught/examined in this language (ISO 639 code).",
        ),
        click.option(
            "--max-hours",
            type=click.FloatRange(min=0, max=100_000),
            default=None,
            callback=lambda _c, _p, v: _check_finite(v),
            help="Only items of at most this many hours.",
        ),
        click.option(
            "--max-eqf",
            type=click.IntRange(1, 8),
            default=None,
            help="Only items at or below this EQF level.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command()
@click.option("--target", required=True, help="Target qualification id (e.g. nsk:upk-26-99-H-08).")
@click.option(
    "--have", multiple=True, help="What the person holds (credential or qualification ids); repeat."
)
@_constraint_options
@_LANG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the stacking answer as JSON.")
@click.pass_obj
def stack(
    obj: Context,
    target: str,
    have: tuple[str, ...],
    mode: str | None,
    language: str | None,
    max_hours: float | None,
    max_eqf: int | None,
    lang: str | None,
    as_json: bool,
) -> None:
    """Options that, with what is held, prove a qualification.

    Through the NSK composition (PK → ÚPK) when the target has one; else competence by
    competence, choosing the fewest credentials/qualifications that cover the gaps. The
    constraints apply to what would be obtained, never to what is held.
    """
    from credgraph.models import expand_id

    with _Reasoning(obj.settings) as reasoner:
        answer = reasoner.stack(
            expand_id(target),
            [expand_id(h) for h in have],
            lang,
            _constraints(mode, language, max_hours, max_eqf),
        )
    if as_json:
        _emit_json(answer)
        return
    t = answer["target"]
    click.echo(f"{t['label']} ({t['code'] or t['id']}): {answer['method']}")
    held = answer["held_coverage"]
    if "held_members" in held:
        click.echo(
            f"held: {len(held['held_members'])} of {held['members']} members; "
            f"complete: {_yes_no(held['complete'])}"
        )
    else:
        click.echo(f"held covers {held['count']} of {held['total']} competences")
    for number, option in enumerate(answer["options"], start=1):
        click.echo(f"option {number}: obtain {', '.join(option['credentials'])}")
    for note in answer["notes"]:
        click.echo(f"note: {note}")


@cli.command()
@click.option("--to", "target", required=True, help="Target qualification id or occupation URI.")
@click.option("--have", multiple=True, help="Held credential / qualification ids; repeat.")
@click.option("--skill", multiple=True, help="Held ESCO skill URIs (or esco: ids); repeat.")
@_constraint_options
@click.option("-k", "k", type=click.IntRange(1, 20), default=None, help="Alternatives to return.")
@_LANG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the pathways as JSON.")
@click.pass_obj
def pathway(
    obj: Context,
    target: str,
    have: tuple[str, ...],
    skill: tuple[str, ...],
    mode: str | None,
    language: str | None,
    max_hours: float | None,
    max_eqf: int | None,
    k: int | None,
    lang: str | None,
    as_json: bool,
) -> None:
    """Ordered steps from what is held to a qualification or an occupation."""
    from credgraph.models import expand_id

    with _Reasoning(obj.settings) as reasoner:
        answer = reasoner.pathways(
            expand_id(target),
            [expand_id(h) for h in have],
            [expand_id(s) for s in skill],
            _constraints(mode, language, max_hours, max_eqf),
            k,
            lang,
        )
    if as_json:
        _emit_json(answer)
        return
    t = answer["target"]
    click.echo(f"{t['label']} ({t['id']}): {answer['method']}")
    for number, path in enumerate(answer["pathways"], start=1):
        click.echo(f"pathway {number}: coverage {path.get('coverage')}")
        for step in path["steps"]:
            item = step["item"]
            click.echo(f"  {step['position']}. {item['label']} ({item['id']})")
    for note in answer["notes"]:
        click.echo(f"note: {note}")


@cli.command()
@click.argument("a")
@click.argument("b")
@_LANG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the recognition answer as JSON.")
@click.pass_obj
def recognise(obj: Context, a: str, b: str, lang: str | None, as_json: bool) -> None:
    """Does A (credential or qualification) cover B (qualification, competence or
    credential)? A recorded decision is shown as the authoritative verdict."""
    from credgraph.models import expand_id

    with _Reasoning(obj.settings) as reasoner:
        answer = reasoner.recognise(expand_id(a), expand_id(b), lang)
    if as_json:
        _emit_json(answer)
        return
    cov = answer["coverage"]["a_covers_b"]
    click.echo(f"{answer['verdict']} ({answer['verdict_source']})")
    click.echo(f"A covers {cov['covered']} of B's {cov['total']} units; related {cov['related']}")
    for reason in answer["reasons"]:
        click.echo(f"reason: {reason}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print {aligned, edges} as JSON.")
@click.pass_obj
def align(obj: Context, as_json: bool) -> None:
    """Link NSK competences and learning outcomes to ESCO skills (ALIGNS_TO edges).

    Replaces the edges a previous run computed; declared alignments are kept.
    """
    from credgraph.graph import open_store
    from credgraph.reasoning.alignment import align_skills
    from credgraph.runtime import open_search

    store = open_store(obj.settings, create=False)
    try:
        search = open_search(obj.settings, store)
        written = align_skills(store, search, obj.settings)
        counts = store.counts().to_dict()
    finally:
        store.close()
    if as_json:
        _emit_json({"aligned": written, "edges": counts["edges"]})
    else:
        click.echo(f"wrote {written} ALIGNS_TO edges", err=True)


@cli.command()
@click.option(
    "--to",
    "target",
    type=click.Choice(["neo4j", "embedded"]),
    required=True,
    help="Copy into this backend, from the other one (embedded: the store in the data "
    "folder; neo4j: the server at CREDGRAPH_NEO4J_URI).",
)
@click.option("--clear", is_flag=True, help="Empty the target first, so it equals the source.")
@click.option("--json", "as_json", is_flag=True, help="Print the target's counts as JSON.")
@click.pass_obj
def copy(obj: Context, target: str, clear: bool, as_json: bool) -> None:
    """Copy the whole graph between the embedded store and Neo4j."""
    from credgraph.graph import open_store
    from credgraph.graph.copy import copy_graph

    source_name = "embedded" if target == "neo4j" else "neo4j"
    source = open_store(
        obj.settings.model_copy(update={"graph_backend": source_name}), create=False
    )
    try:
        dest = open_store(obj.settings.model_copy(update={"graph_backend": target}))
        try:

            def progress(what: str, done: int) -> None:
                if not obj.quiet and not as_json:
                    click.echo(f"copied {done} {what}", err=True)

            counts = copy_graph(
                source,
                dest,
                batch_size=obj.settings.write_batch_size,
                clear_target=clear,
                on_progress=progress,
            ).to_dict()
        finally:
            dest.close()
    finally:
        source.close()
    if as_json:
        _emit_json(counts)
    else:
        click.echo(f"copied {source_name} -> {target}", err=True)
        _print_counts(counts)


@cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "json-ld"]),
    default="turtle",
    show_default=True,
    help="Turtle, or JSON-LD with an inline @context.",
)
@click.option("--id", "ids", multiple=True, help="Export this node and its neighbourhood; repeat.")
@click.option(
    "--depth",
    type=click.IntRange(0, 10),
    default=None,
    help="With --id: also the nodes within N edges of them  [default: 1].",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file (it appears only when complete); default stdout.",
)
@click.pass_obj
def export(
    obj: Context, fmt: str, ids: tuple[str, ...], depth: int | None, out: Path | None
) -> None:
    """Write the graph, or the nodes --id with their neighbourhood, as RDF.

    ESCO, ELM and SKOS terms where they fit, credgraph's own vocabulary for the rest, so
    that `credgraph ingest FILE.ttl` reads it back unchanged (docs/export.md).
    """
    from credgraph.export.store_export import export_cli

    if depth is not None and not ids:
        raise click.UsageError("--depth needs --id (the whole graph is exported without it)")
    counts = export_cli(obj.settings, cast("Any", fmt), list(ids), depth, out)
    if not obj.quiet:
        click.echo(
            f"exported {counts.nodes} nodes and {counts.edges} edges to {out or 'stdout'}",
            err=True,
        )


@cli.command("export-elm")
@click.argument("credential_id")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of stdout.",
)
@click.pass_obj
def export_elm(obj: Context, credential_id: str, out: Path | None) -> None:
    """Print a credential as an ELM v3 / EDC JSON-LD document (the offer: no learner, no
    issuer, unsigned), readable by `credgraph ingest` and EDC tools."""
    from credgraph.export.elm import credential_to_elm
    from credgraph.export.store_export import atomic_text_file
    from credgraph.graph import open_store

    store = open_store(obj.settings, create=False)
    try:
        doc = credential_to_elm(store, credential_id)
    finally:
        store.close()
    if out is None:
        _emit_json(doc)
        return
    with atomic_text_file(out) as fh:
        fh.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes on the one port (each loads the index: memory × N); "
    "2 on a 2-core machine serves concurrent clients without queueing.",
)
@click.pass_obj
def serve(obj: Context, host: str, port: int, workers: int) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    from credgraph.api.server import serve as run_server

    run_server(obj.settings, host, port, workers)


def _printable(text: str) -> str:
    """``text`` with control characters escaped: messages quote file names and contents,
    which must not move the cursor or colour the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class _GroupShowingCommands(click.Group):
    """A group whose --help also prints each subcommand's --help, so docs/cli.md (made
    from the top-level commands' help) documents the subcommands' options too."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None:
                sub = click.Context(command, info_name=name, parent=ctx)
                formatter.write("\n" + command.get_help(sub).rstrip() + "\n")


@cli.group("eval", cls=_GroupShowingCommands)
def eval_group() -> None:
    """Measure the product (retrieval quality)."""


@eval_group.command("retrieval")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    required=True,
    help="id<TAB>text per line; an id may repeat (one line per text of an item).",
)
@click.option(
    "--queries", type=click.Path(path_type=Path), required=True, help="qid<TAB>text per line."
)
@click.option(
    "--qrels",
    type=click.Path(path_type=Path),
    required=True,
    help="TREC qrels: `qid 0 docid relevance` per line (graded; > 0 is relevant).",
)
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "lexical", "dense", "bm25"]),
    default="hybrid",
    show_default=True,
    help="hybrid, lexical or dense: the product's search; bm25: a plain BM25 baseline "
    "(bm25s, no stemming or folding) for comparison.",
)
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=10),
    default=10,
    show_default=True,
    help="Results per query (the run file's depth; also recall@k when above 10).",
)
@click.option(
    "--run-out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the rankings as a TREC run file (qid Q0 docid rank score tag).",
)
@click.option(
    "--cache",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Embedding cache file, kept between runs (default: $CREDGRAPH_EMBEDDING_CACHE "
    "or <data-dir>/embeddings.sqlite).",
)
@click.option(
    "--by-prefix",
    is_flag=True,
    help="Also give the means per query-id prefix (the text before the first '-').",
)
@click.option(
    "--query-map/--no-query-map",
    default=True,
    show_default=True,
    help="Map query vectors Czech → English as `credgraph search` does: the map is fitted "
    "from the data folder's graph (after `credgraph ingest`) without the label pairs whose "
    "Czech text is one of the queries; no graph, no map.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics and per-query scores.")
@click.pass_obj
def eval_retrieval(
    obj: Context,
    corpus: Path,
    queries: Path,
    qrels: Path,
    mode: str,
    k: int,
    run_out: Path | None,
    cache: Path | None,
    by_prefix: bool,
    query_map: bool,
    as_json: bool,
) -> None:
    """Index the corpus with the product's own search pipeline (the normalisation,
    lexical index, embedder and fusion of `credgraph search`), run the queries and score
    them against the qrels: MRR@10, Recall@1/5/10, nDCG@10, per query and mean.
    """
    from credgraph.evaluation.retrieval import (
        check_depth,
        eval_query_map,
        evaluate_retrieval,
        print_summary,
        read_inputs,
    )
    from credgraph.runtime import make_embedder

    settings = obj.settings
    if cache is not None:
        settings = settings.model_copy(update={"embedding_cache": cache})

    def log(message: str) -> None:
        if not obj.quiet:
            click.echo(_printable(message), err=True)

    check_depth(settings, k)
    inputs = read_inputs(corpus, queries, qrels)
    embedder = make_embedder(settings)
    try:
        fitted = None
        if query_map and mode in ("hybrid", "dense"):
            fitted, why = eval_query_map(settings, embedder, inputs.queries.texts.values())
            log(f"query map: {why}")
        report = evaluate_retrieval(
            settings,
            embedder,
            inputs,
            mode=cast("EvalMode", mode),
            k=k,
            run_out=run_out,
            by_prefix=by_prefix,
            log=log,
            query_map=fitted,
        )
    finally:
        embedder.cache.close()
    if as_json:
        _emit_json(report)
    else:
        print_summary(report, click.echo)


def _read_document(path: Path) -> bytes:
    """The bytes of a credential file (gunzipped when its name ends in .gz), bounded."""
    from credgraph.ingest.readers import MAX_DOCUMENT_BYTES, _open_binary, _read_error

    try:
        with _open_binary(path) as fh:
            raw = fh.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise _read_error(path, exc) from exc
    except Exception as exc:  # zlib.error and friends from a damaged .gz
        raise _read_error(path, exc) from exc
    return raw


def _document_name(path: Path) -> str:
    name = str(path)
    return name[: -len(".gz")] if name.lower().endswith(".gz") else name


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the validation as JSON.")
@click.pass_obj
def validate(obj: Context, file: Path, as_json: bool) -> None:
    """Check a credential FILE against the EU micro-credential template (Council
    Recommendation 2022, Annex I) and the national volume rules, and verify its signature.

    Reads every format `ingest` reads (ELM/EDC JSON-LD, Open Badges, CTDL, QDR XML, the
    provider CSV template). Nothing is stored. Every credential of the file is reported,
    CSV rows that `ingest` would refuse included (their refused cells as INVALID, naming
    line and column). Exits 0 when the document could be read, whatever it lacks; the
    answer says what is present, missing or invalid.
    """
    from credgraph.reasoning.validation import validate_document

    answer = validate_document(_read_document(file), _document_name(file), obj.settings)
    if as_json:
        _emit_json(answer)
        return
    marks = {"present": "ok", "missing": "MISSING", "invalid": "INVALID"}
    several = len(answer["credentials"]) > 1
    for checked in answer["credentials"]:
        where = f", {checked['location']}" if several else ""
        click.echo(_printable(f"{checked['title']} ({checked['kind']}, {answer['format']}{where})"))
        for element in checked["elements"]:
            need = "mandatory" if element["mandatory"] else "optional "
            status = marks[element["status"]]
            if not element["applies"]:
                # an element an offer need not carry (e.g. the learner): shown, not judged
                need, status = "not for this kind", element["status"]
            name, detail = element["name"], element["detail"]
            click.echo(_printable(f"  {status:<8} {need} {name}: {detail}"))
        for warning in checked["warnings"]:
            click.echo(_printable(f"  warning: {warning}"))
        for problem in checked["problems"]:
            click.echo(_printable(f"  not storable: {problem}"))
    v = answer["verification"]
    click.echo(_printable(f"signature: {v['status']}: {v['reason']}"))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the verification as JSON.")
@click.option(
    "--strict",
    is_flag=True,
    help="Make the verdict the exit status: 0 valid, 3 invalid, 4 could_not_check, "
    "5 unsigned (without it: 0 whenever a verdict is given).",
)
@click.pass_obj
def verify(obj: Context, file: Path, as_json: bool, strict: bool) -> None:
    """Verify the signature of a credential FILE (EDC JAdES seal, VC / Open Badges proof):
    valid | invalid | could_not_check | unsigned, with integrity, trust in the signer and
    certificate expiry reported separately. Nothing is fetched over the network.

    Exit status: 0 when a verdict was given, whatever it is (the command succeeded; read
    the verdict), 1 when the file cannot be read, 2 for a usage error. With --strict the
    verdict is the exit status: 0 valid (the signature matches: read trust and expiry
    too), 3 invalid, 4 could_not_check, 5 unsigned.
    """
    from credgraph.trust import verify_document

    result = verify_document(_read_document(file), _document_name(file)).to_dict()
    if as_json:
        _emit_json(result)
    else:
        click.echo(_printable(f"{result['status']}: {result['reason']}"))
        for part in ("integrity", "trust", "expiry"):
            if isinstance(result.get(part), dict):
                status, reason = result[part].get("status"), result[part].get("reason")
                click.echo(_printable(f"  {part}: {status}: {reason}"))
    code = VERIFY_EXIT[result["status"]] if strict else 0
    if code:
        sys.exit(code)  # SystemExit passes through click and main() unchanged


def _yes_no(value: object) -> str:
    """A tri-state answer in words: yes, no, or unknown (None: cannot be told)."""
    if value is True:
        return "yes"
    return "no" if value is False else "unknown"


def _fail(message: str, hint: str | None, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"error: {_printable(message)}", err=True)
    if hint:
        click.echo(f"hint: {_printable(hint)}", err=True)
    sys.exit(code)


def _hint(exc: CredgraphError) -> str:
    """The error's own hint, else a general one: the contract promises a hint line."""
    if exc.hint:
        return exc.hint.splitlines()[0]
    if isinstance(exc, InputError):
        return "fix the input named above and run again"
    if isinstance(exc, QueryError):
        return "see `credgraph search --help`"
    return "run again with --debug for details"


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="credgraph", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", None, 130)
    except click.ClickException as exc:
        _fail(exc.format_message(), "see `credgraph --help`", EXIT_USAGE)
    except CredgraphError as exc:
        if debug:
            traceback.print_exc()
        _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, _hint(exc))
    except KeyboardInterrupt:
        _fail("interrupted", None, 130)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        first = str(exc).splitlines()[0] if str(exc) else ""
        _fail(
            f"internal error: {type(exc).__name__}: {first}",
            "run again with --debug for the traceback, and report it",
        )
    sys.exit(0)


def render_cli_reference() -> str:
    """docs/cli.md: the contract text plus every command's --help (tests keep it in step)."""
    parts = [
        "# Command-line reference\n",
        "Generated from `credgraph --help` by `scripts/gen-cli-docs`; "
        "tests/unit/test_docs.py fails when it is out of date.\n",
        "Contract: every command exits 0 on success and non-zero with a one-line `error:` "
        "message (and a `hint:` line) on stderr on failure (2 for usage errors); `--json` "
        "prints exactly one JSON document on stdout; progress goes to stderr; tracebacks "
        "only with `--debug`. `credgraph verify --strict` exits with its verdict instead: "
        "0 valid, 3 invalid, 4 could_not_check, 5 unsigned (docs/verification.md).\n",
    ]
    root = click.Context(
        cli,
        info_name="credgraph",
        terminal_width=88,
        max_content_width=88,
        help_option_names=["-h", "--help"],
    )
    parts.append("## credgraph\n\n```text\n" + cli.get_help(root).rstrip() + "\n```\n")
    for name in sorted(cli.commands):
        command = cli.commands[name]
        sub = click.Context(command, info_name=name, parent=root)
        parts.append(
            f"## credgraph {name}\n\n```text\n" + command.get_help(sub).rstrip() + "\n```\n"
        )
    return "\n".join(parts)
