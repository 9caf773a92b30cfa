"""Data protection by design (DESIGN.md section 7). Other apps ask it, for example
``privacy.require_consent(case, purpose, partner=None)`` or ``privacy.can_see(user, category,
case)``, and never test roles for sensitive
data themselves.

The names below are looked up on first use (PEP 562): this package is imported while Django is
still loading its apps, before ``privacy.models`` may be imported.
"""

from importlib import import_module

_PUBLIC = {
    "Purpose": "privacy.models",
    "require_consent": "privacy.selectors",
    "has_consent": "privacy.selectors",
    "missing_consent_message": "privacy.selectors",
    "SpecialCategory": "privacy.models",
    "can_see": "privacy.special",
    "can_see_all": "privacy.special",
    "visible_categories": "privacy.special",
    "cases_where_visible": "privacy.special",
    "require_processing_allowed": "privacy.selectors",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'privacy' has no attribute {name!r}")
