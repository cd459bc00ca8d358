"""Data the code reads (EU template elements, EQF levels, JSON-LD contexts, mapping tables),
versioned as files beside this module. Filled by issues 4 and 5."""
