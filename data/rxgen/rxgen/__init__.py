"""rxgen: synthetic prescription documents (clean render + phone photo + ground truth)."""

GENERATOR_VERSION = "1"
