"""Input rules the pages and the API both load through (marshmallow schemas), so a form and
a client are refused in the same words."""
