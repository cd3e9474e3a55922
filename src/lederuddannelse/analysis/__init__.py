"""The report's analyses: domains, comparisons, model terms and the F1-F14 checks."""
