"""Analytics services: runs (sync, fit, score, write back), real-time rescoring."""
