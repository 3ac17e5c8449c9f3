"""People, organisations, identities (email, phone, address, external ids), merge/unmerge."""
