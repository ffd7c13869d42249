"""The workbench (执法工作台): the signed-in person's to-do list across the one door and
the case engine — a read model (`queries`) and its API (`views`). A shell: it reads
several features; the console's home page gets it from the composition root
(`app.extensions["yimen.workbench"]`), so that the console does not import the features."""
