"""The overlay: authenticated TCP connections between Stellar nodes, flow
control, flooding and peer management (stellar-core src/overlay, v25.0.1).
See README.md in this directory.
"""
