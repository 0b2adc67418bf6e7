"""Answers grounded in evidence: the sentences of the documents that state the answer, found
without a model, and a one-sentence wording by the model shown only when every figure and name
in it is found in that evidence."""
