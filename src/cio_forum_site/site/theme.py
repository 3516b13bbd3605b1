"""The default theme (templates and static files shipped in the package) and the site's own
``templates/`` folder, which overrides it file by file, as a Hugo theme's layers do.

A page template is looked up in the site's folder first, then in the theme; a static file
(``static/…``) likewise: the site's file of the same name replaces the theme's.
"""

from __future__ import annotations

from pathlib import Path

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"


def template_dirs(site_templates: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins."""
    own = [site_templates] if site_templates is not None and site_templates.is_dir() else []
    return [*own, THEME_DIR]


def static_dirs(site_templates: Path | None) -> list[Path]:
    """Where static files come from, later folders overriding earlier ones by name."""
    return [d / "static" for d in reversed(template_dirs(site_templates))]
