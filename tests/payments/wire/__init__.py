"""Local servers that speak the payment providers' wire formats, and their webhook signers."""
