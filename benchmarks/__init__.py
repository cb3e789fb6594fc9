"""Benchmark scripts and suites of the monorepo.

A regular package (not a namespace one) on purpose: pysbd, a dependency, installs a stray top-level
``benchmarks`` package into site-packages, which would otherwise shadow this directory in
``python -m benchmarks.activitynet.run``.
"""
