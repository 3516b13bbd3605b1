"""Stages 2–4 — the site: the archive as a whole, its routes (url, template, context), rendered.

Entry points: ``make_archive`` (indexes; pure) → ``plan_routes`` + ``publishing_routes``
(every page and file of the site) → ``render_routes`` (Jinja2).
"""
