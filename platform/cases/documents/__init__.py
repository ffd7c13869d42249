"""The standard instruments of a case (文书): kinds, templates, numbering, rendering, signing."""
