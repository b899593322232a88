"""Soroban: the canonical soroban-env-host behind a narrow native bridge.

`stellarcore.soroban.bridge` (Cython) calls ext/soroban_bridge (Rust, linking
soroban-env-host 23.0.0, 24.0.0 and 25.0.0 from crates.io) through a C ABI of
XDR byte buffers. See README.md here.
"""
