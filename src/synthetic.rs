//! A synthetic register (filled in by the synthetic-register work).
