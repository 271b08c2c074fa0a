"""How much of one file's trouble is worth reporting: past this many problems of one kind, the first ones
say it all (a list of 200,000 wrong values must not cost minutes or a flood of lines)."""

MAX_FINDINGS = 1000
