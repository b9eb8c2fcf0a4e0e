"""Decisions: how each debtor is approached (channel, send hour, tone), what a claim is likely to bring
in, whether one strategy beats another, and what a debtor's message asks for. Learned from the
platform's own history, within the law and the creditor's strategy, each choice logged and explained."""
