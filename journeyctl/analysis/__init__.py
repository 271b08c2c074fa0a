"""What the journey model computes: the funnel and the workspace statistics.

- `funnel.analyse_funnel(journey, entry)`: exact conversion, reach, leaks and fix-first from the rates
  (absorbing Markov chain); `funnel_reach`, `funnel_scenario` (what-if), `funnel_tables` (presentation rows).
- `stats`: counts, persona/channel/team × stage matrices, hand-offs, path lengths; `graph`: reachability.
"""
