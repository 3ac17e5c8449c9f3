"""Pages: base templates, navigation, the views' composition, static assets."""
