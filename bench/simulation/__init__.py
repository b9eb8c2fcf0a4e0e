"""A debtor-population simulator with known ground truth, for the contact policy's bench and tests."""
