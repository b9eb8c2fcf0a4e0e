"""Bank transfers: payment QR codes (EPC "GiroCode", Swiss QR-bill), references, and statement parsing.

Pure functions only: data in, data out. The modules are imported one by one rather than re-exported here,
so that reading a bank statement does not load the QR-bill renderer.

- `errors`    `FieldError`, the `ValueError` every helper raises, naming the offending field
- `iban`      validate, display and classify IBANs
- `rf`        ISO 11649 creditor references, and the one we derive from a claim
- `qr_reference`  Swiss 27-digit QR references (mod 10 recursive)
- `epc`       the EPC069-12 QR payload
- `swiss`     the Swiss QR-bill (SPC 0200) with the `qrbill` package
- `svg`       accessible inline SVG for a QR code
- `camt053`   ISO 20022 bank statements to `BankCredit`s
- `matching`  the reference a credit carries, normalised to the stored form
"""
