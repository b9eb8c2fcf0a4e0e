"""Pure domain logic: no Flask, no SQL, no IO, no clock reads."""
