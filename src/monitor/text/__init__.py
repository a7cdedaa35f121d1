"""Pure text handling: HTML to text, Unicode clean-up, publication dates and language detection."""
