"""One door: complaints and clues, routing, arbitration and progress (in progress)."""
