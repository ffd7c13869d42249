"""The shell of the case feature: the REST views, the console's pages, forms and read models."""
