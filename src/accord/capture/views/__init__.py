"""Capture's HTTP entry points that are not staff pages: webhooks and the web script's
collect endpoint. Thin: parse, verify, call one service, answer."""
