"""The inbox: records outside systems sent or we pulled, kept once by their natural key
before they are acknowledged, then handed to the feature that handles their topic."""
