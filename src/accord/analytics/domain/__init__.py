"""The customer-base models as pure functions over arrays (numpy, scipy): no Django."""
