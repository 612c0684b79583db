"""Median milliseconds per Factur-X document of a 10-line situation, step by step, and the pipeline/gate ratio.

Run: ``.venv/bin/python bench/facturx_bench.py [--documents 50] [--shared-validator]``

Prints the one-off set-up costs (first schematron compilation, first PDF render with the Typst compiler and
fonts, first embedding, first gate run), then, for 1 document and for N documents in the same process (the steps
taking turns on each document), the median time per document of:
- XML only: ``build_xml``;
- render only: ``render_pdf`` (Typst, the PDF/A-3b without the embedded XML);
- embed only: ``embed_xml`` (factur-x: the XML attached as factur-x.xml, the Factur-X XMP);
- gate only: ``validate`` on the finished PDF (PDF/A metadata and attachment, XSD, both schematrons, consistency);
- full pipeline: ``build_facturx`` = XML + PDF + embedding + the whole validation gate.
and the ratio of the full pipeline to the gate alone (CPU medians over N documents).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chorusbat.engine import compute_situation_file  # noqa: E402
from chorusbat.facturx import (  # noqa: E402
    build_facturx,
    build_xml,
    invoice_data_from_situation_file,
    render_pdf,
    validate,
    warm_up,
)
from chorusbat.facturx.pipeline import embed_xml  # noqa: E402

RATES = ("20", "10", "5.5", "20", "20", "10", "20", "5.5", "20", "10")


def ten_line_situation():
    """A 10-line contract (three VAT rates, revision, advance, retention, a penalty), its second situation."""
    lines = [
        {"ref": f"{n}.1", "label": f"Lot {n} — travaux de peinture et revêtements, niveau {n}",
         "kind": "forfait" if n % 2 else "unitaire", "unit": "ens" if n % 2 else "m2",
         "unit_price": "12500.00" if n % 2 else "48.50", "quantity": "1" if n % 2 else "400", "vat_rate": rate}
        for n, rate in enumerate(RATES, start=1)
    ]
    file_data = {
        "supplier": {"name": "PEINTURES DU LITTORAL SARL", "siret": "73282932000074", "vat_number": "FR44732829320",
                     "iban": "FR7630006000011234567890189"},
        "buyer": {"name": "Ville de Nantes", "siret": "21440109300015", "service_code": "DIR_BATIMENTS"},
        "market": {"number": "2026-TX-004", "engagement": "1300045678", "title": "Groupe scolaire Jules Verne",
                   "framework": "A1", "start_date": "2026-09-01", "duration_months": 6, "lines": lines,
                   "revision": {"fixed": "0.125", "variable": "0.875", "base_index": "118.4"},
                   "advance": {"rate": "0.10"}, "retention_rate": "0.05"},
        "situations": [
            {"number": "F2026-0093", "period": "2026-09", "date": "2026-09-30", "index": "119.0",
             "progress": {f"{n}.1": "40" if n % 2 else "150" for n in range(1, 11)}},
            {"number": "F2026-0107", "period": "2026-10", "date": "2026-10-31", "index": "119.7",
             "progress": {f"{n}.1": "75" if n % 2 else "320" for n in range(1, 11)},
             "penalties": [{"label": "Retard remise DOE", "amount": "150.00"}]},
        ],
    }
    return invoice_data_from_situation_file(file_data, compute_situation_file(file_data), 1)


def timed(function, *args) -> float:
    """Wall-clock milliseconds of one call."""
    start = time.perf_counter()
    function(*args)
    return (time.perf_counter() - start) * 1000


def timed_both(function, *args) -> tuple[float, float]:
    """(wall, CPU) milliseconds of one call; CPU time is the steadier figure on a shared machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    function(*args)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50, help="size of the larger batch (default 50)")
    parser.add_argument("--shared-validator", action="store_true",
                        help="also time the gate with the schematrons run by a shared validator process")
    arguments = parser.parse_args(argv)
    count, shared = arguments.documents, arguments.shared_validator

    data = ten_line_situation()
    documents = [dataclasses.replace(data, invoice_number=f"F2026-{n:04d}") for n in range(1, count + 1)]
    print("One-off set-up (first use in a process):")
    print(f"  schematron compilation (EN 16931 + CTC FR):         {timed(warm_up):8.1f} ms")
    print(f"  first XML (lxml):                                   {timed(build_xml, data):8.1f} ms")
    print(f"  first PDF render (Typst compiler, template, fonts): {timed(render_pdf, data):8.1f} ms")
    pdf, xml_bytes = render_pdf(data), build_xml(data)
    print(f"  first embedding (factur-x import):                  {timed(embed_xml, pdf, xml_bytes, data):8.1f} ms")
    finished = embed_xml(pdf, xml_bytes, data)
    print(f"  first gate run (after the schematron compilation):  {timed(validate, finished, data):8.1f} ms")
    print()
    own = {d.invoice_number: dataclasses.replace(d, invoice_number=d.invoice_number.replace("F2026", "F2027"))
           for d in documents}
    # The inputs of the embed and gate steps, made beforehand so that each step is timed alone.
    xml = {d.invoice_number: build_xml(d) for d in documents}
    rendered = {d.invoice_number: render_pdf(d) for d in documents}
    embedded = {d.invoice_number: embed_xml(rendered[d.invoice_number], xml[d.invoice_number], d) for d in documents}
    assert all(validate(embedded[d.invoice_number], d).ok for d in documents[:3])

    steps = (
        ("XML only", build_xml),
        ("render only", render_pdf),
        ("embed only", lambda d: embed_xml(rendered[d.invoice_number], xml[d.invoice_number], d)),
        ("gate only", lambda d: validate(embedded[d.invoice_number], d)),
        # Its own documents: Typst memoises layouts, so re-rendering what "render only" has just rendered would be
        # cheaper than a real new document.
        ("full pipeline", lambda d: build_facturx(own[d.invoice_number])),
    )
    print(f"Median ms per document, 10-line situation ({len(data.lines)} lines, {len(data.by_rate)} VAT rates):")
    print(f"  {'step':<16}{'1 doc wall':>12}{'1 doc CPU':>12}{f'{count} docs wall':>16}{f'{count} docs CPU':>16}")
    singles = {name: timed_both(function, documents[0]) for name, function in steps}
    # The steps take turns on each document, so that a burst of load on the shared machine falls on all of them
    # alike instead of on whichever step happened to be running then.
    batches = {name: [] for name, _function in steps}
    for document in documents:
        for name, function in steps:
            batches[name].append(timed_both(function, document))
    medians = {}
    for name, _function in steps:
        single_wall, single_cpu = singles[name]
        batch_wall = statistics.median(wall for wall, _cpu in batches[name])
        batch_cpu = statistics.median(cpu for _wall, cpu in batches[name])
        medians[name] = (batch_wall, batch_cpu)
        print(f"  {name:<16}{single_wall:>12.1f}{single_cpu:>12.1f}{batch_wall:>16.1f}{batch_cpu:>16.1f}")
    print()
    wall_ratio = medians["full pipeline"][0] / medians["gate only"][0]
    cpu_ratio = medians["full pipeline"][1] / medians["gate only"][1]
    print(f"Full pipeline / gate alone ({count} docs, medians): {wall_ratio:.2f} x wall, {cpu_ratio:.2f} x CPU "
          f"(target <= 2.5 x)")
    if shared:
        shared_gate(documents, embedded)
    return 0


