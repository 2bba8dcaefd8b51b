"""The documentation site of the ontology and the shapes (`nhskg docs`).

site (index and ontology pages, writing the folder) imports shapes (a page per shapes file),
which imports rules (a shape's rules in words) and examples (failing submissions, proven);
all share pages (the page frame, prefixed names and links)."""
