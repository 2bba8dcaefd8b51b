"""Views of the graph for other tools: the property graph model, the views, their style
and layout, and one module per format (GraphML, GEXF, Cytoscape JSON, DOT, HTML, pictures, RDF)."""
