"""Conformance of real event logs to a designed journey (`journeyctl conform`).

design.py flattens the journey into the small tables the SQL joins; sql.py holds the one canonical
query and its translations (--emit-sql); engine.py runs it on a log file with embedded DuckDB;
result.py reads any engine's answer into a Conformance; report.py, overlay.py and prediction.py
present it. The semantics are documented in README.md, "Conformance of event logs".
"""
