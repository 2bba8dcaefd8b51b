"""Views of the graph for other tools (`nhskg export`).

model (the format registry EXPORT_FORMATS and `export`) imports view_graph (a named view of a build,
from views, as the property graph of graph) and the formats: xml (GraphML, GEXF), cytoscape,
dot, html (the viewer), picture (PNG, SVG) and rdf. The formats import graph, style (colours,
names) and layout (positions), never model."""
