"""Versioned, validated save and load of everything the user made. Never imports Qt."""
