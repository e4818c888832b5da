"""`lz verify`: acceptance output readers (nccl, dcgm), the judge, and the live run (live)."""
