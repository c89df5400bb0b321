"""The language-model playground: a small local HTTP server (standard library) with a page
that colours each word by its surprisal under the neural LM and an n-gram model.

    from wordnet_lm.serve import Playground, make_server
    server = make_server(Playground.load("lm.npz", "lm.arpa"), port=0)
    print(server.url); server.serve_forever()
"""

from wordnet_lm.serve.playground import Playground, split_text
from wordnet_lm.serve.requests import MAX_BODY_BYTES, BadRequest
from wordnet_lm.serve.server import ENDPOINTS, PlaygroundServer, make_server

__all__ = ["ENDPOINTS", "MAX_BODY_BYTES", "BadRequest", "Playground", "PlaygroundServer", "make_server", "split_text"]
