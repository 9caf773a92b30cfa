"""Finding people by what staff type: accent-insensitive prefixes of names.

"kovacs" finds Kovács, "szabo" finds Szabóová, "nemeth e" finds Németh Erzsébet. Each client
keeps its names folded (lower case, accents and other marks taken off) in columns of their
own, kept by ``Client.save()``; a search folds the typed words the same way and asks for each
word to begin the family or the given name. On PostgreSQL each folded column has a
``varchar_pattern_ops`` index, so a prefix is an index range however many clients there are;
SQLite reads the rows of the user's scope, which a laptop demo can afford.
"""

from __future__ import annotations

import unicodedata

from django.db.models import Q

# The words of one search, at most: more only narrows a result nobody reads.
MAX_WORDS = 4


def folded(text: str) -> str:
    """``text`` in lower case without accents, its words separated by one space.

    NFKD splits a letter from its marks (ő → o + double acute, ľ → l + caron), which are then
    dropped; ``casefold`` is the lower case Unicode defines for comparing (ß → ss)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def search_words(query: str) -> list[str]:
    return folded(query).split()[:MAX_WORDS]


def client_name_matches(words: list[str], *, prefix: str = "") -> Q:
    """Clients whose family or given name begins with every word (in either order)."""
    condition = Q()
    for word in words:
        condition &= Q(**{f"{prefix}family_key__startswith": word}) | Q(
            **{f"{prefix}given_key__startswith": word}
        )
    return condition