def shared_gate(documents, embedded) -> None:
    """The gate with its schematrons run by a shared validator (``chorusbat validator``) in another process: the
    caller's time and CPU per document, and the validator's capacity (documents a second, one client at a time)."""
    import multiprocessing
    import tempfile

    from chorusbat.facturx import schematron
    from chorusbat.facturx.validator_service import serve

    socket_path = Path(tempfile.mkdtemp(prefix="chorusbat-validator-")) / "validator.sock"
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(socket_path,), daemon=True)
    server.start()
    try:
        deadline = time.monotonic() + 60
        while not schematron.validator_answers(socket_path):
            if time.monotonic() > deadline or not server.is_alive():
                raise SystemExit("the validator did not start")
            time.sleep(0.2)
        schematron.use_validator(str(socket_path))
        validate(embedded[documents[0].invoice_number], documents[0])
        times = [timed_both(validate, embedded[d.invoice_number], d) for d in documents]
        wall = statistics.median(w for w, _c in times)
        cpu = statistics.median(c for _w, c in times)
        print(f"Gate with a shared validator ({len(documents)} docs, medians): {wall:.1f} ms wall, {cpu:.1f} ms CPU "
              f"in the caller; one validator answers about {1000 / wall:.0f} documents a second")
    finally:
        schematron.use_validator(None)
        server.terminate()
        server.join(10)


if __name__ == "__main__":
    sys.exit(main())
