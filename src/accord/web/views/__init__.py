"""Page views, split by noun: home, customers (list, search, Customer View), timeline
partials, attachments. Each stays thin: parse the request, call selectors, render."""
