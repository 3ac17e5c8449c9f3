"""Purchases, refunds, payments, their lines and the products bought."""
