"""One thread per test process, as every job runs (tiny models are slower on two)."""

from paperfigs.common import limit_threads

limit_threads(1)
