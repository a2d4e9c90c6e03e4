"""formkit: fills Word and Excel templates from one case file, for the follow-up work of
Swedish municipal social care (brukarbrev, meeting forms, öppenvård appendices, the
biståndshandläggare's follow-up board)."""

__version__ = "0.1.0"
