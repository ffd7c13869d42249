"""Cases pulled from a vertical sector system (a ministry's case system): where they
land, how they are matched to the district's own cases, and who reads them."""
