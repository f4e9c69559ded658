"""The actions pages and API share: each takes what a route parsed, runs one change in a
transaction of its own (the engine's, or `context.write()`), and raises the domain's errors
in the request's language for the route to map (a problem document, a flashed message).

Pages and API both import from here and never from each other (import-linter checks it).
"""
