"""Tests of the iteration-head paper (a package, so test module names may repeat across papers)."""
