"""The documentation site of the ontology and the shapes (`nhskg docs`)."""
