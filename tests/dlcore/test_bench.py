"""The benchmark runs and prints its table (numbers are read by people, never asserted)."""

from __future__ import annotations

from dlcore.bench import best_rates, main


def test_bench_prints_a_row_per_solver(capsys):
    assert main(["--seconds", "0.01", "--rounds", "2", "conv2d_output_shape", "svm_decision"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("# dlcore bench: Python") and "best of 2 alternating rounds" in out[0]
    rows = [line for line in out if line.startswith("| conv2d_output_shape") or line.startswith("| svm_decision")]
    assert len(rows) == 2


def test_best_rates_without_a_reference():
    ours, theirs = best_rates(lambda: None, None, 0.01, 2)
    assert ours > 0 and theirs is None
