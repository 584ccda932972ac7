"""flaskstarter's benchmarks, run on demand: `python -m bench --help` from the repository root.

Every figure is a median over interleaved runs, and every target a ratio against a baseline
measured in the same invocation (or, for install-to-green, a number of seconds).
"""
