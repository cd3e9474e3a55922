"""The data layer: codebook, reading and validating a survey file, derived columns, the synthetic
generator and the weighting.
"""
