"""A question that names one document among many is searched in that document."""

from __future__ import annotations

from rag.targeting import named_documents, words

PROFILES = {
    "cca": "OUTSOURCING AGREEMENT\nCCAINDUSTRIESINC 04 14 2014 EX 10.1 OUTSOURCING AGREEMENT\n"
           "This Outsourcing Agreement is made between CCA Industries, Inc. and Emerson Group.",
    "ipa": "INTELLECTUAL PROPERTY AGREEMENT\nGarrettMotionInc IP AGREEMENT\n"
           "This Agreement is entered into by Honeywell International Inc. and Garrett Motion.",
    "host": "HOSTING AGREEMENT\nQuantumGroupInc Hosting Agreement\n"
            "This Agreement is between International Business Machines and The Quantum Group.",
    "supply": "SUPPLY AGREEMENT\nSupply Agreement\nThis Supply Agreement is made between "
              "Acme Corp and Widget Ltd.",
}
TITLES = {doc: words(text.split("\n")[0] + " " + text.split("\n")[1])
          for doc, text in PROFILES.items()}


def test_a_question_naming_the_parties_targets_their_contract() -> None:
    target = named_documents("Which state's law governs the outsourcing agreement between CCA "
                             "Industries and Emerson Healthcare?", PROFILES, TITLES)
    assert target.doc_ids[0] == "cca"
    assert "emerson" in target.naming_words and "cca" in target.naming_words
    assert "CCA" not in target.focus and target.focus.startswith("Which state's law governs")


def test_a_question_naming_no_document_searches_them_all() -> None:
    target = named_documents("Which law governs the agreement?", PROFILES, TITLES)
    assert target.doc_ids == () and target.focus == "Which law governs the agreement?"


def test_a_single_document_is_never_targeted() -> None:
    one = {"cca": PROFILES["cca"]}
    target = named_documents("What does the CCA outsourcing agreement say?", one,
                             {"cca": TITLES["cca"]})
    assert target.doc_ids == ()


def test_a_word_every_document_shares_names_nothing() -> None:
    target = named_documents("What does the Agreement say about payment?", PROFILES, TITLES)
    assert target.doc_ids == ()


def test_in_a_small_library_one_word_of_one_title_names_its_document() -> None:
    pair = {"cobrand": "CO-BRANDING AGREEMENT\nmPhase co branding agreement\nThis Agreement is "
                       "made between mPhase and Lucent.",
            "distrib": "DISTRIBUTOR AGREEMENT\nDistributor Agreement\nThis Agreement is made "
                       "between Acme and Widget."}
    titles = {doc: words(text.split("\n")[0] + " " + text.split("\n")[1])
              for doc, text in pair.items()}
    target = named_documents("How much notice is needed to terminate the co-branding "
                             "agreement?", pair, titles)
    assert target.doc_ids == ("cobrand",)
    assert named_documents("How much notice is needed to terminate the agreement?", pair,
                           titles).doc_ids == ()


def test_a_hyphenated_word_names_a_document_whose_file_name_splits_it() -> None:
    pair = {"cobrand": "co branding agreement\n# Co-Branding Agreement\nBetween mPhase and "
                       "Lucent.",
            "distrib": "distributor agreement\n# Distributor Agreement\nBetween Acme and "
                       "Widget."}
    titles = {doc: words(text.split("\n")[0]) for doc, text in pair.items()}
    target = named_documents("And the co-branding agreement?", pair, titles)
    assert target.doc_ids == ("cobrand",)


FILINGS = {
    "pfizer": "PFIZER 2021 10K\nPfizer Inc. annual report on Form 10-K for fiscal 2021.",
    "amcor": "AMCOR 2023Q4 EARNINGS\nAmcor reports results; contact us in the US and abroad.",
    "block": "BLOCK 2020 10K\nBlock, Inc. (formerly Square) annual report for 2020.",
    "threem": "3M 2022 10K\n3M Company annual report for 2022.",
}
FILING_TITLES = {doc: words(text.split("\n")[0]) for doc, text in FILINGS.items()}


def test_a_possessive_names_its_owner() -> None:
    """"Pfizer's" names the Pfizer filing (it was the word "pfizer's", found nowhere)."""
    for question, expected in (("What was Pfizer's revenue in 2021?", "pfizer"),
                               ("Did Block's gross profit grow?", "block")):
        assert named_documents(question, FILINGS, FILING_TITLES).doc_ids[0] == expected


def test_a_word_of_two_letters_names_a_document_only_by_its_title() -> None:
    """"US" is the country, not the filing whose first page mentions the US; "3M" is a name."""
    target = named_documents("How did US sales growth compare to international growth?",
                             FILINGS, FILING_TITLES)
    assert target.doc_ids == ()
    assert named_documents("Did 3M pay a dividend?", FILINGS, FILING_TITLES).doc_ids[0] == "threem"
