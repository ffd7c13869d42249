"""The law's periods, limits and flags, pure where they can be (periods, limits, window, entered_dates), and applied to one case (applied, flags, thresholds)."""
