"""Pure rules about customers: kinds, identities and their normalisation, merge plans."""
