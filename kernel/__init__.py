"""The shared kernel: what every domain app builds its services on.

- ``errors``: what a service says when it refuses (views and the API map these to responses);
- ``services``: ``@service`` (one transaction, side effects batched to its end and sent after
  commit) and the save that stamps a history row with the acting user and a reason;
- ``validators``: the text and date checks every service applies to what users type;
- ``choices``: the vocabulary casework and workflows share (stages, plan statuses), so that
  the flow can read a case without importing casework;
- ``compat``: every reliance on a library's internals, one named module each, each pinned by a
  test to the library version it was written against.

Nothing here imports a Lépés app: every package may import the kernel, the kernel imports none.
"""
