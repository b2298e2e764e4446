"""Building blocks the apps share: no models, and no import of any app."""
