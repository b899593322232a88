"""Generated XDR codec modules (see stellarcore.xdr.gen)."""
