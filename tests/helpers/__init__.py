"""Code the tests share: harnesses for real clients, simulators, paths."""
