"""Payment providers behind one Protocol (sandbox, stripe, adyen), bank transfers and reconciliation."""
