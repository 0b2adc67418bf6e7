"""Summaries of hand-written contracts: cited fields, risks, schema, and bad input."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest

from app.contracts import SUMMARY_SCHEMA, NotAContract, summarize_contract, summarize_text
from app.contracts.document import ContractText, squash
from app.contracts.export import cite, to_markdown
from app.contracts.phrasing import ModelPhraser
from core.errors import Cancelled
from rag.errors import NoTextFound
from tests.conftest import SHARED_DATA
from tests.contracts.conftest import SAMPLE_PAGES, contract_of
from tests.fake_runtime import FakeRuntime

SCANNED = SHARED_DATA / "pdfs" / "hard" / "scanned_no_text_layer" / "issue7229.pdf"


def test_every_field_is_cited_with_its_page(sample_contract: ContractText) -> None:
    summary = summarize_text(sample_contract)
    pages = {result.key: result.citation.page for result in summary.fields if result.citation}
    assert pages["parties"] == 1 and pages["renewal_notice"] == 1
    assert pages["cap_on_liability"] == 2 and pages["uncapped_liability"] == 2
    assert pages["governing_law"] == 3 and pages["warranty_duration"] == 3
    assert all(result.verified for result in summary.fields if result.found)


def test_citation_offsets_point_at_the_quote_in_the_page_text(
        sample_contract: ContractText) -> None:
    results = summarize_text(sample_contract).fields
    assert sum(1 for result in results if result.citation is None) == 1  # no exclusivity
    for citation in (citation for result in results for citation in result.citations):
        page = sample_contract.page_text(citation.page)
        assert squash(page[citation.start:citation.end]) == citation.quote


def test_statements_are_plain_and_carry_the_quoted_figures(sample_contract: ContractText) -> None:
    summary = summarize_text(sample_contract)
    assert summary.field("parties").statement == (
        "The agreement is between Northwind Analytics, Inc. and Harbor Mutual Health LLC.")
    assert "ninety (90) days" in summary.field("renewal_notice").statement
    assert summary.field("governing_law").statement.endswith("the State of New York.")
    assert "$2,000,000" in summary.field("insurance").statement


def test_absent_field_says_not_found() -> None:
    pages = [SAMPLE_PAGES[0], SAMPLE_PAGES[1]]  # no insurance, warranty or governing law
    summary = summarize_text(contract_of(pages))
    insurance = summary.field("insurance")
    assert not insurance.found and insurance.statement == "Not found."
    assert insurance.citation is None


def test_risky_terms_are_flagged_with_citations(sample_contract: ContractText) -> None:
    risks = {risk.key: risk for risk in summarize_text(sample_contract).risks}
    assert set(risks) == {"uncapped_liability", "auto_renewal_long_notice",
                          "unilateral_termination", "broad_non_compete"}
    assert risks["unilateral_termination"].citation is not None
    assert risks["unilateral_termination"].citation.page == 2


def test_overview_names_parties_and_counts_findings(sample_contract: ContractText) -> None:
    overview = summarize_text(sample_contract).overview
    assert "Northwind Analytics" in overview and "19 of 20 terms found" in overview


def test_json_output_validates_against_the_schema(sample_contract: ContractText) -> None:
    data = json.loads(json.dumps(summarize_text(sample_contract).to_dict()))
    jsonschema.validate(data, SUMMARY_SCHEMA)
    assert data["fields"][0]["citation"]["page"] == 1


def test_a_field_in_two_places_is_exported_with_both_quotes() -> None:
    second = ("\n\n15. Exclusive Supply. Client shall purchase all of its analytics services "
              "from no source other than Provider, and Provider is Client's exclusive provider "
              "of such services.")
    pages = [SAMPLE_PAGES[0], SAMPLE_PAGES[1].replace(
        "4. Fees", "3A. Exclusivity. Client appoints Provider as its exclusive provider of "
                   "analytics services in the Territory.\n\n4. Fees"), SAMPLE_PAGES[2] + second]
    summary = summarize_text(contract_of(pages))
    exclusivity = summary.field("exclusivity")
    assert exclusivity.citation is not None and len(exclusivity.citations) == 2
    assert {citation.page for citation in exclusivity.citations} == {2, 3}
    markdown = to_markdown(summary)
    assert all(citation.quote in markdown for citation in exclusivity.citations)
    assert "Also (p. " in markdown
    jsonschema.validate(json.loads(json.dumps(summary.to_dict())), SUMMARY_SCHEMA)


def test_clause_in_an_exhibit_is_cited_with_the_exhibit() -> None:
    body, exhibit = SAMPLE_PAGES[2].split("14. Governing Law.")
    exhibit = exhibit[exhibit.index("EXHIBIT A"):]
    pages = [*SAMPLE_PAGES[:2], body + exhibit +
             "\nThis Exhibit is governed by the laws of the State of Vermont.\n"]
    result = summarize_text(contract_of(pages)).field("governing_law")
    assert result.citation is not None and result.citation.annex == "Exhibit A"
    assert cite(result.citation) == "(p. 3, Exhibit A)"


def test_main_body_clause_wins_over_the_same_clause_in_an_exhibit() -> None:
    pages = [*SAMPLE_PAGES[:2],
             SAMPLE_PAGES[2] + "\nThis Exhibit is governed by the laws of the State of Vermont.\n"]
    result = summarize_text(contract_of(pages)).field("governing_law")
    assert result.citation is not None and "New York" in result.citation.quote


def test_two_hundred_page_agreement_is_read_to_the_last_page() -> None:
    filler = ("The Provider shall perform the services described in the statement of work "
              "with reasonable skill and care. ") * 12
    pages = [SAMPLE_PAGES[0], *[filler] * 197, SAMPLE_PAGES[1], SAMPLE_PAGES[2]]
    started = time.perf_counter()
    summary = summarize_text(contract_of(pages))
    assert time.perf_counter() - started < 20
    assert summary.page_count == 200
    assert summary.field("governing_law").citation.page == 200  # type: ignore[union-attr]
    assert summary.field("indemnification").citation.page == 199  # type: ignore[union-attr]


def test_document_that_is_not_a_contract_is_refused() -> None:
    memo = ["Quarterly newsletter\n\nOur team grew by four people this quarter. The cafeteria "
            "now serves soup on Fridays. Please remember to book meeting rooms in advance."]
    with pytest.raises(NotAContract, match="does not look like a contract"):
        summarize_text(contract_of(memo, "newsletter.txt"))


# Plainly written agreements, made up for these tests: no boilerplate, but parties and a term.
INFORMAL = {
    "hosting": ("Managed hosting agreement\n\nThis is a managed hosting agreement between Bluefin "
                "Web Services and Alder Street Bakery. The effective term is 12 months beginning "
                "March 1, 2005. Bluefin will host the bakery's online shop and keep it running. "
                "Alder Street Bakery pays $150 each month."),
    "dog-walking": ("Dog walking arrangement\n\nSam Ortiz agrees to walk Priya Nair's dog every "
                    "weekday at noon. Priya will pay Sam $20 per walk, settled at the end of each "
                    "week. This arrangement runs for six months from June 1, 2023 and either of "
                    "us can end it with two weeks' notice."),
    "sublet": ("Room sublet - agreed between Jordan Lee and Casey Morgan\n\nCasey rents the back "
               "bedroom at 14 Elm Road from Jordan from September 1, 2022 to August 31, 2023. "
               "Rent is $700 a month, due on the first of each month."),
}
NOT_CONTRACTS = {
    "intake-form": ("Patient intake form\n\nName: ____________ Date of birth: ________\n"
                    "Address: ______________________\nInsurance provider: __________ Policy "
                    "number: ________\nReason for visit: ______________\nPlease list current "
                    "medications and allergies. Sign below to confirm the information is correct."
                    "\nSignature: ____________ Date: ________"),
    "bank-letter": ("Northgate Savings Bank\n12 March 2024\n\nDear Ms. Alvarez,\n\nThank you for "
                    "opening a savings account with us. Your first statement will arrive at the "
                    "end of the month. Interest is paid monthly at the rate shown on our website. "
                    "If you have questions, please call our branch between 9 am and 5 pm, Monday "
                    "to Friday.\n\nKind regards,\nCustomer Services"),
    "recipe": ("Lemon drizzle cake\n\nBeat 225g butter and 225g sugar until pale. Add four eggs "
               "one at a time, then fold in 275g self-raising flour and the zest of two lemons. "
               "Bake for 45 minutes at 180C. Pour the juice of one lemon over the warm cake."),
}


@pytest.mark.parametrize("name", INFORMAL)
def test_a_plainly_written_contract_is_summarized_not_refused(name: str) -> None:
    summary = summarize_text(contract_of([INFORMAL[name]], f"{name}.txt"))
    term = summary.field("term")
    assert term.found and term.verified and term.citation is not None
    assert any(month in term.citation.quote for month in ("March", "June", "September"))


def test_a_plain_contract_names_its_parties() -> None:
    parties = summarize_text(contract_of([INFORMAL["hosting"]], "hosting.txt")).field("parties")
    assert parties.statement == ("The agreement is between Bluefin Web Services and Alder "
                                 "Street Bakery.")


@pytest.mark.parametrize("name", NOT_CONTRACTS)
def test_documents_that_are_not_contracts_are_still_refused(name: str) -> None:
    with pytest.raises(NotAContract, match=rf"{name}\.txt does not look like a contract: no "
                                           r"parties, term, governing law"):
        summarize_text(contract_of([NOT_CONTRACTS[name]], f"{name}.txt"))


def test_a_plain_contract_file_goes_through_the_product_path(tmp_path: Path) -> None:
    path = tmp_path / "hosting.txt"
    path.write_text(INFORMAL["hosting"], encoding="utf-8")
    assert summarize_contract(path).field("term").found


def test_not_a_contract_can_still_be_summarized_on_request() -> None:
    summary = summarize_text(contract_of(["A short note about lunch."]), allow_non_contract=True)
    assert not any(result.found for result in summary.fields)


def test_unreadable_scan_gives_a_message_naming_its_pages_and_why() -> None:
    with pytest.raises(NoTextFound, match=r"issue7229\.pdf: no text found .*unreliable text "
                                          r"on page\(s\) 1 .*(?: other than English|"
                                          r"English OCR model does not read)"):
        summarize_contract(SCANNED)


def test_text_file_is_summarized_with_progress(sample_txt: Path) -> None:
    seen: list[float] = []
    summary = summarize_contract(sample_txt, progress=lambda fraction, _: seen.append(fraction))
    assert summary.kind == "text" and summary.field("governing_law").found
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_cancel_stops_the_summary(sample_contract: ContractText) -> None:
    with pytest.raises(Cancelled):
        summarize_text(sample_contract, cancel=lambda: True)


def _with_tracked_changes(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(SAMPLE_PAGES[0])
    document.add_paragraph("14. Governing Law. This Agreement shall be governed by the laws of "
                           "the State of TRACKED.")
    document.save(str(path))
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    xml = members["word/document.xml"].decode("utf-8")
    w = 'w:id="{0}" w:author="Counsel" w:date="2024-01-01T00:00:00Z"'
    changed = ('</w:t></w:r><w:del ' + w.format(1) + '><w:r><w:delText>Texas</w:delText></w:r>'
               '</w:del><w:ins ' + w.format(2) + '><w:r><w:t>Delaware</w:t></w:r></w:ins>'
               '<w:r><w:t>.')
    members["word/document.xml"] = xml.replace("TRACKED.", changed).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def test_docx_with_tracked_changes_is_read_with_changes_accepted(tmp_path: Path) -> None:
    summary = summarize_contract(_with_tracked_changes(tmp_path / "redline.docx"))
    law = summary.field("governing_law")
    assert law.statement == "The agreement is governed by the laws of the State of Delaware."
    assert "Texas" not in (law.citation.quote if law.citation else "")
    assert any("all changes accepted" in note for note in summary.notes)


def test_model_wording_is_used_only_when_grounded(sample_contract: ContractText) -> None:
    good = ModelPhraser(FakeRuntime("Payment of each invoice is due within thirty days."))
    worded = summarize_text(sample_contract, phraser=good).field("payment_terms")
    assert "within thirty days" in worded.statement and worded.wording == "model"
    invented = ModelPhraser(FakeRuntime("Payment of each invoice is due within 15 days."))
    result = summarize_text(sample_contract, phraser=invented).field("payment_terms")
    assert result.statement == "Payment is due within thirty (30) days." and result.verified
    assert result.wording == "template"


def test_model_wording_with_words_foreign_to_the_clause_is_dropped(
        sample_contract: ContractText) -> None:
    chatty = ModelPhraser(FakeRuntime("Suppliers usually negotiate generous discounts upfront."))
    result = summarize_text(sample_contract, phraser=chatty).field("payment_terms")
    assert result.wording == "template" and result.verified
