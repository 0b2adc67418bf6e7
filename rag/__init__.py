"""The document library: loading, chunking, embedding, indexing and retrieving firm documents.

Plain Python with no Qt and no knowledge of ``app`` or ``ui``.
"""
