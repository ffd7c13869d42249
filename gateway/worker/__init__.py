"""Background workers: the dramatiq broker and the in-process worker of the embedded default."""
