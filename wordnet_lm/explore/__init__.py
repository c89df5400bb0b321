"""The embedding explorer: one offline HTML page with a pan/zoom map of word vectors,
search, nearest neighbours and analogies computed in the page.

    from wordnet_lm.explore import ExplorerSettings, write_explorer
    write_explorer(kv, "explorer.html", ExplorerSettings(top=5000, method="tsne"))
"""

from wordnet_lm.explore.encoding import ENCODINGS, decode_vectors, encode_vectors
from wordnet_lm.explore.groups import kmeans_groups, label_groups, read_label_file
from wordnet_lm.explore.page import (
    MAX_WORDS,
    ExplorerSettings,
    HTML_PAGE,
    explorer_data,
    render_explorer,
    write_explorer,
)

__all__ = ["ENCODINGS", "HTML_PAGE", "MAX_WORDS", "ExplorerSettings", "decode_vectors", "encode_vectors",
           "explorer_data", "kmeans_groups", "label_groups", "read_label_file", "render_explorer", "write_explorer"]
