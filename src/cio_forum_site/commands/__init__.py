"""The commands (build, check, new, serve, import): thin, over the stages.

Each module has one entry point that ``cli.py`` calls; nothing below this layer imports it.
"""
