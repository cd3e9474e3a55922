"""Design-based statistics that agree with R's survey package, and the small-cell policy."""
