"""The saved questions: the catalogue of SPARQL and networkx questions, the answers and
their formats, the projection of the graph into networks, and the analyses over them."""
